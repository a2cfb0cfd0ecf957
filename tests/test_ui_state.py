"""The window's memory without Qt: per-modality settings, the desk, the recovery copy."""

import json
import logging

from studio.api import Param, ParamSchema
from studio.app.ui_state import RECOVERY_FILE, DeskRecovery, UiState, restorable_params


def test_make_memory_round_trips_per_modality(tmp_path):
    state = UiState.load(tmp_path / "ui_state.json")
    state.remember_make("image", "g.img", "owner/m", "img2img", {"steps": 9, "cfg": None})
    state.remember_make("music", "g.mus", "", "txt2music", {"seconds": 4.5})
    state.last_modality = "music"
    state.welcome_dismissed = True
    state.save()
    again = UiState.load(tmp_path / "ui_state.json")
    assert again.make("image") == {"generator": "g.img", "model": "owner/m", "task": "img2img",
                                   "params": {"steps": 9, "cfg": None}}
    assert again.make("music")["params"] == {"seconds": 4.5}
    assert again.make("video") == {}
    assert again.last_modality == "music" and again.welcome_dismissed


def test_desk_memory_round_trips(tmp_path):
    state = UiState(tmp_path / "s.json")
    state.remember_desk("text.x", "owner/llm", {"temperature": 0.2})
    state.save()
    assert UiState.load(tmp_path / "s.json").desk()["params"] == {"temperature": 0.2}


def test_a_damaged_file_is_reported_kept_aside_once_and_not_raised(tmp_path, caplog):
    path = tmp_path / "ui_state.json"
    path.write_text("{not json")
    with caplog.at_level(logging.WARNING):
        state = UiState.load(path)
    assert state.make("image") == {} and not state.welcome_dismissed
    assert (tmp_path / "ui_state.broken.json").read_text() == "{not json"
    assert "unreadable" in caplog.text and "unreadable" in state.problem
    assert "ui_state.broken.json" in state.problem
    path.write_text("{not json")
    UiState.load(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ui_state.broken.json"]


def test_bad_entries_alone_are_forgotten(tmp_path, caplog):
    path = tmp_path / "ui_state.json"
    path.write_text(json.dumps({
        "welcome_dismissed": "yes",
        "make": {"image": {"generator": "g", "model": "m", "task": "t", "params": {"a": 1}},
                 "music": {"generator": 3}, "text": {"params": {"x": [1, 2]}}},
    }))
    with caplog.at_level(logging.WARNING):
        state = UiState.load(path)
    assert state.make("image")["params"] == {"a": 1}
    assert state.make("music") == {} and state.make("text") == {}
    assert not state.welcome_dismissed
    assert "welcome_dismissed" in caplog.text and "make.music" in caplog.text
    assert "make.music" in state.problem and "\n" not in state.problem
    assert (tmp_path / "ui_state.broken.json").exists()


def test_remembered_params_are_checked_against_the_schema_now():
    schema = ParamSchema((Param("steps", "int", 4, min=1, max=50),
                          Param("cfg", "float", None, min=0, max=20, nullable=True),
                          Param("instruction", "str", "", tasks=("rewrite",))))
    values = {"steps": 500, "cfg": None, "gone": 3, "instruction": "x"}
    assert restorable_params(schema, "continue", values) == {"cfg": None}
    assert restorable_params(schema, "rewrite", {"steps": 7, "instruction": "x"}) == {
        "steps": 7, "instruction": "x"}


def test_save_is_atomic_and_private(tmp_path):
    state = UiState(tmp_path / "d" / "ui_state.json")
    state.welcome_dismissed = True
    state.save()
    path = tmp_path / "d" / "ui_state.json"
    assert path.stat().st_mode & 0o077 == 0
    assert [p.name for p in path.parent.iterdir()] == ["ui_state.json"]


def test_recovery_copy_round_trips_and_damage_is_kept_aside(tmp_path, caplog):
    assert DeskRecovery.load(tmp_path) is None
    DeskRecovery("/x/doc.md", "Once upon ünïcode", True, 5).save(tmp_path)
    rec = DeskRecovery.load(tmp_path)
    assert rec == DeskRecovery("/x/doc.md", "Once upon ünïcode", True, 5)
    (tmp_path / RECOVERY_FILE).write_text(json.dumps({"text": 3}))
    with caplog.at_level(logging.WARNING):
        assert DeskRecovery.load(tmp_path) is None
    assert "damaged" in caplog.text
    assert (tmp_path / "writing_recovery.broken.json").exists()
