"""Files a save or an import wrote before a kill stopped it from indexing them (issue #10):
the library's next open deletes them and their temp files, and only those."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from studio.api import GenerationRequest, Output
from studio.app import faults
from studio.app.library import Library
from tests.faults.harness import (
    Ledger,
    check_state,
    committed_ids,
    generate_args,
    prepare_data_dir,
    run_cli,
)


@pytest.fixture(autouse=True)
def _no_fault(monkeypatch):
    monkeypatch.delenv(faults.ENV_FAULT_POINT, raising=False)
    faults.reset()


def leftovers(data_dir: Path) -> list[str]:
    """Files under library/ and thumbs/ with no index row, and temp files anywhere."""
    return check_state(data_dir, Ledger()).leftovers()


def pending_files(data_dir: Path) -> list[tuple]:
    conn = sqlite3.connect(str(data_dir / "library.sqlite"))
    try:
        return conn.execute("SELECT path, artifact_id, pid FROM pending_files").fetchall()
    finally:
        conn.close()


def dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


@pytest.mark.parametrize("fault", [
    "library.after_file:kill#2",       # the second image written, not indexed
    "library.after_thumbnail:kill",    # an image and its thumbnail written
    "write_atomic.before_rename:kill",  # the first image's temp file
    "write_atomic.before_rename:kill#2",  # its thumbnail's temp file
    "write_atomic.before_rename:kill#3",  # the second image's temp file, one image whole
])
def test_a_killed_save_leaves_nothing_after_the_next_command(tmp_path, fault):
    data = tmp_path / "data"
    prepare_data_dir(data)
    assert run_cli(generate_args("before", 1), data).rc == 0
    run = run_cli(generate_args("killed", 2, batch=2), data, fault=fault)
    assert run.killed, run.stderr
    assert leftovers(data), "the kill left nothing: the test does not test"
    assert pending_files(data), "the files about to be written were not noted"

    later = run_cli(["library", "list"], data)
    assert later.rc == 0 and not later.traceback, later.stderr
    assert leftovers(data) == []
    assert pending_files(data) == []
    found = check_state(data, Ledger(), recovered=True)
    assert not found.problems(), found.problems()
    # The earlier artifact is untouched; the next save works as usual.
    again = run_cli(generate_args("after", 3), data)
    assert again.rc == 0, again.stderr
    assert len(list((data / "library").rglob("*.png"))) == 2


def _a1111_png(path: Path, seed: int) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", f"a castle {seed}\nSteps: 20, Sampler: Euler a, "
                                f"CFG scale: 7, Seed: {seed}, Size: 16x16")
    Image.new("RGB", (16, 16), (seed, 40, 90)).save(path, pnginfo=info)


@pytest.mark.parametrize(("link", "fault"), [
    (False, "library.import.after_file:kill#2"),
    (False, "write_atomic.before_rename:kill#2"),
    (True, "write_atomic.before_rename:kill#2"),  # a thumbnail of a linked file
])
def test_a_killed_import_leaves_nothing_and_never_touches_the_sources(tmp_path, link, fault):
    data, folder = tmp_path / "data", tmp_path / "pictures"
    prepare_data_dir(data)
    folder.mkdir()
    for i in range(3):
        _a1111_png(folder / f"made-elsewhere-{i}.png", i)
    sources = {p: p.read_bytes() for p in folder.iterdir()}
    args = ["library", "import", str(folder)] + (["--link"] if link else [])
    run = run_cli(args, data, fault=fault)
    assert run.killed, run.stderr
    assert leftovers(data)

    again = run_cli(args, data)
    assert again.rc == 0, again.stderr
    assert leftovers(data) == []
    assert pending_files(data) == []
    assert {p: p.read_bytes() for p in folder.iterdir()} == sources
    listed = run_cli(["library", "list", "--json"], data)
    assert sorted(a["prompt"] for a in json.loads(listed.stdout)) == [
        f"a castle {i}" for i in range(3)]


def test_a_live_process_keeps_its_save_in_progress_and_a_dead_ones_goes(tmp_path):
    lib = Library(tmp_path)
    lib.open()
    path = lib.files / "2026" / "01" / "abc.png"
    path.parent.mkdir(parents=True)
    lib._plan_files("abc", [path, lib.thumbnail_path("abc")])
    path.write_bytes(b"half a save")
    tmp = path.with_name(f".{path.name}.x1y2.tmp")
    tmp.write_bytes(b"more")
    lib.close()

    Library(tmp_path).open()  # this process is alive: its save is left alone
    assert path.exists() and tmp.exists()

    conn = sqlite3.connect(str(tmp_path / "library.sqlite"))
    conn.execute("UPDATE pending_files SET pid = ?", (dead_pid(),))
    conn.commit()
    conn.close()
    Library(tmp_path).open()
    assert not path.exists() and not tmp.exists()
    assert pending_files(tmp_path) == []


def test_only_files_inside_the_library_are_ever_deleted(tmp_path):
    """A note naming a file outside library/ and thumbs/ (planted, or a linked source)
    never deletes it; an indexed artifact's file is never deleted either."""
    lib = Library(tmp_path)
    req = GenerationRequest(modality="image", prompt="kept", generator="g", seed=1)
    [art] = lib.add([Output("image", Image.new("RGB", (8, 8)), {})], req)
    outside = tmp_path / "settings.json"
    outside.write_text("{}")
    lib.close()
    conn = sqlite3.connect(str(tmp_path / "library.sqlite"))
    pid = dead_pid()
    conn.executemany("INSERT INTO pending_files (path, artifact_id, pid) VALUES (?, ?, ?)",
                     [("settings.json", "zz", pid), (str(outside), "zz2", pid),
                      (art.path, art.id, pid)])
    conn.commit()
    conn.close()
    lib = Library(tmp_path)
    assert lib.count() == 1
    assert outside.exists() and Path(art.path).exists()
    assert pending_files(tmp_path) == []


def test_a_failed_save_leaves_no_note(tmp_path, monkeypatch):
    lib = Library(tmp_path)
    req = GenerationRequest(modality="image", prompt="full", generator="g", seed=1)
    monkeypatch.setenv(faults.ENV_FAULT_POINT, "library.after_thumbnail:enospc")
    with pytest.raises(Exception, match="no space"):
        lib.add([Output("image", Image.new("RGB", (8, 8)), {})], req)
    assert pending_files(tmp_path) == []
    assert leftovers(tmp_path) == []


def test_generations_that_finish_leave_no_note(tmp_path):
    data = tmp_path / "data"
    prepare_data_dir(data)
    run = run_cli(generate_args("fine", 4, batch=2), data)
    assert len(committed_ids(run)) == 2, run.stderr
    assert pending_files(data) == []
