"""`studio profile import|show|export|pause|resume|eval`, in-process."""

import json
import sys

import pytest

from studio.api import StudioError
from studio.app.history import EventLog
from studio.app.history.importer import ImportFailed, import_history
from studio.app.settings import Settings
from studio.cli.main import main

T0 = 1_750_000_000


def line(**kw):
    return json.dumps(kw)


def write_history(path, users=("u1",), n=6):
    rows = []
    for user in users:
        for i in range(n):
            gid = f"{user}-g{i}"
            rows.append(line(ts=T0 + i * 60, user=user, type="generate", id=gid, modality="image",
                             prompt=f"a heron {i}, watercolor" if i % 2 else "a kite, neon",
                             params={"steps": 20, "scheduler": "euler"}))
            rows.append(line(ts=T0 + i * 60 + 5, user=user, type="favourite" if i % 2 else "delete",
                             target=gid))
        rows.append(line(ts="2025-06-15T18:00:00Z", user=user, type="rate",
                         target=f"{user}-g1", value=5))
        rows.append(line(ts=T0 + 9, user=user, type="keep", target=f"{user}-g3"))
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.fixture
def data(tmp_path):
    return tmp_path / "data"


def history_of(data):
    lg = EventLog(data / "history.sqlite")
    try:
        return [e.to_dict() for e in lg.events()]
    finally:
        lg.close()


def test_import_maps_generate_ids_so_targets_match(tmp_path, capsys, data):
    path = write_history(tmp_path / "h.jsonl")
    assert main(["profile", "import", "--history", str(path)]) == 0
    assert "imported 14 events" in capsys.readouterr().out
    events = history_of(data)
    gens = [e for e in events if e["type"] == "generate"]
    assert gens[0]["ref"] == "u1-g0" and gens[0]["artifacts"] == ["u1-g0"]
    assert all(e["session"] == "import:u1" for e in events)
    rate = next(e for e in events if e["type"] == "rate")
    assert rate["value"] == 5 and rate["ts"] == 1750010400.0  # ISO date read as UTC
    assert [e["ts"] for e in events] == sorted(e["ts"] for e in events)

    assert main(["profile", "show", "--json", "--no-embed"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert {x["artifact"] for x in shown["liked"]} == {"u1-g1", "u1-g3", "u1-g5"}
    water = next(s for s in shown["styles"] if s["term"] == "watercolor")
    assert (water["prompts"], water["favourites"]) == (3, 3)
    assert shown["parameters"]["image / default"]["params"]["scheduler"][0]["count"] == 6


def test_bad_lines_are_reported_by_number_and_nothing_is_imported(tmp_path, capsys, data):
    path = write_history(tmp_path / "h.jsonl")
    lines = path.read_text().splitlines()
    lines[2] = '{"ts": 1, "user": "u1", "type": "rate", "target": "u1-g0", "value": 9}'
    lines[5] = "{not json"
    lines.append(line(ts=1, user="u1", type="generate", modality="image"))
    path.write_text("\n".join(lines))
    assert main(["profile", "import", "--history", str(path)]) == 2
    err = capsys.readouterr().err
    assert "3 bad line(s), nothing was imported" in err
    assert "line 3: rate event: value=9" in err and "line 6:" in err
    assert "line 15: a generate needs an 'id'" in err
    assert history_of(data) == []


def test_several_users_need_a_choice(tmp_path, data):
    path = write_history(tmp_path / "h.jsonl", users=("ann", "bob"))
    lg = EventLog(data / "history.sqlite")
    try:
        with pytest.raises(StudioError, match=r"2 users.*ann, bob.*--user"):
            import_history(lg, path)
        report = import_history(lg, path, user="bob")
        assert report.imported == 14 and report.other_users_skipped == 14
        assert {e.session for e in lg.events()} == {"import:bob"}
        with pytest.raises(StudioError, match="already imported"):
            import_history(lg, path, user="bob")
        assert lg.count() == 14
    finally:
        lg.close()


def test_import_failed_keeps_every_error(tmp_path):
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join(line(ts=1, type="keep") for _ in range(30)))
    with pytest.raises(ImportFailed) as info:
        import_history(EventLog(tmp_path / "x.sqlite"), path)
    assert len(info.value.errors) == 30 and "and 10 more" in str(info.value)


def test_show_in_plain_words(tmp_path, capsys):
    main(["profile", "import", "--history", str(write_history(tmp_path / "h.jsonl"))])
    capsys.readouterr()
    assert main(["profile", "show", "--no-embed"]) == 0
    out = capsys.readouterr().out
    assert "watercolor: 3 prompts, 3 favourites" in out
    assert "Outputs you liked: 3; disliked: 3." in out
    assert "Recording: on; encryption at rest: off." in out


def test_export_writes_everything(tmp_path, capsys):
    main(["profile", "import", "--history", str(write_history(tmp_path / "h.jsonl"))])
    out = tmp_path / "export.json"
    assert main(["profile", "export", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["format"] == "studio-history-export" and len(data["events"]) == 14
    assert data["events"][0]["prompt"] and data["profile"]["events"] == 14
    assert data["settings"]["half_life_days"] == 14.0
    assert out.stat().st_mode & 0o077 == 0  # readable by the user only


def test_pause_and_resume_persist(data, capsys):
    assert main(["profile", "pause"]) == 0
    assert Settings.load(data / "settings.json").recording is False
    assert main(["profile", "resume"]) == 0
    assert Settings.load(data / "settings.json").recording is True


def test_encrypted_history_through_the_cli(tmp_path, capsys, monkeypatch, data):
    path = write_history(tmp_path / "h.jsonl")
    monkeypatch.setenv("STUDIO_PASSPHRASE", "s3cret")
    assert main(["profile", "import", "--history", str(path)]) == 0
    monkeypatch.delenv("STUDIO_PASSPHRASE")
    raw = b"".join(p.read_bytes() for p in data.iterdir() if p.is_file())
    assert b"heron" not in raw
    capsys.readouterr()
    assert main(["profile", "show", "--no-embed"]) == 2
    assert "encrypted" in capsys.readouterr().err
    assert main(["profile", "show", "--no-embed", "--passphrase", "s3cret"]) == 0
    assert "encryption at rest: on" in capsys.readouterr().out


def test_eval_without_the_replay_module_exits_2(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "studio.app.suggest.replay", None)
    assert main(["profile", "eval", "--history", str(tmp_path / "h.jsonl"), "--k", "5"]) == 2
    assert "replay evaluation is not available" in capsys.readouterr().err


def test_eval_calls_the_replay_evaluation(monkeypatch, capsys, tmp_path):
    import types

    calls = []
    fake = types.ModuleType("studio.app.suggest.replay")
    fake.evaluate = lambda path, k: calls.append((path, k)) or {"k": k, "systems": {
        "studio": {"hit@k": 0.5}}}
    monkeypatch.setitem(sys.modules, "studio.app.suggest.replay", fake)
    assert main(["profile", "eval", "--history", str(tmp_path / "h.jsonl"), "--k", "3",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["systems"]["studio"]["hit@k"] == 0.5
    assert calls == [(tmp_path / "h.jsonl", 3)]
