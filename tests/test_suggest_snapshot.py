"""The suggestion snapshot: a start loads it and catches up, and gets what a rebuild gets."""

import json
import logging

import pytest

from bench.history_gen import SETTINGS, generate
from studio.app.history import EventLog
from studio.app.studio import Studio
from studio.app.suggest import Suggester, snapshot
from studio.app.suggest.service import HistoryFeed
from studio.cli.main import main

CONTEXTS = [
    {},
    {"modality": "image", "k": 8},
    {"modality": "image", "prompt": "a lighthouse, watercolor, fog", "k": 8},
    {"modality": "text", "document": "The rain had stopped. She looked at the sea. " * 5},
    {"modality": "music", "k": 4},
    {"kinds": ["params", "negative"], "k": 4},
]


def history(gens=260, seed=3):
    """A generated history, as the live log stores it, with recorded feedback mixed in."""
    events = []
    for i, ev in enumerate(generate(SETTINGS["iterative"], 1, gens, seed=seed)):
        out = {k: v for k, v in ev.items() if k not in ("id", "user")}
        if ev["type"] == "generate":
            out["ref"] = ev["id"]
        events.append(out)
        if i % 40 == 7:  # an accept made in another window: it carries its features
            events.append({"type": "suggestion_apply", "ts": ev["ts"] + 0.1, "target": f"x{i}",
                           "prompt": ev.get("prompt") or "a fox",
                           "params": {"features": {"src_add": 1.0, "novel": 1.0,
                                                   "log_mass": -2.0}}})
    return events


def listing(sug, ctx):
    return [(s.id, s.kind, s.text, s.source, s.score) for s in sug.suggest(dict(ctx))]


def seed_log(root, events):
    lg = EventLog(root / "history.sqlite")
    stored = lg.append_many(events)
    lg.close()
    return stored


@pytest.fixture
def rebuilds(monkeypatch):
    """Counts the full replays ``HistoryFeed`` falls back to."""
    calls = []
    real = HistoryFeed._rebuild

    def spy(self, *args, **kwargs):
        calls.append(args)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(HistoryFeed, "_rebuild", spy)
    return calls


def test_snapshot_then_catch_up_equals_a_full_rebuild(tmp_path):
    events = [{**e, "id": i + 1} for i, e in enumerate(history())]
    cut = len(events) * 2 // 3
    first = Suggester()
    first.rebuild(events[:cut])
    path = tmp_path / snapshot.SNAPSHOT_FILE
    snapshot.write(path, snapshot.Snapshot(cut, cut, (1, events[0]["ts"]), "fp",
                                           first.export_state()))

    loaded = Suggester()
    snap = snapshot.read(path)
    loaded.import_state(snap.suggester)
    for ev in events[cut:]:
        loaded.observe(ev)
    full = Suggester()
    full.rebuild(events)

    # Recorded feedback before and after the cut: the catch-up taught the ranker too.
    assert 0 < first.ranker.updates < full.ranker.updates
    assert json.dumps(loaded.export_state()) == json.dumps(full.export_state())
    for ctx in CONTEXTS:
        assert listing(loaded, ctx) == listing(full, ctx), ctx


def test_studio_opens_from_the_snapshot_and_matches_a_rebuild(tmp_path, rebuilds):
    root = tmp_path / "data"
    events = history()
    cut = len(events) - 30
    seed_log(root, events[:cut])
    studio = Studio(root=root)
    studio.suggestions  # noqa: B018 - no snapshot yet: a rebuild, saved at once
    assert len(rebuilds) == 1 and (root / snapshot.SNAPSHOT_FILE).exists()
    studio.close()
    seed_log(root, events[cut:])  # newer events the snapshot does not cover

    studio = Studio(root=root)
    sug = studio.suggestions
    assert len(rebuilds) == 1  # loaded and caught up, not replayed
    assert sug.state.step == sum(e["type"] == "generate" for e in events)
    from_snapshot = [listing(sug, ctx) for ctx in CONTEXTS]
    studio.record("generate", modality="image", prompt="an owl, moonlight", artifacts=["o1"])
    assert sug.state.last_gen().prompt == "an owl, moonlight"  # and follows the log
    studio.close()

    rebuilt = Suggester()
    lg = EventLog(root / "history.sqlite")
    rebuilt.rebuild([e.to_dict() for e in lg.events()][:-1])  # all but the owl
    lg.close()
    assert from_snapshot == [listing(rebuilt, ctx) for ctx in CONTEXTS]


def _open_state(root):
    studio = Studio(root=root)
    try:
        sug = studio.suggestions
        return sug.state.step, [s.text for s in sug.suggest(k=5)]
    finally:
        studio.close()


@pytest.mark.parametrize("damage", [
    lambda b: b"not a snapshot",
    lambda b: b[: len(b) // 2],  # truncated mid-write by a crash
    lambda b: b.replace(b'"gens":{"ts":[', b'"gens":{"ts":[0,', 1),  # JSON fine, layout not
    lambda b: b.replace(b'"by_ref":{', b'"by_ref":{"zz":99999999,', 1),  # index out of range
    lambda b: b[:20] + b"\xff\xfe" + b[22:],  # bytes that are not UTF-8
])
def test_a_damaged_snapshot_is_logged_and_rebuilt(tmp_path, rebuilds, caplog, damage):
    root = tmp_path / "data"
    seed_log(root, history(gens=60))
    expected = _open_state(root)
    path = root / snapshot.SNAPSHOT_FILE
    path.write_bytes(damage(path.read_bytes()))
    rebuilds.clear()
    with caplog.at_level(logging.WARNING, logger="studio.app.suggest.service"):
        assert _open_state(root) == expected
    assert len(rebuilds) == 1
    assert "rebuilding from the history" in caplog.text
    assert snapshot.read(path) is not None  # replaced by a good one


def test_another_format_version_is_ignored_and_rebuilt(tmp_path, rebuilds, monkeypatch):
    root = tmp_path / "data"
    seed_log(root, history(gens=60))
    expected = _open_state(root)
    path = root / snapshot.SNAPSHOT_FILE
    ours = snapshot.SNAPSHOT_VERSION
    monkeypatch.setattr(snapshot, "SNAPSHOT_VERSION", ours + 1)  # a newer build's
    with pytest.raises(snapshot.SnapshotError) as info:
        snapshot.read(path)
    assert info.value.stale and f"version {ours}" in str(info.value)
    rebuilds.clear()
    assert _open_state(root) == expected
    assert len(rebuilds) == 1
    monkeypatch.setattr(snapshot, "SNAPSHOT_VERSION", ours)
    with pytest.raises(snapshot.SnapshotError):
        snapshot.read(path)  # rewritten by the newer build


def test_a_snapshot_covering_forgotten_events_is_rebuilt(tmp_path, rebuilds):
    root = tmp_path / "data"
    events = history(gens=60)
    seed_log(root, events)
    _open_state(root)
    generates = sum(e["type"] == "generate" for e in events)
    # Forgotten by a process without Studio's forget hook (which deletes the
    # snapshot): first the newest events, so the snapshot is ahead of the log...
    lg = EventLog(root / "history.sqlite")
    newest = list(lg.events())[-1]
    snap_last = lg.last_id()
    lg.forget_item(newest.get("target") or newest.get("ref"))
    assert lg.last_id() < snap_last
    lg.close()
    rebuilds.clear()
    step, _ = _open_state(root)
    assert len(rebuilds) == 1 and step == generates - 1
    # ...then one in the middle: the last id still matches, the count does not.
    lg = EventLog(root / "history.sqlite")
    victim = [e for e in lg.events() if e.type == "generate"][10]
    lg.forget_item(victim.get("ref"))
    lg.close()
    rebuilds.clear()
    step, _ = _open_state(root)
    assert len(rebuilds) == 1 and step == generates - 2


def test_a_snapshot_of_an_erased_and_refilled_log_is_rebuilt(tmp_path, rebuilds):
    root = tmp_path / "data"
    seed_log(root, history(gens=60))
    _open_state(root)
    # Erased without Studio's forget hook, then refilled past the old last id: the
    # ids and the count up to it match, the events do not.
    lg = EventLog(root / "history.sqlite")
    last = lg.last_id()
    lg.erase()
    lg.append_many([{"type": "generate", "modality": "image", "prompt": f"a boat {i}, ink",
                     "ts": 1.0 + i} for i in range(last + 5)])
    lg.close()
    rebuilds.clear()
    step, texts = _open_state(root)
    assert len(rebuilds) == 1 and step == last + 5
    assert any("boat" in t for t in texts)


def test_snapshot_of_an_encrypted_history_is_sealed(tmp_path, rebuilds):
    root = tmp_path / "data"
    secret = "quizzical porcupine"
    lg = EventLog(root / "history.sqlite", passphrase="pw")
    lg.append_many([{"type": "generate", "modality": "image", "prompt": f"a {secret}, ink {i}",
                     "ts": float(i)} for i in range(5)])
    lg.close()
    studio = Studio(root=root, passphrase="pw")
    assert studio.suggestions.state.step == 5
    studio.close()
    raw = (root / snapshot.SNAPSHOT_FILE).read_bytes()
    assert raw.startswith(snapshot.MAGIC) and secret.encode() not in raw
    with pytest.raises(snapshot.SnapshotError):
        snapshot.read(root / snapshot.SNAPSHOT_FILE)  # no key, no state
    rebuilds.clear()
    studio = Studio(root=root, passphrase="pw")
    assert studio.suggestions.state.step == 5 and not rebuilds
    studio.close()


def test_encrypting_the_history_drops_the_clear_snapshot(tmp_path, monkeypatch):
    root = tmp_path / "data"  # the CLI's data folder (conftest)
    secret = "quizzical porcupine"
    seed_log(root, [{"type": "generate", "modality": "image", "prompt": f"a {secret}, ink",
                     "ts": 1.0}])
    _open_state(root)
    assert secret.encode() in (root / snapshot.SNAPSHOT_FILE).read_bytes()
    assert main(["profile", "encrypt", "--passphrase", "pw"]) == 0
    assert not (root / snapshot.SNAPSHOT_FILE).exists()
    studio = Studio(root=root, passphrase="pw")
    assert studio.suggestions.state.step == 1
    studio.close()
    assert secret.encode() not in (root / snapshot.SNAPSHOT_FILE).read_bytes()
