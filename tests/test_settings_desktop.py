"""The app-side pieces of the window's preferences, without Qt (issue #14): theme and
language settings, packs disabled in the settings, a single model file, unrating."""

import json
import logging

import pytest
from PIL import Image

from studio.api import GenerationRequest, Output
from studio.app.library import Library
from studio.app.model_catalog import local_models
from studio.app.settings import SettingError, Settings, check_setting
from studio.app.studio import Studio


@pytest.mark.parametrize("key, good, bad", [
    ("theme", ["system", "light", "dark"], ["Dark", "blue", None, 1]),
    ("language", ["system", "en", "zh_CN"], ["zh", "fr", "", None]),
])
def test_theme_and_language_take_their_words_only(key, good, bad):
    assert Settings().to_dict()[key] == "system"
    for value in good:
        assert check_setting(key, value) == value
    for value in bad:
        with pytest.raises(SettingError, match=f"^{key} must be one of system, "):
            check_setting(key, value)


def test_a_bad_theme_in_the_file_is_reported_and_the_rest_kept(tmp_path, caplog):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"theme": "neon", "language": "zh_CN"}))
    with caplog.at_level(logging.WARNING):
        s = Settings.load(path)
    assert (s.theme, s.language) == ("system", "zh_CN")
    assert "theme must be one of system, light, dark" in caplog.text
    assert (tmp_path / "settings.broken.json").is_file()


def test_a_pack_disabled_in_the_settings_is_skipped_at_the_next_start(fake_entry_points,
                                                                      tmp_path):
    studio = Studio(root=tmp_path / "data", backend="thread")
    assert "fake.image" in studio.plugins.generators
    studio.settings.disabled_plugins = ["fake"]
    studio.save_settings()
    studio.close()
    again = Studio(root=tmp_path / "data", backend="thread")
    record = again.plugins.records["fake"]
    assert (record.status, record.error) == ("disabled", "disabled in settings")
    assert not any(g.startswith("fake.") for g in again.plugins.generators)
    again.close()


def test_a_model_folder_entry_may_be_one_weight_file(tmp_path):
    weights = tmp_path / "one.safetensors"
    weights.write_bytes(b"0" * 123)
    other = tmp_path / "notes.txt"
    other.write_text("no model")
    assert local_models([str(weights), str(other)]) == {str(weights): 123}


def test_unrate_clears_a_rating_and_is_recorded(tmp_path):
    events = []
    lib = Library(tmp_path, recorder=lambda kind, **f: events.append((kind, f)))
    req = GenerationRequest(generator="fake.image", modality="image", prompt="a fox")
    art = lib.add([Output("image", Image.new("RGB", (8, 8)))], req)[0]
    lib.rate(art.id, 3)
    lib.unrate(art.id)
    assert lib.get(art.id).rating is None
    assert events[-2:] == [("rate", {"target": art.id, "value": 3}),
                           ("undo", {"action": "rate", "target": art.id})]
    lib.close()
