"""settings.json with wrong types: reported once, kept aside once, default for that field."""

import json
import logging

import pytest

from studio.app.settings import SettingError, Settings, check_setting
from studio.cli.main import main

BAD_FIELDS = [
    ("device", 5, "device"),
    ("disabled_plugins", "x", "list of strings"),
    ("disabled_plugins", [1, 2], "list of strings"),
    ("recording", "yes", "true or false"),
    ("recording", 1, "true or false"),
    ("memory_budget_gb", "lots", "positive number"),
    ("memory_budget_gb", -3, "positive number"),
    ("half_life_days", True, "positive number"),
    ("default_models", {"a": {"nested": ["garbage"]}}, "object of strings"),
    ("default_generators", [], "object of strings"),
    ("dtype", "float8", "one of"),
    ("engine_backend", None, "one of"),
    ("device", "cpu\n", "device"),
    ("audio_output_device", 3, "device name or null"),
    ("audio_output_device", " ", "device name or null"),
]


@pytest.mark.parametrize(("key", "value", "expected"), BAD_FIELDS)
def test_a_bad_field_falls_back_alone_and_is_kept_aside(tmp_path, caplog, key, value,
                                                        expected):
    path = tmp_path / "settings.json"
    good = {"dtype": "bfloat16", "half_life_days": 3, "model_dirs": ["/m"]}
    good.pop(key, None)
    original = json.dumps({**good, key: value})
    path.write_text(original)
    with caplog.at_level(logging.WARNING, logger="studio.app.settings"):
        s = Settings.load(path)
    assert getattr(s, key) == getattr(Settings(), key)
    for k, v in good.items():
        assert getattr(s, k) == v
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert key in warnings[0] and expected in warnings[0]
    backup = tmp_path / "settings.broken.json"
    assert backup.read_text() == original
    # The next start is quiet and keeps the one backup.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="studio.app.settings"):
        again = Settings.load(path)
    assert again == s
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.broken.json",
                                                          "settings.json"]


@pytest.mark.parametrize("content", ["[1, 2]", '"text"', "5", "null", "{not json",
                                     "\xff\xfe", "[" * 100_000])
def test_a_file_that_is_not_an_object_is_kept_aside(tmp_path, caplog, content):
    path = tmp_path / "settings.json"
    path.write_bytes(content.encode("latin-1"))
    with caplog.at_level(logging.WARNING, logger="studio.app.settings"):
        assert Settings.load(path) == Settings()
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1
    assert (tmp_path / "settings.broken.json").read_bytes() == content.encode("latin-1")
    assert not path.exists()


def test_a_second_different_damage_gets_its_own_backup(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"device": 5}')
    Settings.load(path)
    path.write_text('{"recording": "no"}')
    Settings.load(path)
    assert json.loads((tmp_path / "settings.broken.json").read_text()) == {"device": 5}
    assert json.loads((tmp_path / "settings.broken-1.json").read_text()) == {"recording": "no"}


def test_unknown_keys_survive_the_repair(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"device": 5, "from_a_newer_studio": {"x": 1}}')
    Settings.load(path)
    assert json.loads(path.read_text()) == {"from_a_newer_studio": {"x": 1}}


def test_commands_run_on_a_bad_settings_file(capsys, fake_entry_points, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps(
        {"device": 5, "disabled_plugins": "x", "recording": "yes",
         "memory_budget_gb": "lots", "model_dirs": {"a": [1, {"b": None}]}}))
    assert main(["generate", "image", "--generator", "fake.image", "--prompt", "x",
                 "--json"]) == 0
    assert main(["plugins", "list", "--json"]) == 0
    assert main(["settings", "show"]) == 0


@pytest.mark.parametrize(("key", "value"), [
    ("recording", "yes"), ("recording", "1"), ("device", "5"), ("device", "cuda:x"),
    ("disabled_plugins", '"x"'), ("disabled_plugins", "[1]"), ("memory_budget_gb", "lots"),
    ("memory_budget_gb", "-1"), ("memory_budget_gb", "NaN"), ("half_life_days", "true"),
    ("default_models", '{"a": 1}'), ("dtype", "int4"), ("nonsense", "1"),
    ("model_dirs", "[" * 5000), ("audio_output_device", ""),
])
def test_settings_set_refuses_bad_values(capsys, tmp_path, key, value):
    assert main(["settings", "set", key, value]) == 2
    err = capsys.readouterr().err
    assert err.startswith("studio: ") and err.count("\n") == 1
    assert not (tmp_path / "data").exists()  # nothing written


@pytest.mark.parametrize(("key", "text", "value"), [
    ("memory_budget_gb", "null", None), ("memory_budget_gb", "6", 6.0),
    ("device", "cuda:1", "cuda:1"), ("recording", "false", False),
    ("disabled_plugins", '["a"]', ["a"]),
    ("audio_output_device", "USB Audio", "USB Audio"), ("audio_output_device", "null", None),
])
def test_settings_set_accepts_good_values(capsys, tmp_path, key, text, value):
    assert main(["settings", "set", key, text]) == 0
    assert Settings.load(tmp_path / "data" / "settings.json").to_dict()[key] == value


def test_check_setting_names_the_key_and_type():
    with pytest.raises(SettingError, match="recording must be true or false"):
        check_setting("recording", "yes")


def test_an_integer_too_large_for_a_float_is_a_bad_field(tmp_path):
    # Found by tests/test_fuzz_cli.py: math.isfinite raised OverflowError on it.
    from studio.app.settings import Settings

    path = tmp_path / "settings.json"
    path.write_text('{"half_life_days": ' + "9" * 400 + ', "device": "cpu"}')
    settings = Settings.load(path)
    assert settings.half_life_days == Settings().half_life_days
    assert settings.device == "cpu"
