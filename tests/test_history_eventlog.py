import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from studio.api import StudioError
from studio.app.history import EVENT_TYPES, Event, EventError, EventLog, HistoryDamaged
from studio.app.history.crypto import WrongPassphrase
from studio.app.migrations import NewerDatabase


@pytest.fixture
def log(tmp_path):
    lg = EventLog(tmp_path / "history.sqlite", session="s1")
    yield lg
    lg.close()


def gen(prompt="a fox, watercolor", art="a1", **kw):
    return {"type": "generate", "modality": "image", "prompt": prompt,
            "params": {"steps": 20}, "artifacts": [art], **kw}


def test_append_returns_the_stored_event_in_flat_form(log):
    ev = log.append("generate", modality="image", task="txt2img", prompt="a fox",
                    params={"steps": 4}, model="m", seed=3, artifacts=["x1"], project="p9")
    assert isinstance(ev, Event) and ev.id == 1 and ev.session == "s1"
    flat = ev.to_dict()
    assert flat["prompt"] == "a fox" and flat["artifacts"] == ["x1"] and flat["project"] == "p9"
    assert {"id", "ts", "type", "session", "project", "params", "seed"} <= set(flat)
    assert [e.to_dict() for e in log.events()] == [flat]
    assert log.count() == 1


@pytest.mark.parametrize(("etype", "fields", "message"), [
    ("teleport", {}, "unknown event type 'teleport'"),
    ("rate", {"target": "a", "value": 7}, "from 1 to 5"),
    ("rate", {"target": "a", "value": True}, "from 1 to 5"),
    ("keep", {}, "keep event needs target"),
    ("generate", {"modality": "image", "artifacts": "a1"}, "list of artifact ids"),
    ("generate", {"modality": "image", "id": "g1"}, "store an external id as 'ref'"),
    ("edit", {"changed_ratio": 1.5}, "from 0 to 1"),
    ("export", {"blob": object()}, "cannot be stored"),
])
def test_bad_events_are_refused_with_a_clear_error(log, etype, fields, message):
    with pytest.raises(EventError, match=message):
        log.append(etype, **fields)
    assert log.count() == 0


def test_every_documented_type_is_accepted(log):
    required = {"rate": {"target": "a", "value": 4}, "style_apply": {"style": "ukiyo-e"},
                "generate": {"modality": "text"}}
    for etype in EVENT_TYPES:
        log.append(etype, **required.get(etype, {"target": "a"}))
    assert [e.type for e in log.events()] == list(EVENT_TYPES)


def test_edit_records_sizes_and_clips_the_text(log):
    ev = log.append("edit", target="t1", chars_before=100, chars_after=140,
                    changed_ratio=0.3, text="x" * 5000)
    assert ev.get("chars_after") == 140 and len(ev.get("text")) == 2000


def test_append_many_is_one_transaction(log):
    stored = log.append_many([gen(art="a1"), {"type": "keep", "target": "a1"}])
    assert [e.id for e in stored] == [1, 2]
    with pytest.raises(EventError):
        log.append_many([gen(art="a2"), {"type": "rate", "target": "a2", "value": 9}])
    assert log.count() == 2  # the good half of the bad batch was not stored


def test_events_since_and_types(log):
    log.append_many([gen(art=f"a{i}") for i in range(5)] + [{"type": "keep", "target": "a1"}])
    assert [e.id for e in log.events(since_id=3)] == [4, 5, 6]
    assert [e.type for e in log.events(types=["keep"])] == ["keep"]
    assert log.count(types=["generate"]) == 5


def test_events_reads_past_one_chunk(log):
    log.append_many([{"type": "keep", "target": f"a{i}"} for i in range(4500)])
    ids = [e.id for e in log.events()]
    assert ids == list(range(1, 4501))


def test_subscribers_see_each_event_and_can_be_disposed(log):
    seen = []
    dispose = log.subscribe(lambda e: seen.append(e.type))
    log.append("keep", target="a")
    log.append_many([{"type": "delete", "target": "a"}, {"type": "restore", "target": "a"}])
    dispose()
    log.append("keep", target="b")
    assert seen == ["keep", "delete", "restore"]


def test_a_broken_subscriber_does_not_lose_the_event(log):
    log.subscribe(lambda e: 1 / 0)
    log.append("keep", target="a")
    assert log.count() == 1


def test_ids_are_never_reused_after_forgetting(log):
    log.append_many([gen(art="a1"), gen(prompt="an owl", art="a2")])
    assert log.forget_item("a2") == 1
    assert log.append("keep", target="a1").id == 3


def test_a_newer_database_is_refused_and_backed_up(tmp_path):
    path = tmp_path / "history.sqlite"
    lg = EventLog(path)
    lg.append("keep", target="a")
    lg.conn.execute("INSERT INTO _studio_migrations VALUES ('m999_future', 0)")
    lg.close()
    before = path.read_bytes()
    with pytest.raises(NewerDatabase, match=r"newer version.*m999_future.*copy was saved"):
        EventLog(path)
    backups = list(tmp_path.glob("history.sqlite.broken-*"))
    assert len(backups) == 1
    conn = sqlite3.connect(backups[0])
    assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 1
    conn.close()
    assert path.read_bytes() == before  # never reset


def test_a_corrupted_database_is_backed_up_and_reported(tmp_path):
    path = tmp_path / "history.sqlite"
    lg = EventLog(path)
    lg.append_many([gen(art=f"a{i}") for i in range(200)])
    lg.close()
    data = bytearray(path.read_bytes())
    data[0:16] = b"this is garbage!"  # the SQLite header
    path.write_bytes(bytes(data))
    with pytest.raises(HistoryDamaged, match=r"damaged.*copy was saved.*Nothing was changed"):
        EventLog(path)
    backups = list(tmp_path.glob("history.sqlite.broken-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == bytes(data)
    assert path.read_bytes() == bytes(data)


def test_damaged_pages_are_detected(tmp_path):
    path = tmp_path / "history.sqlite"
    lg = EventLog(path)
    lg.append_many([gen(prompt="p" * 300, art=f"a{i}") for i in range(300)])
    lg.close()
    data = bytearray(path.read_bytes())
    page = 4096
    for off in range(2 * page, len(data) - page, page):
        data[off:off + 64] = b"\xff" * 64  # smash every page header but the first
    path.write_bytes(bytes(data))
    with pytest.raises(HistoryDamaged):
        EventLog(path)
    assert list(tmp_path.glob("history.sqlite.broken-*"))


CHILD = textwrap.dedent("""
    import sys
    from studio.app.history import EventLog
    log = EventLog(sys.argv[1])
    i = 0
    while True:
        i += 1
        ev = log.append("generate", modality="image", prompt=f"prompt {i}", artifacts=[f"a{i}"])
        print(ev.id, flush=True)
""")


def test_a_crash_mid_stream_loses_at_most_the_event_being_written(tmp_path):
    path = tmp_path / "history.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE,
                            text=True, cwd=os.getcwd())
    acknowledged = 0
    for line in proc.stdout:
        acknowledged = int(line)
        if acknowledged >= 300:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    lg = EventLog(path)  # quick_check runs on open: a torn database would raise here
    ids = [e.id for e in lg.events()]
    assert len(ids) >= acknowledged
    assert ids == list(range(1, len(ids) + 1))  # no holes: nothing acknowledged was lost
    assert lg.append("keep", target="a1").id == len(ids) + 1
    lg.close()


def test_encrypted_payloads_are_not_readable_on_disk(tmp_path):
    path = tmp_path / "history.sqlite"
    lg = EventLog(path, passphrase="correct horse")
    lg.append_many([gen(prompt="a zanzibarian aardvark, gouache", art="a1")])
    assert lg.encrypted
    lg.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"zanzibarian" not in raw and b"gouache" not in raw
    lg = EventLog(path, passphrase="correct horse")
    assert next(lg.events()).get("prompt") == "a zanzibarian aardvark, gouache"
    lg.close()
    with pytest.raises(WrongPassphrase):
        EventLog(path, passphrase="wrong")
    with pytest.raises(StudioError, match="encrypted: set STUDIO_PASSPHRASE"):
        EventLog(path)


def test_encrypting_an_existing_history_in_place(tmp_path):
    path = tmp_path / "history.sqlite"
    lg = EventLog(path)
    lg.append_many([gen(prompt="a quokkaesque vista", art="a1")])
    with pytest.raises(StudioError, match="studio profile encrypt"):
        EventLog(path, passphrase="pw")
    assert lg.encrypt("pw") == 1
    lg.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"quokkaesque" not in raw
    lg = EventLog(path, passphrase="pw")
    assert next(lg.events()).get("prompt") == "a quokkaesque vista"
    lg.close()


def test_paths_in_parameters_are_stored_as_text(log, tmp_path):
    ev = log.append("generate", modality="image", params={"init_image": tmp_path / "in.png"})
    assert ev.get("params") == {"init_image": str(tmp_path / "in.png")}
    assert next(log.events()).get("params") == ev.get("params")
