"""The library through the real command line in child processes, killed or starved of
disk at named fault points (issue #10): what is left must be whole and counted once."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from studio.app.history import EventLog

REPO = Path(__file__).resolve().parents[1]
# The child sees the fake pack as an installed entry point, as the test process does.
CHILD = """
import importlib.metadata as md, sys
from studio.app import plugins
ep = md.EntryPoint(name="fake", value="tests.fakes.fake_pack", group="studio.plugins")
real = plugins._entry_points
plugins._entry_points = lambda: [ep, *[e for e in real() if e.name != "fake"]]
from studio.cli.main import main
sys.exit(main(sys.argv[1:]))
"""
GEN = ["generate", "image", "--generator", "fake.image", "--prompt", "a red fox",
       "--seed", "3", "--set", "steps=1"]


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "settings.json").write_text(json.dumps({"device": "cpu"}))
    return folder


def studio(data, *argv, fault=None):
    env = {k: v for k, v in os.environ.items() if k != "STUDIO_FAULT_POINT"}
    env.update(STUDIO_DATA_DIR=str(data), HF_HUB_OFFLINE="1", PYTHONPATH=str(REPO))
    if fault:
        env["STUDIO_FAULT_POINT"] = fault
    return subprocess.run([sys.executable, "-c", CHILD, *argv], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)


def generate_events(data):
    path = data / "history.sqlite"
    if not path.exists():
        return []
    log = EventLog(path)
    try:
        return [e for e in log.events(types=["generate"])]
    finally:
        log.close()


def index_rows(data):
    db = data / "library.sqlite"
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("SELECT id, created FROM artifacts").fetchall()
    finally:
        conn.close()


def files(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.mark.parametrize("point", ["library.after_index", "engine.before_record",
                                   "engine.after_record"])
def test_killed_around_the_generate_event_ends_with_one_event_per_artifact(data, point):
    killed = studio(data, *GEN, "--set", "batch_size=2", fault=point)
    assert killed.returncode == -9
    rows = index_rows(data)
    assert len(rows) == 2
    listed = studio(data, "library", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert sorted(a["id"] for a in json.loads(listed.stdout)) == sorted(r[0] for r in rows)
    studio(data, "library", "list")  # a second open adds nothing
    events = generate_events(data)
    assert len(events) == 1
    assert sorted(events[0].payload["artifacts"]) == sorted(r[0] for r in rows)
    assert events[0].ts == pytest.approx(rows[0][1])
    assert events[0].payload["prompt"] == "a red fox"


@pytest.mark.parametrize("fault", ["write_atomic.before_rename:enospc",
                                   "library.after_file:enospc",
                                   "library.after_thumbnail:enospc#2",
                                   "library.after_index:enospc"])
def test_full_disk_while_saving_is_one_line_and_leaves_nothing(data, fault):
    proc = studio(data, *GEN, "--set", "batch_size=2", fault=fault)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith("studio: no space left on device while saving ")
    assert "Traceback" not in proc.stderr
    assert files(data / "library") == [] and files(data / "thumbs") == []
    assert index_rows(data) == [] and generate_events(data) == []


def test_out_that_is_a_file_is_refused_before_the_job(data, tmp_path):
    (tmp_path / "afile").write_text("x")
    for out in (tmp_path / "afile", tmp_path / "afile" / "sub"):
        proc = studio(data, *GEN, "--out", str(out))
        assert proc.returncode == 2
        assert proc.stderr.count("\n") == 1 and "--out" in proc.stderr
        assert "not a folder" in proc.stderr
    assert files(data / "library") == [] and not (data / "library.sqlite").exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="permission bits do not bind root")
def test_read_only_out_is_refused_before_the_job(data, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o555)
    proc = studio(data, *GEN, "--out", str(ro / "new"))
    assert proc.returncode == 2 and "is not writable" in proc.stderr
    assert files(data / "library") == []


def test_full_disk_while_copying_to_out_leaves_no_partial_file(data, tmp_path):
    out = tmp_path / "out"
    proc = studio(data, *GEN, "--out", str(out), fault="generate.out.before_rename:enospc")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith(
        "studio: no space left on device while copying the results to --out")
    assert "Traceback" not in proc.stderr
    assert files(out) == []  # neither the final name nor its temp file
    assert len(index_rows(data)) == 1  # the result itself is safe in the library


def test_damaged_library_refuses_generate_before_the_job_and_repair_restores_it(data):
    made = studio(data, *GEN, "--json")
    assert made.returncode == 0, made.stderr
    art = json.loads(made.stdout)["artifacts"][0]
    db = data / "library.sqlite"
    conn = sqlite3.connect(db)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'artifacts'"
                        ).fetchone()[0]
    conn.close()
    with db.open("r+b") as f:
        f.seek((page - 1) * size)
        f.write(b"\xa5" * size)
    before = files(data / "library")
    for argv in (GEN, ["library", "list"], ["library", "show", art["id"]]):
        proc = studio(data, *argv)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.count("\n") == 1 and "studio library repair" in proc.stderr
    assert files(data / "library") == before  # generate wrote no file
    assert len(list(data.glob("library.sqlite.broken-*"))) == 1
    fixed = studio(data, "library", "repair")
    assert fixed.returncode == 0, fixed.stderr
    assert "1 file(s) seen, 1 rebuilt" in fixed.stdout and "0 unreadable" in fixed.stdout
    shown = studio(data, "library", "show", art["id"])
    assert shown.returncode == 0 and json.loads(shown.stdout)["prompt"] == "a red fox"
    assert studio(data, *GEN).returncode == 0


def test_moving_the_data_folder_keeps_artifact_references(data, tmp_path):
    made = studio(data, *GEN, "--json")
    art = json.loads(made.stdout)["artifacts"][0]
    moved = tmp_path / "moved"
    shutil.move(data, moved)
    shown = studio(moved, "library", "show", art["id"])
    assert shown.returncode == 0
    path = Path(json.loads(shown.stdout)["path"])
    assert path.is_file() and moved in path.parents
    again = studio(moved, *GEN, "--input", f"artifact:{art['id']}", "--json")
    assert again.returncode == 0, again.stderr
    child = json.loads(again.stdout)["artifacts"][0]
    assert child["parent"] == art["id"] and child["task"] == "img2img"
