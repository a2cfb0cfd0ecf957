"""Forget (everything, one item, one term) and no network access anywhere in profile code."""

import json
import socket

import numpy as np
import pytest

from studio.app.history import EventLog, Profile
from studio.app.history.embeddings import MiniLM
from studio.app.history.importer import import_history
from studio.app.studio import Studio
from studio.app.suggest.service import WEIGHTS_FILE
from studio.app.suggest.snapshot import SNAPSHOT_FILE
from studio.cli.main import main

SECRET = "xylophonic marmalade nebula"
T0 = 1_750_000_000


class FakeEmbedder:
    """Deterministic unit vectors; counts calls so tests can see the cache at work."""

    name = "fake"

    def __init__(self):
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i, hash(t) % 384] = 1.0
        return out


def raw_bytes_of(folder):
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def seed(data, embed=True):
    lg = EventLog(data / "history.sqlite")
    lg.append_many([
        {"type": "generate", "ts": T0, "modality": "image", "prompt": f"a {SECRET}, gouache",
         "params": {"steps": 20}, "artifacts": ["s1"]},
        {"type": "favourite", "ts": T0 + 1, "target": "s1"},
        {"type": "generate", "ts": T0 + 2, "modality": "image", "prompt": "a barn owl, ink",
         "params": {"steps": 20}, "artifacts": ["o1"]},
        {"type": "keep", "ts": T0 + 3, "target": "o1"},
        {"type": "edit", "ts": T0 + 4, "target": "t1", "chars_before": 10, "chars_after": 40,
         "changed_ratio": 0.7, "text": f"the {SECRET} sings softly"},
    ])
    prof = Profile.open(lg, follow=True)
    if embed:
        prof.embed_pending(FakeEmbedder())
    prof.save()
    return lg, prof


def open_suggestions(data, accept=True):
    """Open the suggestions on ``data``, take one, close: writes their derived files."""
    studio = Studio(root=data)
    try:
        sug = studio.suggestions
        out = sug.suggest(k=5, kinds=["prompt"])
        if accept:
            sug.accept(out[0].id)
        return [s.text for s in sug.suggest(k=10)]
    finally:
        studio.close()


def test_forget_everything_leaves_no_trace_in_the_data_folder(tmp_path, capsys):
    data = tmp_path / "data"
    lg, _ = seed(data)
    lg.close()
    open_suggestions(data)
    snapshot, weights = data / SNAPSHOT_FILE, data / WEIGHTS_FILE
    assert snapshot.exists() and weights.exists()
    assert SECRET.encode() in snapshot.read_bytes()  # derived, and it holds the prompts
    (data / "history.sqlite.broken-20250101-000000").write_bytes(SECRET.encode())
    assert SECRET.encode() in raw_bytes_of(data)
    assert main(["profile", "forget", "--yes"]) == 0
    assert "erased the history" in capsys.readouterr().out
    assert SECRET.encode() not in raw_bytes_of(data)
    assert b"marmalade" not in raw_bytes_of(data)
    assert not snapshot.exists() and not weights.exists()
    lg = EventLog(data / "history.sqlite")
    assert lg.count() == 0 and lg.embedding_count() == 0 and lg.load_state(1) is None
    lg.close()


def test_erase_resets_a_live_profile(tmp_path):
    lg, prof = seed(tmp_path)
    lg.erase()
    assert prof.n_events == 0 and not prof.liked()
    lg.append("keep", target="x")
    assert prof.n_events == 1  # still following the re-created log
    lg.close()


def test_forget_without_a_choice_is_refused(capsys):
    with pytest.raises(SystemExit) as info:
        main(["profile", "forget"])
    assert info.value.code == 2


def test_forget_one_item_removes_its_events_and_derived_data(tmp_path):
    lg, prof = seed(tmp_path)
    assert lg.forget_item("s1") == 2  # its generate and the favourite
    assert [e.type for e in lg.events()] == ["generate", "keep", "edit"]
    assert "gouache" not in prof.styles.data  # the live profile was rebuilt
    assert prof.vector(f"a {SECRET}, gouache") is None
    assert prof.vector("a barn owl, ink") is not None
    lg.close()
    raw = (tmp_path / "history.sqlite").read_bytes()
    assert b"gouache" not in raw


def test_forget_a_term_removes_every_mention(tmp_path):
    lg, _ = seed(tmp_path)
    assert lg.forget_term("Marmalade Nebula") == 3  # generate, its favourite, the edit
    assert [e.type for e in lg.events()] == ["generate", "keep"]
    assert lg.forget_term("marma") == 0  # whole words only
    lg.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert SECRET.encode() not in raw


def test_forget_term_through_the_cli(tmp_path, capsys):
    lg, _ = seed(tmp_path / "data")
    lg.close()
    assert main(["profile", "forget", "--term", "owl"]) == 0
    assert "erased 2 event(s) mentioning 'owl'" in capsys.readouterr().out


def test_forget_a_term_drops_the_suggestion_snapshot_and_the_rebuild_lacks_it(tmp_path):
    data = tmp_path / "data"
    lg, _ = seed(data)
    lg.close()
    assert any("marmalade" in t for t in open_suggestions(data, accept=False))
    assert b"marmalade" in (data / SNAPSHOT_FILE).read_bytes()
    assert main(["profile", "forget", "--term", "marmalade"]) == 0
    assert not (data / SNAPSHOT_FILE).exists()  # invalidated: rebuilt on the next open
    assert SECRET.encode() not in raw_bytes_of(data)
    texts = open_suggestions(data, accept=False)
    assert texts and not any("marmalade" in t for t in texts)
    assert b"marmalade" not in (data / SNAPSHOT_FILE).read_bytes()


def test_forgetting_while_the_suggestions_are_open_rebuilds_them(tmp_path):
    data = tmp_path / "data"
    lg, _ = seed(data)
    lg.close()
    studio = Studio(root=data)
    try:
        sug = studio.suggestions
        assert any("marmalade" in s.text for s in sug.suggest(k=10))
        studio.history.forget_term("marmalade")
        assert not any("marmalade" in s.text for s in sug.suggest(k=10))
        assert not any("marmalade" in p.text for p in sug.state.prompts.values())
    finally:
        studio.close()  # saves the rebuilt state
    assert SECRET.encode() not in raw_bytes_of(data)


def test_embeddings_are_cached_by_text_hash(tmp_path):
    lg, prof = seed(tmp_path, embed=False)
    fake = FakeEmbedder()
    assert prof.embed_pending(fake) == 3 and fake.calls == 1
    assert lg.embedding_count() == 3
    prof.rebuild()  # the rebuilt profile finds every vector in the cache
    assert prof.embed_pending(fake) == 3 and fake.calls == 1
    assert len(prof.clusters) >= 1 and not prof.pending
    lg.close()


def test_embedding_runs_in_the_background(tmp_path):
    lg, prof = seed(tmp_path, embed=False)
    thread = prof.embed_in_background(FakeEmbedder())
    thread.join(10)
    assert not thread.is_alive() and prof.embedded == 3
    lg.close()


@pytest.fixture
def no_network(monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access attempted in profile code")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.mark.slow
def test_import_profile_and_real_embeddings_never_touch_the_network(tmp_path, no_network):
    path = tmp_path / "h.jsonl"
    rows = []
    prompts = ["a red fox in snow, watercolor", "a fox cub sleeping, watercolor",
               "a spaceship over mars, cinematic", "a starship near saturn, cinematic",
               "a fox running through a winter forest, watercolor"]
    for i, p in enumerate(prompts):
        rows.append({"ts": T0 + i, "user": "u", "type": "generate", "id": f"g{i}",
                     "modality": "image", "prompt": p, "params": {"steps": 20}})
        rows.append({"ts": T0 + i + 0.5, "user": "u", "type": "favourite", "target": f"g{i}"})
    path.write_text("\n".join(json.dumps(r) for r in rows))
    lg = EventLog(tmp_path / "history.sqlite", passphrase="pw")
    import_history(lg, path)
    prof = Profile.open(lg)
    # A fresh instance, so the model really loads under the no-network patch.
    assert prof.embed_pending(MiniLM()) == 5
    fox, cub = prof.vector(prompts[0]), prof.vector(prompts[1])
    ship = prof.vector(prompts[2])
    assert fox.shape == (384,) and abs(float(np.linalg.norm(fox)) - 1) < 1e-4
    assert float(fox @ cub) > float(fox @ ship) + 0.2
    labels = " | ".join(c["label"] for c in prof.to_dict()["clusters"])
    assert len(prof.clusters) >= 2 and "watercolor" in labels and "cinematic" in labels
    assert no_network == []
    lg.close()


def test_forget_with_library_erases_generated_artifacts_too(tmp_path, capsys,
                                                            fake_entry_points):
    data = tmp_path / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "settings.json").write_text(json.dumps({"device": "cpu"}))
    assert main(["generate", "text", "--prompt", f"the {SECRET}", "--seed", "1"]) == 0
    assert main(["generate", "image", "--generator", "fake.image", "--prompt", SECRET]) == 0
    assert SECRET.encode() in raw_bytes_of(data)
    assert main(["profile", "forget", "--yes"]) == 0
    assert "add --include-library" in capsys.readouterr().out
    assert SECRET.encode() in raw_bytes_of(data)  # the user's own works are kept by default
    assert main(["profile", "forget", "--yes", "--include-library"]) == 0
    assert "erased the library (2 artifact(s)" in capsys.readouterr().out
    assert SECRET.encode() not in raw_bytes_of(data)
    assert main(["library", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
