"""Damaged pages in each database and state file: the damage is reported in one line,
backed up once, and never silently reset; no traceback reaches the user."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from studio.api import StudioError
from tests.faults.harness import Run, generate_args, is_database, prepare_data_dir, run_cli


def corrupt_pages(db: Path) -> bytes:
    """Overwrite every page but the first (header and schema) with garbage; return the
    damaged bytes. The WAL is folded in first so the damage is what the next open reads."""
    conn = sqlite3.connect(str(db))
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    for side in ("-wal", "-shm"):
        Path(str(db) + side).unlink(missing_ok=True)
    data = bytearray(db.read_bytes())
    assert len(data) > page, f"{db.name} has one page only"
    for start in range(page, len(data), page):
        for i in range(start + 8, min(start + page, len(data)), 3):
            data[i] = (i * 131 + 7) % 256
        data[start] = 0x55  # not a b-tree page type
    db.write_bytes(bytes(data))
    return bytes(data)


def corrupt_file(path: Path) -> bytes:
    """Flip bytes in the middle third of a non-SQLite state file."""
    data = bytearray(path.read_bytes())
    for i in range(len(data) // 3, 2 * len(data) // 3):
        data[i] ^= 0xA5
    path.write_bytes(bytes(data))
    return bytes(data)


def copies_of(data_dir: Path, name: str) -> list[Path]:
    """Backups of database ``name``: SQLite files beside it whose names extend its name."""
    return sorted(p for p in data_dir.iterdir() if p.name.startswith(name) and p.name != name
                  and not p.name.endswith(("-wal", "-shm", "-journal")) and is_database(p))


def kept_somewhere(damaged: bytes, path: Path, backups: list[Path]) -> bool:
    """The damaged bytes are still on disk: in place, or in a backup."""
    return (path.exists() and path.read_bytes() == damaged) or any(
        b.read_bytes() == damaged for b in backups if b.is_file())


def assert_one_line(run: Run, data_dir: Path) -> None:
    where = f"\nreproduce: {run.command(data_dir)}"
    assert not run.traceback, run.stderr + where
    lines = run.message_lines()
    assert len(lines) == 1, f"expected one line, got {lines}{where}"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with artifacts, their events and the suggestions' files (made once)."""
    root = tmp_path_factory.mktemp("template") / "data"
    prepare_data_dir(root)
    for seed, prompt in enumerate(("a red fox in snow", "a red fox at dusk"), 1):
        assert run_cli(generate_args(prompt, seed), root).rc == 0
    assert run_cli(["suggest"], root).rc == 0
    return root


@pytest.fixture
def folder(template: Path, data_dir: Path) -> Path:
    """This test's copy of the template (paths in the index are relative to it)."""
    shutil.copytree(template, data_dir)
    return data_dir


def test_damaged_history_is_reported_backed_up_once_and_kept(folder):
    path = folder / "history.sqlite"
    damaged = corrupt_pages(path)
    for _ in range(2):
        run = run_cli(["profile", "show"], folder)
        assert run.rc == 2, run.stderr
        assert_one_line(run, folder)
        assert "damaged" in run.stderr
    # Generating still works; it records nothing into (and never over) the damaged file.
    gen = run_cli(generate_args("a fox again", 9), folder)
    assert gen.rc == 0 and not gen.traceback, gen.stderr
    backups = copies_of(folder, "history.sqlite")
    assert len(backups) == 1, backups
    assert kept_somewhere(damaged, path, backups)


def test_damaged_library_index_is_reported_backed_up_once_and_repairable(folder):
    path = folder / "library.sqlite"
    damaged = corrupt_pages(path)
    for _ in range(2):
        run = run_cli(["library", "list"], folder)
        assert run.rc == 2, run.stderr
        assert_one_line(run, folder)
    backups = copies_of(folder, "library.sqlite")
    assert len(backups) <= 1, backups
    assert kept_somewhere(damaged, path, backups)
    # The files carry their own metadata: the index comes back from them.
    fixed = run_cli(["library", "repair"], folder)
    assert fixed.rc == 0 and not fixed.traceback, fixed.stderr
    listed = run_cli(["library", "list", "--json"], folder)
    assert listed.rc == 0, listed.stderr
    assert listed.stdout.count("a red fox") >= 2
    assert len(copies_of(folder, "library.sqlite")) == 1
    assert kept_somewhere(damaged, path, copies_of(folder, "library.sqlite"))


def test_damaged_job_queue_is_reported_and_kept(data_dir):
    from studio.app.studio import Studio

    studio = Studio(data_dir, backend="thread", persist_queue=True)
    studio.engine  # noqa: B018 - creates the queue store
    studio.close()
    path = data_dir / "queue.sqlite"
    damaged = corrupt_pages(path)
    for _ in range(2):
        studio = Studio(data_dir, backend="thread", persist_queue=True)
        try:
            studio.engine  # noqa: B018
        except StudioError as exc:
            assert "\n" not in str(exc), str(exc)
        finally:
            studio.close()
    backups = copies_of(data_dir, "queue.sqlite")
    assert len(backups) <= 1, backups
    assert kept_somewhere(damaged, path, backups)


def test_damaged_job_queue_is_copied_once_and_replaced_by_an_empty_one(data_dir, caplog):
    """The queue holds only pending work: one line, one copy, and the engine goes on."""
    from studio.app.studio import Studio

    studio = Studio(data_dir, backend="thread", persist_queue=True)
    studio.engine  # noqa: B018 - creates the queue store
    studio.close()
    path = data_dir / "queue.sqlite"
    damaged = corrupt_pages(path)
    for start in range(2):
        caplog.clear()
        studio = Studio(data_dir, backend="thread", persist_queue=True)
        try:
            assert studio.engine.jobs() == []
        finally:
            studio.close()
        said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"
                and "queue" in r.getMessage()]
        if start == 0:
            assert len(said) == 1 and "\n" not in said[0], said
            assert "copied to queue.sqlite.broken-" in said[0], said
            assert "queued jobs from the last session are lost" in said[0], said
        else:
            assert said == [], "the new queue was reported damaged again"
    backups = copies_of(data_dir, "queue.sqlite")
    assert len(backups) == 1 and backups[0].read_bytes() == damaged, backups
    assert sqlite3.connect(str(path)).execute("PRAGMA quick_check").fetchone() == ("ok",)


@pytest.mark.parametrize("name", ["suggest_state.bin", "suggest_weights.json"])
def test_damaged_suggestion_files_are_reported_not_fatal(folder, name):
    path = folder / name
    assert path.exists(), sorted(p.name for p in folder.iterdir())
    corrupt_file(path)
    run = run_cli(["suggest"], folder)
    assert run.rc == 0, run.stderr
    assert not run.traceback, run.stderr
    lines = run.message_lines()
    assert len(lines) == 1 and name in lines[0], (
        f"the damage of {name} is not reported in one line naming it: stderr {lines!r}"
        f"\nreproduce: {run.command(folder)}")



def test_damaged_suggestion_weights_are_kept_aside_once(folder):
    path = folder / "suggest_weights.json"
    damaged = corrupt_file(path)
    first = run_cli(["suggest"], folder)
    assert first.rc == 0 and not first.traceback, first.stderr
    kept = folder / "suggest_weights.broken.json"
    assert kept.read_bytes() == damaged
    assert "suggest_weights.broken.json" in first.stderr
    # Fresh weights were saved in its place: the next run reports nothing.
    again = run_cli(["suggest"], folder)
    assert again.rc == 0 and again.message_lines() == [], again.stderr
    assert sorted(p.name for p in folder.glob("suggest_weights*")) == [
        "suggest_weights.broken.json", "suggest_weights.json"]
