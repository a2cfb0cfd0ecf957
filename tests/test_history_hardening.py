"""The history and the profile under crashes, concurrent forgets, bad times, damage and
read-only folders (issue #10, items 1, 2, 5, 6, 9)."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from studio.app.history import EventLog
from studio.app.history.eventlog import HistoryDamaged, HistoryUnwritable
from studio.app.history.events import EventError
from studio.app.history.importer import ImportFailed, import_history
from studio.app.studio import Studio
from studio.cli.main import main

T0 = 1_750_000_000
SECRET = "quokka tapestry zeppelin"
REPO = Path(__file__).resolve().parents[1]


def write_jsonl(path, n, prefix="g"):
    rows = []
    for i in range(n):
        if i % 2 == 0:
            rows.append({"ts": T0 + i, "type": "generate", "id": f"{prefix}{i}",
                         "modality": "image", "prompt": f"a fox {i}, ink", "params": {}})
        else:
            rows.append({"ts": T0 + i, "type": "keep", "target": f"{prefix}{i - 1}"})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def cli(args, data, fault=None):
    """``python -m studio.cli.main ARGS`` in a child process on data folder ``data``."""
    env = {**os.environ, "STUDIO_DATA_DIR": str(data), "QT_QPA_PLATFORM": "offscreen",
           "HF_HUB_OFFLINE": "1"}
    env.pop("STUDIO_FAULT_POINT", None)
    if fault:
        env["STUDIO_FAULT_POINT"] = fault
    return subprocess.run([sys.executable, "-m", "studio.cli.main", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)


def db_state(data):
    conn = sqlite3.connect(data / "history.sqlite")
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        n = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        markers = conn.execute("SELECT COUNT(*) FROM meta WHERE key LIKE 'import:%'").fetchone()[0]
    finally:
        conn.close()
    return ok, n, markers


def raw_bytes_of(folder):
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def broken_copies(data):
    return sorted(p.name for p in data.glob("history.sqlite.broken*"))


# -- 1. an import killed half-way is never counted twice -----------------------------------


def test_import_killed_after_its_commit_is_refused_when_run_again(tmp_path):
    data, n = tmp_path / "data", 3000
    src = write_jsonl(tmp_path / "h.jsonl", n)
    run = cli(["profile", "import", "--history", str(src)], data,
              fault="history.import.after_events:kill")
    assert run.returncode == -9, run.stderr  # killed at the point, after the commit
    again = cli(["profile", "import", "--history", str(src)], data)
    assert again.returncode == 2 and "already imported" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert db_state(data) == ("ok", n, 1)  # counted once


def test_import_killed_inside_its_transaction_leaves_nothing_and_reruns(tmp_path):
    data, n = tmp_path / "data", 500
    src = write_jsonl(tmp_path / "h.jsonl", n)
    for point in ("history.batch.after_events", "history.batch.before_commit"):
        run = cli(["profile", "import", "--history", str(src)], data, fault=f"{point}:kill")
        assert run.returncode == -9, run.stderr
        assert db_state(data) == ("ok", 0, 0)  # neither events nor marker
    assert cli(["profile", "import", "--history", str(src)], data).returncode == 0
    assert cli(["profile", "import", "--history", str(src)], data).returncode == 2
    assert db_state(data) == ("ok", n, 1)


def test_the_marker_commits_with_the_events(tmp_path):
    lg = EventLog(tmp_path / "h.sqlite")
    lg.append_many([{"type": "keep", "target": "a", "ts": T0}], meta={"import:x": "today"})
    assert lg.get_meta("import:x") == "today" and lg.count() == 1
    with pytest.raises(EventError):
        lg.append_many([{"type": "keep", "target": "a", "ts": T0},
                        {"type": "keep", "ts": T0}], meta={"import:y": "today"})
    assert lg.get_meta("import:y") is None and lg.count() == 1
    lg.close()


# -- 2. a forget by another process is not undone by a long-lived Studio ---------------------


def _window_with_secret(data):
    window = Studio(root=data)
    window.record("generate", modality="image", prompt=f"a {SECRET}, gouache",
                  params={"steps": 20}, artifacts=["w1"])
    window.record("favourite", target="w1")
    window.record("generate", modality="image", prompt="a barn owl, ink",
                  params={"steps": 20}, artifacts=["w2"])
    window.suggestions.suggest(k=10)
    assert window.profile.n_events == 3
    return window


@pytest.mark.parametrize("how", [["--yes"], ["--term", "tapestry"]])
def test_a_forget_by_another_process_is_followed_by_the_window(tmp_path, how):
    data = tmp_path / "data"
    window = _window_with_secret(data)
    window.suggestions.close()  # the window's periodic save: the snapshot holds the secret
    del window.__dict__["suggestions"]
    window.suggestions.suggest(k=3)
    assert SECRET.encode() in raw_bytes_of(data)

    other = Studio(root=data)  # `studio profile forget` in another process
    if how == ["--yes"]:
        other.history.erase()
    else:
        assert other.history.forget_term("tapestry") == 2
    other.close()

    window.record("generate", modality="image", prompt="a lighthouse at dusk",
                  params={}, artifacts=["w3"])
    assert not any("quokka" in s.text for s in window.suggestions.suggest(k=10))
    window.close()

    assert SECRET.encode() not in raw_bytes_of(data)
    assert b"tapestry" not in raw_bytes_of(data)
    lg = EventLog(data / "history.sqlite")
    prompts = [e.get("prompt") for e in lg.events()]
    lg.close()
    assert "a lighthouse at dusk" in prompts  # the later action reached the current log
    assert not any(p and "quokka" in p for p in prompts)


def test_a_window_that_only_closes_after_a_forget_writes_nothing_back(tmp_path):
    data = tmp_path / "data"
    window = _window_with_secret(data)
    assert main(["profile", "forget", "--yes"]) == 0  # same data folder (conftest)
    window.close()
    assert SECRET.encode() not in raw_bytes_of(data)
    lg = EventLog(data / "history.sqlite")
    state = lg.load_state(1)
    assert lg.count() == 0 and (state is None or state[1]["n_events"] == 0)
    lg.close()


def test_an_erase_cut_short_leaves_a_usable_empty_log(tmp_path):
    data = tmp_path / "data"
    window = Studio(root=data)
    window.record("keep", target=SECRET)
    run = cli(["profile", "forget", "--yes"], data, fault="history.erase.after_delete:kill")
    assert run.returncode == -9
    import studio.app.history.eventlog as eventlog

    old_wait, eventlog.REPLACE_WAIT_S = eventlog.REPLACE_WAIT_S, 0.2
    try:
        window.record("keep", target="after")
    finally:
        eventlog.REPLACE_WAIT_S = old_wait
    window.close()
    lg = EventLog(data / "history.sqlite")
    assert [e.get("target") for e in lg.events()] == ["after"]
    lg.close()


# -- 5. times: refused on the way in, survived on the way out --------------------------------


@pytest.mark.parametrize("ts", ["1e20", "-1e20", "NaN", "Infinity", "-Infinity", "-1",
                                '"10000-01-01"', '"0001-01-01T00:00:00"', '"1e400"',
                                "1" + "0" * 400, "true", '"soon"'])
def test_impossible_times_are_bad_lines(tmp_path, ts):
    src = tmp_path / "h.jsonl"
    good = json.dumps({"ts": T0, "type": "keep", "target": "a"})
    src.write_text(f'{good}\n{{"ts": {ts}, "type": "keep", "target": "b"}}\n')
    lg = EventLog(tmp_path / "h.sqlite")
    with pytest.raises(ImportFailed) as info:
        import_history(lg, src)
    assert "line 2: " in str(info.value) and "\n" not in str(info.value)
    assert lg.count() == 0
    lg.close()


@pytest.mark.parametrize("ts", [1e20, -1e20, float("inf"), -1.0, 10**400])
def test_the_log_refuses_impossible_times(tmp_path, ts):
    lg = EventLog(tmp_path / "h.sqlite")
    with pytest.raises(EventError, match="ts="):
        lg.append("keep", target="a", ts=ts)
    lg.close()


def test_times_stored_by_an_older_build_do_not_break_show_or_export(tmp_path, capsys):
    data = tmp_path / "data"
    lg = EventLog(data / "history.sqlite")
    lg.append_many([{"type": "generate", "ts": T0, "modality": "image", "prompt": "a kite",
                     "params": {}, "artifacts": ["k1"]},
                    {"type": "keep", "ts": T0 + 1, "target": "k1"}])
    # What an older build let through: written straight into the table.
    for bad in (1e20, -1e20, float("inf"), float("-inf")):
        lg.conn.execute("INSERT INTO events (ts, type, session, payload) VALUES (?, ?, ?, ?)",
                        (bad, "keep", "old", json.dumps({"target": "k1"})))
    lg.close()
    assert main(["profile", "show", "--no-embed"]) == 0
    assert "Learned from 6 actions" in capsys.readouterr().out
    out = tmp_path / "export.json"
    assert main(["profile", "export", "--out", str(out)]) == 0
    exported = json.loads(out.read_text())
    assert len(exported["events"]) == 6
    assert all(0 <= e["ts"] <= 253_402_300_799 for e in exported["events"])
    assert main(["profile", "show", "--json", "--no-embed"]) == 0


# -- 6. damage is reported and copied once, never reset ---------------------------------


def test_a_damaged_history_is_copied_once_however_often_it_is_opened(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "history.sqlite").write_bytes(b"this is not a database, " * 4000)
    for _ in range(5):
        run = cli(["profile", "show", "--no-embed"], data)
        assert run.returncode == 2
        assert "damaged" in run.stderr and "profile repair" in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1
    assert len(broken_copies(data)) == 1
    assert (data / "history.sqlite").read_bytes().startswith(b"this is not a database")
    assert sorted(p.name for p in data.iterdir() if p.name.startswith("history")) == [
        "history.sqlite", broken_copies(data)[0], "history.sqlite.damage.json"]


def test_a_changed_damaged_file_is_copied_again(tmp_path):
    path = tmp_path / "history.sqlite"
    path.write_bytes(b"garbage " * 1000)
    for _ in range(2):
        with pytest.raises(HistoryDamaged):
            EventLog(path)
    path.write_bytes(b"other garbage " * 1000)
    with pytest.raises(HistoryDamaged, match="A copy was saved"):
        EventLog(path)
    assert len(broken_copies(tmp_path)) == 2


def test_a_zero_byte_history_is_damage_not_a_fresh_start(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "history.sqlite").write_bytes(b"")
    for _ in range(3):
        run = cli(["profile", "show", "--no-embed"], data)
        assert run.returncode == 2 and "empty (0 bytes)" in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1
    assert (data / "history.sqlite").stat().st_size == 0  # not silently re-created
    assert len(broken_copies(data)) == 1


def test_repair_starts_a_new_history_with_what_can_be_read(tmp_path, capsys):
    data = tmp_path / "data"
    lg = EventLog(data / "history.sqlite")
    lg.append_many([{"type": "keep", "ts": T0 + i, "target": f"a{i:04d}" + "x" * 200}
                    for i in range(3000)])
    lg.close()
    raw = bytearray((data / "history.sqlite").read_bytes())
    assert len(raw) > 100 * 4096
    raw[60 * 4096:61 * 4096] = b"\xa5" * 4096  # one page in the middle of the events
    (data / "history.sqlite").write_bytes(bytes(raw))
    assert main(["profile", "show", "--no-embed"]) == 2
    assert "damaged" in capsys.readouterr().err
    assert main(["profile", "repair"]) == 0
    out = capsys.readouterr().out
    kept = int(out.split("with the ")[1].split()[0])
    assert 0 < kept < 3000 and "new history" in out
    lg = EventLog(data / "history.sqlite")
    assert lg.count() == kept and lg.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    lg.close()
    assert main(["profile", "show", "--no-embed"]) == 0
    assert len(broken_copies(data)) == 1
    assert main(["profile", "repair"]) == 2  # nothing to repair now
    assert "not damaged" in capsys.readouterr().err


# -- 9. one line, never a traceback ----------------------------------------------------------


def test_deeply_nested_json_is_a_bad_line(tmp_path):
    data = tmp_path / "data"
    src = tmp_path / "h.jsonl"
    good = json.dumps({"ts": T0, "type": "keep", "target": "a"})
    src.write_text(good + "\n" + "[" * 100_000 + "]" * 100_000 + "\n"
                   + '{"ts": 1, "type": "keep", "target": "a", "deep": '
                   + "[" * 5000 + "]" * 5000 + "}\n")
    run = cli(["profile", "import", "--history", str(src)], data)
    assert run.returncode == 2, run.stderr
    assert "line 2: nested too deeply" in run.stderr and "line 3:" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert "Traceback" not in run.stderr


def _read_only_connect(path, what="database"):
    # Simulates a read-only data folder or file: the tests run as root, whom file
    # permissions do not stop, so SQLite is asked to open the file read-only instead.
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None,
                           check_same_thread=False)


def test_a_read_only_history_is_reported_as_such_and_nothing_is_copied(tmp_path, monkeypatch,
                                                                       capsys):
    import studio.app.history.eventlog as eventlog

    data = tmp_path / "data"
    lg = EventLog(data / "history.sqlite")
    lg.append("keep", target="a", ts=T0)
    lg.close()
    before = sorted(p.name for p in data.iterdir())
    monkeypatch.setattr(eventlog, "connect", _read_only_connect)
    src = write_jsonl(tmp_path / "h.jsonl", 4)
    assert main(["profile", "import", "--history", str(src)]) == 2
    err = capsys.readouterr().err
    assert "read-only (not writable)" in err and str(data) in err
    assert "damaged" not in err and len(err.strip().splitlines()) == 1
    # Nothing copied or renamed (SQLite's own -wal/-shm files aside).
    assert sorted(p.name for p in data.iterdir() if not p.name.endswith(("-wal", "-shm"))) \
        == before


def test_a_folder_sqlite_cannot_open_is_not_damage(tmp_path, monkeypatch):
    import studio.app.history.eventlog as eventlog

    def cannot_open(path, what="database"):
        # What SQLite raises when the folder refuses its WAL files (chmod 500 for a
        # user that is not root).
        return sqlite3.connect(f"file:{tmp_path}/no-such-dir/x.sqlite?mode=rw", uri=True)

    lg = EventLog(tmp_path / "history.sqlite")
    lg.close()
    monkeypatch.setattr(eventlog, "connect", cannot_open)
    with pytest.raises(HistoryUnwritable, match="read-only"):
        EventLog(tmp_path / "history.sqlite")
    assert not broken_copies(tmp_path)


def test_a_window_without_the_passphrase_writes_nothing_in_clear_after_encrypt(tmp_path):
    data = tmp_path / "data"
    window = _window_with_secret(data)
    run = cli(["profile", "encrypt", "--passphrase", "correct horse"], data)
    assert run.returncode == 0, run.stderr
    window.record("generate", modality="image", prompt="a tugboat in fog", params={},
                  artifacts=["w9"])  # refused (logged), not written in clear
    window.close()
    raw = raw_bytes_of(data)
    assert b"tugboat" not in raw and SECRET.encode() not in raw
    lg = EventLog(data / "history.sqlite", passphrase="correct horse")
    assert lg.count() == 3 and lg.encrypted
    lg.close()


def test_processes_creating_the_history_at_once_do_not_see_damage(tmp_path):
    # A forget re-creates the file while other processes may open it: each must find
    # the schema made once, not "table events already exists" taken for damage.
    import threading

    errors, logs = [], []
    for attempt in range(10):
        path = tmp_path / f"h{attempt}.sqlite"
        barrier = threading.Barrier(6)

        def open_it(path=path, barrier=barrier):
            barrier.wait()
            try:
                logs.append(EventLog(path))
            except Exception as exc:  # collected for the assertion
                errors.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for lg in logs:
        lg.close()
    assert errors == []
    assert not list(tmp_path.glob("*.broken-*"))


def test_forget_an_empty_item_is_bad_input_not_a_crash(capsys):
    # Found by tests/test_history_fuzz.py: "" fell through to forget_term(None).
    assert main(["profile", "forget", "--item="]) == 2
    err = capsys.readouterr().err
    assert "--item needs" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [["profile", "forget", "--term", "fox"],
                                  ["profile", "forget", "--yes"],
                                  ["profile", "show", "--no-embed"]])
def test_read_only_history_commands_say_so_in_one_line(tmp_path, monkeypatch, capsys, args):
    import studio.app.history.eventlog as eventlog

    data = tmp_path / "data"
    lg = EventLog(data / "history.sqlite")
    lg.append("generate", modality="image", prompt="a fox, ink", params={}, ts=T0)
    lg.close()
    monkeypatch.setattr(eventlog, "connect", _read_only_connect)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "read-only (not writable)" in err and len(err.strip().splitlines()) == 1
    assert not broken_copies(data)
    monkeypatch.undo()
    lg = EventLog(data / "history.sqlite")
    assert lg.count() == 1  # nothing was erased
    lg.close()
