"""The library's storage contract (issue #10): lazy open, all-or-nothing saves, erase,
damage found and backed up once, repair from the files, relative paths, and the
generate event of a save cut short."""

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from studio.api import GenerationRequest, Output
from studio.app import faults
from studio.app.library import Library, LibraryWriteError, m003_relative_paths
from studio.app.library_health import LibraryDamaged
from studio.app.library_repair import repair

REQ = GenerationRequest(modality="image", prompt="a red fox", generator="g", model="m",
                        params={"steps": 2}, seed=1)


@pytest.fixture(autouse=True)
def _fresh_fault_counts(monkeypatch):
    monkeypatch.delenv(faults.ENV_FAULT_POINT, raising=False)
    faults.reset()
    yield
    faults.reset()


def add(lib, prompt="a red fox", n=1, job_id=None, kind="image", pad=0):
    req = REQ.replace(prompt=prompt, params={"steps": 2, "pad": "x" * pad})
    outs = [Output(kind, Image.new("RGB", (8, 8), (i, 2, 3)) if kind == "image"
                   else f"text about {prompt}", {"seed": i}) for i in range(n)]
    return lib.add(outs, req, "0.1", job_id=job_id)


def files_under(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()
                  and p.parent != root)


def corrupt_page(db: Path, page: int, start: int = 0) -> None:
    """Overwrite one page of a closed database with garbage (from ``start`` on)."""
    conn = sqlite3.connect(db)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with db.open("r+b") as f:
        f.seek((page - 1) * size + start)
        f.write(b"\xa5" * (size - start))


def root_page(db: Path, name: str) -> int:
    conn = sqlite3.connect(db)
    page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    conn.close()
    return page[0]


def first_leaf(db: Path, table: str) -> int:
    """The first child of a table's interior root page (its rows span several pages)."""
    conn = sqlite3.connect(db)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = db.read_bytes()
    page = root_page(db, table)
    head = (page - 1) * size
    assert data[head] == 0x05, "the table must span several pages"
    cell = int.from_bytes(data[head + 12:head + 14], "big")
    return int.from_bytes(data[head + cell:head + cell + 4], "big")


# -- lazy open: reading or refusing creates nothing ----------------------------------


def test_reading_a_fresh_library_creates_nothing(tmp_path):
    lib = Library(tmp_path)
    assert lib.list() == [] and lib.count() == 0
    with pytest.raises(Exception, match="no artifact"):
        lib.get("nope")
    lib.close()
    assert list(tmp_path.iterdir()) == []


def test_bad_input_on_a_fresh_data_folder_creates_no_index(capsys, fake_entry_points, tmp_path):
    from studio.cli.main import main

    code = main(["generate", "image", "--generator", "fake.image", "--set", "steps=-5"])
    assert code == 2 and "steps must be >= 1" in capsys.readouterr().err
    data = tmp_path / "data"
    assert not (data / "library.sqlite").exists()
    assert not (data / "library").exists()


# -- a failed save leaves nothing (issue #10 items 3 and 9) -------------------------


@pytest.mark.parametrize("point", ["write_atomic.before_rename", "library.after_file",
                                   "library.after_thumbnail", "library.after_index"])
@pytest.mark.parametrize("nth", [1, 2])
def test_full_disk_at_any_step_of_a_save_leaves_no_file_and_no_row(tmp_path, monkeypatch,
                                                                    point, nth):
    lib = Library(tmp_path)
    if point == "library.after_index" and nth == 2:
        nth = 1  # reached once per save
    monkeypatch.setenv(faults.ENV_FAULT_POINT, f"{point}:enospc#{nth}")
    with pytest.raises(LibraryWriteError, match=r"^no space left on device while saving "):
        add(lib, n=2, job_id="job1")
    monkeypatch.delenv(faults.ENV_FAULT_POINT)
    assert lib.count() == 0
    assert files_under(tmp_path / "library") == [] and files_under(tmp_path / "thumbs") == []
    assert lib.conn.execute("SELECT COUNT(*) FROM generate_pending").fetchone()[0] == 0
    assert lib.conn.execute("SELECT COUNT(*) FROM artifacts_fts").fetchone()[0] == 0
    add(lib)  # and the library still works
    assert lib.count() == 1
    lib.close()


def test_an_unexpected_error_in_a_save_also_cleans_up(tmp_path, monkeypatch):
    lib = Library(tmp_path)
    monkeypatch.setenv(faults.ENV_FAULT_POINT, "library.after_thumbnail:raise")
    with pytest.raises(faults.InjectedFault):
        add(lib)
    assert lib.count() == 0 and files_under(tmp_path) == []
    lib.close()


def test_erase_removes_unindexed_files_temp_files_and_damaged_copies(tmp_path):
    lib = Library(tmp_path)
    add(lib)
    orphan = tmp_path / "library" / "2020" / "01" / "orphan.png"
    orphan.parent.mkdir(parents=True)
    Image.new("RGB", (4, 4)).save(orphan)
    (tmp_path / "library" / "2020" / ".x.png.123.tmp").write_bytes(b"part")
    (tmp_path / "thumbs" / "orphan.jpg").write_bytes(b"jpg")
    (tmp_path / "library.sqlite.broken-20200101-000000").write_bytes(b"old prompts")
    mask = tmp_path / "cache" / "masks" / "0a1b.png"
    mask.parent.mkdir(parents=True)
    Image.new("L", (4, 4)).save(mask)
    assert lib.erase() == 1
    assert not mask.exists()
    lib.close()
    assert files_under(tmp_path / "library") == [] and files_under(tmp_path / "thumbs") == []
    assert not list(tmp_path.glob("library.sqlite.broken-*"))
    assert Library(tmp_path).count() == 0


def test_erase_works_on_a_damaged_index(tmp_path):
    lib = Library(tmp_path)
    add(lib, n=2)
    lib.close()
    (tmp_path / "library.sqlite").write_bytes(b"")
    lib = Library(tmp_path)
    assert lib.erase() == 2  # files counted: the index could not say
    assert files_under(tmp_path) == []
    assert not list(tmp_path.glob("library.sqlite*"))
    add(lib)  # a new, healthy index
    assert lib.count() == 1
    lib.close()


# -- damage: refused with one line, backed up once (issue #10 item 6) ---------------


def test_zero_byte_index_with_files_is_refused_not_reset(tmp_path):
    lib = Library(tmp_path)
    arts = add(lib, n=2)
    lib.close()
    db = tmp_path / "library.sqlite"
    db.write_bytes(b"")
    for _ in range(2):
        lib = Library(tmp_path)
        with pytest.raises(LibraryDamaged, match="studio library repair") as info:
            lib.list()
        assert "\n" not in str(info.value)
        with pytest.raises(LibraryDamaged):
            add(lib)
        lib.close()
    assert db.stat().st_size == 0  # nothing was written into it
    assert sorted(files_under(tmp_path / "library")) == sorted(
        str(Path(a.path).relative_to(tmp_path / "library")) for a in arts)


def test_damaged_table_page_is_refused_and_backed_up_once(tmp_path):
    lib = Library(tmp_path)
    add(lib, n=3)
    lib.close()
    db = tmp_path / "library.sqlite"
    corrupt_page(db, root_page(db, "artifacts"))
    before = db.read_bytes()
    for _ in range(3):
        lib = Library(tmp_path)
        with pytest.raises(LibraryDamaged, match="is damaged"):
            lib.count()
        lib.close()
    assert db.read_bytes() == before
    copies = list(tmp_path.glob("library.sqlite.broken-*"))
    assert len(copies) == 1 and copies[0].read_bytes() == before


def test_damaged_search_index_is_found_on_open(tmp_path):
    lib = Library(tmp_path)
    add(lib, "an owl at night")
    lib.close()
    db = tmp_path / "library.sqlite"
    corrupt_page(db, root_page(db, "artifacts_fts_data"), start=8)
    lib = Library(tmp_path)
    with pytest.raises(LibraryDamaged):
        add(lib)
    lib.close()
    assert len(files_under(tmp_path / "library")) == 1  # the new save wrote nothing


def test_repair_rebuilds_a_zero_byte_index_from_the_files(tmp_path):
    lib = Library(tmp_path)
    images = add(lib, "a red fox", n=2)
    text = add(lib, "the sea", kind="text")[0]
    lib.close()
    (tmp_path / "library.sqlite").write_bytes(b"")
    report = repair(tmp_path)
    assert (report.seen, report.rebuilt, report.unreadable) == (3, 3, [])
    lib = Library(tmp_path)
    assert {a.id for a in lib.list()} == {a.id for a in [*images, text]}
    got = lib.get(images[1].id)
    assert got.prompt == "a red fox" and got.seed == 1 and got.path == images[1].path
    assert lib.get(text.id).text == "text about the sea"
    assert [a.id for a in lib.list(search="sea")] == [text.id]
    lib.close()


def test_repair_keeps_state_of_readable_rows_and_reports_unreadable_files(tmp_path):
    lib = Library(tmp_path)
    arts = add(lib, "a fox", n=30, pad=900)
    for a in arts:
        lib.set_favourite(a.id)
        lib.rate(a.id, 4)
    lib.trash(arts[0].id)
    lib.close()
    (tmp_path / "library" / "stray.png").write_bytes(b"not a png")
    db = tmp_path / "library.sqlite"
    corrupt_page(db, first_leaf(db, "artifacts"))
    with pytest.raises(LibraryDamaged):
        Library(tmp_path).list()
    report = repair(tmp_path)
    assert report.seen == 31 and report.rebuilt == 30
    assert report.unreadable == [str(tmp_path / "library" / "stray.png")]
    assert 0 < report.kept_state < 30  # the rows on the damaged page lost their state
    lib = Library(tmp_path)
    got = {a.id: a for a in lib.list(limit=100) + lib.list(trashed=True, limit=100)}
    assert set(got) == {a.id for a in arts}
    assert all(a.prompt == "a fox" for a in got.values())
    kept = [a for a in got.values() if a.favourite]
    assert len(kept) == report.kept_state and all(a.rating == 4 for a in kept)
    lib.close()
    assert len(list(tmp_path.glob("library.sqlite.broken-*"))) == 1


# -- paths relative to the data folder (issue #10 item 10) --------------------------


def test_paths_are_stored_relative_and_survive_moving_the_folder(tmp_path):
    old = tmp_path / "old"
    lib = Library(old)
    art = add(lib)[0]
    stored = lib.conn.execute("SELECT path FROM artifacts").fetchone()[0]
    assert not Path(stored).is_absolute() and stored.startswith("library/")
    lib.close()
    shutil.move(old, tmp_path / "new")
    lib = Library(tmp_path / "new")
    got = lib.get(art.id)
    assert got.path == str(tmp_path / "new" / stored) and Path(got.path).is_file()
    lib.close()


def test_migration_makes_old_absolute_paths_relative_even_after_a_move(tmp_path):
    lib = Library(tmp_path / "a")
    inside, moved, linked = add(lib, n=3)
    outside = str(tmp_path / "elsewhere.png")
    lib.conn.execute("UPDATE artifacts SET path = ? WHERE id = ?", (inside.path, inside.id))
    lib.conn.execute("UPDATE artifacts SET path = ? WHERE id = ?",
                     (str(Path("/gone/data") / Path(moved.path).relative_to(tmp_path / "a")),
                      moved.id))
    lib.conn.execute("UPDATE artifacts SET path = ?, linked = 1 WHERE id = ?",
                     (outside, linked.id))
    m003_relative_paths(lib.conn.raw)
    rows = dict(lib.conn.execute("SELECT id, path FROM artifacts").fetchall())
    assert rows[inside.id].startswith("library/") and rows[moved.id].startswith("library/")
    assert rows[linked.id] == outside and lib.get(linked.id).path == outside
    assert lib.get(moved.id).path == moved.path
    lib.close()


# -- the generate event of a save cut short (issue #10 item 10) ---------------------


def dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_rows_of_a_dead_process_get_their_event_once_with_the_original_time(tmp_path):
    events = []
    lib = Library(tmp_path, recorder=lambda kind, **f: events.append((kind, f)))
    arts = add(lib, n=2, job_id="job1")
    lib.conn.execute("UPDATE generate_pending SET pid = ?", (dead_pid(),))
    lib.close()
    assert events == []
    for _ in range(2):
        lib = Library(tmp_path, recorder=lambda kind, **f: events.append((kind, f)))
        lib.count()
        lib.close()
    assert len(events) == 1
    kind, fields = events[0]
    assert kind == "generate" and fields["job_id"] == "job1"
    assert fields["artifacts"] == [a.id for a in arts] and fields["ts"] == arts[0].created
    assert fields["prompt"] == "a red fox" and fields["modality"] == "image"


def test_recovery_does_not_record_an_event_the_history_already_has(tmp_path):
    events = []
    lib = Library(tmp_path)
    add(lib, job_id="job1")
    lib.conn.execute("UPDATE generate_pending SET pid = ?", (dead_pid(),))
    lib.close()
    lib = Library(tmp_path, recorder=lambda kind, **f: events.append(kind),
                  job_recorded=lambda job: job == "job1")
    lib.count()
    assert events == []
    assert lib.conn.execute("SELECT COUNT(*) FROM generate_pending").fetchone()[0] == 0
    lib.close()


def test_rows_of_a_live_save_or_an_unrecorded_job_are_left_alone(tmp_path):
    events = []
    lib = Library(tmp_path, recorder=lambda kind, **f: events.append(kind),
                  will_record=lambda job: job != "quiet")
    add(lib, job_id="live")
    add(lib, job_id="quiet")
    rows = lib.conn.execute("SELECT job_id FROM generate_pending").fetchall()
    assert rows == [("live",)]
    lib.close()
    lib = Library(tmp_path, recorder=lambda kind, **f: events.append(kind))
    lib.count()  # the pending row is this (live) process's own save
    assert events == []
    lib.mark_recorded(a.id for a in lib.list())
    assert lib.conn.execute("SELECT COUNT(*) FROM generate_pending").fetchone()[0] == 0
    lib.close()


def test_library_list_json_is_valid_after_repair(tmp_path, capsys, monkeypatch):
    from studio.cli.main import main

    data = tmp_path / "data"
    lib = Library(data)
    art = add(lib)[0]
    lib.close()
    (data / "library.sqlite").write_bytes(b"")
    assert main(["library", "list", "--json"]) == 2
    assert "studio library repair" in capsys.readouterr().err
    assert main(["library", "repair", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["seen"], report["rebuilt"], report["unreadable"]) == (1, 1, [])
    assert main(["library", "list", "--json"]) == 0
    assert [a["id"] for a in json.loads(capsys.readouterr().out)] == [art.id]
