"""The data folder is private whatever the umask: folders 700, files 600 (issue #10)."""

import json
import os
import sqlite3
import stat

import pytest

from studio.app.migrations import connect
from studio.app.paths import data_dir, open_data_dir, private_dir
from studio.app.settings import write_atomic
from studio.app.studio import Studio
from studio.cli.main import main

T0 = 1_750_000_000


@pytest.fixture
def open_umask():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def too_open(root):
    """Every folder or file under ``root`` readable by group or others, with its mode."""
    found = []
    for folder, dirs, files in os.walk(root):
        for name in [".", *dirs, *files]:
            path = os.path.join(folder, name)
            mode = stat.S_IMODE(os.lstat(path).st_mode)
            want = 0o700 if os.path.isdir(path) else 0o600
            if mode != want:
                found.append(f"{os.path.relpath(path, root)} {oct(mode)}")
    return sorted(set(found))


def history_file(tmp_path):
    rows = []
    for i in range(6):
        rows.append({"ts": T0 + i * 60, "type": "generate", "id": f"g{i}", "modality": "image",
                     "prompt": f"a heron {i}, watercolor", "params": {"steps": 20}})
        rows.append({"ts": T0 + i * 60 + 5, "type": "favourite", "target": f"g{i}"})
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_cli_commands_leave_only_private_files(open_umask, capsys, fake_entry_points, tmp_path):
    root = tmp_path / "data"
    assert main(["settings", "set", "half_life_days", "10"]) == 0
    assert main(["generate", "image", "--generator", "fake.image", "--prompt", "a fox",
                 "--json"]) == 0
    assert main(["generate", "text", "--generator", "fake.text", "--prompt", "a poem"]) == 0
    assert main(["profile", "import", "--history", str(history_file(tmp_path))]) == 0
    assert main(["suggest", "--modality", "image", "--json"]) == 0
    assert main(["library", "list"]) == 0
    names = {p.name for p in root.rglob("*")}
    # The walk below must have seen the files the issue names.
    assert {"history.sqlite", "library.sqlite", "settings.json", "suggest_weights.json",
            "library", "thumbs"} <= names, names
    assert any(n.endswith(".png") for n in names)
    assert too_open(root) == []


def test_sqlite_sidecars_take_the_database_files_mode(open_umask, tmp_path):
    # SQLite gives -wal and -shm the mode of the database file, not the umask's.
    path = tmp_path / "d" / "x.sqlite"
    private_dir(path.parent)
    conn = connect(str(path))
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    sidecars = [p for p in path.parent.iterdir() if p.name.endswith(("-wal", "-shm"))]
    assert len(sidecars) == 2
    assert too_open(path.parent) == []
    conn.close()


def test_write_atomic_makes_private_files_and_folders(open_umask, tmp_path):
    target = tmp_path / "a" / "b" / "c.bin"
    write_atomic(target, b"x")
    assert too_open(tmp_path / "a") == []


def test_an_older_install_is_tightened_on_open(open_umask, tmp_path):
    root = tmp_path / "old"
    (root / "library" / "2025" / "01").mkdir(parents=True)
    (root / "library" / "2025" / "01" / "a.png").write_bytes(b"png")
    (root / "thumbs").mkdir()
    # A batch journal and a personal LoRA are the user's data too.
    (root / "batches").mkdir()
    (root / "batches" / "abc.jsonl").write_text("{}\n")
    (root / "models" / "loras").mkdir(parents=True)
    (root / "models" / "loras" / "mine.safetensors").write_bytes(b"lora")
    for name in ("settings.json", "suggest_weights.json", "window.ini"):
        (root / name).write_text("{}")
    db = sqlite3.connect(root / "history.sqlite")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (x)")
    db.close()
    for p in [root, *root.rglob("*")]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    assert too_open(root)  # the set-up: everything readable by others
    Studio(root=root).close()
    assert too_open(root) == []


def test_a_foreign_folder_is_not_walked(open_umask, tmp_path, monkeypatch):
    # STUDIO_DATA_DIR pointed at a folder holding the user's other files: those
    # keep their modes (only Studio's own entries would be tightened).
    root = tmp_path / "shared"
    root.mkdir(mode=0o755)
    os.chmod(root, 0o755)
    (root / "notes.txt").write_text("mine")
    os.chmod(root / "notes.txt", 0o644)
    monkeypatch.setenv("STUDIO_DATA_DIR", str(root))
    assert data_dir() == root
    assert stat.S_IMODE(os.stat(root / "notes.txt").st_mode) == 0o644
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o755


def test_data_folder_that_is_a_file_is_one_line(capsys, tmp_path, monkeypatch):
    bad = tmp_path / "file"
    bad.write_text("x")
    monkeypatch.setenv("STUDIO_DATA_DIR", str(bad))
    assert main(["settings", "show"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("studio: the data folder") and "\n" not in err
    with pytest.raises(Exception, match="data folder"):
        open_data_dir(bad)
