"""The prompt panel: memory per modality and across restarts, Auto, the field in error,
and a model that is not downloaded caught before queueing (issue #13)."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

from studio.api import Param, ParamSchema
from studio.app import model_catalog
from studio.app.ui_state import STATE_FILE, UiState
from studio.ui.download_row import DownloadRow
from studio.ui.params_form import ParamsForm


@pytest.fixture
def hub(tmp_path, monkeypatch):
    """An empty Hugging Face cache, online."""
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(DownloadRow, "failures", {})
    return tmp_path / "hub"


@pytest.fixture
def open_window(open_window, hub):
    return open_window


def fake_image(win):
    win.panel.modality.setCurrentText("image")
    win.panel.generator.setCurrentIndex(win.panel.generator.findData("fake.image"))


def set_image_settings(panel):
    panel.task.setCurrentText("img2img")
    panel.model.setCurrentIndex(panel.model.findData("fake/model-b"))
    panel.params.set_values({"steps": 7, "scheduler": "ddim"})
    panel.prompt.setPlainText("a heron at dawn")


def assert_image_settings(panel):
    assert panel.modality.currentText() == "image"
    assert panel.generator.currentData() == "fake.image"
    assert panel.task.currentText() == "img2img"
    assert panel.model_ref() == "fake/model-b"
    assert panel.params.values() == {"steps": 7, "scheduler": "ddim"}


def test_switching_make_and_back_restores_the_settings(open_window):
    win = open_window()
    panel = win.panel
    fake_image(panel.window())
    set_image_settings(panel)
    panel.modality.setCurrentText("text")
    assert panel.info().modality == "text"
    panel.prompt.setPlainText("a poem about herons")
    panel.modality.setCurrentText("image")
    assert_image_settings(panel)
    assert panel.prompt.toPlainText() == "a heron at dawn"
    panel.modality.setCurrentText("text")
    assert panel.prompt.toPlainText() == "a poem about herons"  # each modality its own


def test_a_new_window_on_the_same_data_folder_restores_them(open_window, tmp_path):
    win = open_window()
    fake_image(win)
    set_image_settings(win.panel)
    win.close()
    assert UiState.load(tmp_path / "data" / STATE_FILE).make("image")["task"] == "img2img"
    again = open_window()
    assert_image_settings(again.panel)  # the last modality comes back first


def test_a_remembered_value_the_schema_no_longer_takes_is_dropped(open_window, tmp_path):
    state = UiState(tmp_path / "data" / STATE_FILE)
    state.remember_make("image", "fake.image", "fake/model-a", "txt2img",
                        {"steps": 5000, "width": 24, "gone": 1})
    state.last_modality = "image"
    state.save()
    win = open_window()
    assert win.panel.generator.currentData() == "fake.image"
    assert win.panel.params.values() == {"width": 24}


def test_auto_drops_a_nullable_parameter_from_the_request(qtbot):
    form = ParamsForm()
    qtbot.addWidget(form)
    form.set_schema(ParamSchema((Param("guidance_scale", "float", None, min=0, max=30,
                                       nullable=True),
                                 Param("sampler", "choice", None, choices=("a", "b"),
                                       nullable=True),
                                 Param("steps", "int", 4, min=1, max=50))), "txt2img")
    assert form.values() == {}
    auto = form.auto_switch("guidance_scale")
    assert auto is not None and auto.isChecked() and not form.editor("guidance_scale").isEnabled()
    auto.setChecked(False)
    form.editor("guidance_scale").setValue(6.5)
    form.auto_switch("sampler").setChecked(False)
    form.editor("sampler").setCurrentText("b")
    assert form.values() == {"guidance_scale": 6.5, "sampler": "b"}
    auto.setChecked(True)
    form.auto_switch("sampler").setChecked(True)
    assert form.values() == {}
    assert form.auto_switch("steps") is None  # not nullable: no Auto


def test_auto_in_the_panel_leaves_the_value_out_of_the_request(open_window):
    win = open_window()
    panel = win.panel
    panel.modality.setCurrentText("image")
    index = panel.generator.findData("image.diffusers")
    if index < 0:
        pytest.skip("the image pack is not installed")
    panel.generator.setCurrentIndex(index)
    panel.params.auto_switch("guidance_scale").setChecked(False)
    panel.params.editor("guidance_scale").setValue(5.0)
    assert panel.build_request().params["guidance_scale"] == 5.0
    panel.params.auto_switch("guidance_scale").setChecked(True)
    assert "guidance_scale" not in panel.build_request().params


def test_the_field_in_error_is_highlighted_and_cleared_on_edit(open_window, tmp_path):
    win = open_window()
    fake_image(win)
    panel = win.panel
    panel.params.editor("width").setValue(12)  # not a multiple of 8
    panel.generate.click()
    assert "width" in panel.message.text() and win.jobs.rows == {}
    width = panel.params.editor("width")
    assert width.property("invalid") is True
    assert panel.invalid_widgets() == [width]
    win.grab().save(str(tmp_path / "field_in_error.png"))
    width.setValue(16)
    assert not width.property("invalid") and panel.invalid_widgets() == []


def test_an_advanced_field_in_error_is_unfolded(open_window):
    win = open_window()
    fake_image(win)
    panel = win.panel
    panel.show_error("stall must be <= 60, got 99")
    assert panel.params.invalid_fields() == ["stall"]
    assert panel.params._advanced_box.isChecked()


def test_a_missing_input_is_highlighted(open_window):
    win = open_window()
    fake_image(win)
    win.panel.task.setCurrentText("img2img")
    win.panel.generate.click()
    assert "needs the input" in win.panel.message.text()
    assert win.panel.inputs["image"].property("invalid") is True


def test_a_model_not_downloaded_is_caught_before_queueing(open_window, monkeypatch):
    win = open_window()
    fake_image(win)
    panel = win.panel
    panel.model.setEditText("someone/not-here")
    panel.generate.click()
    assert win.jobs.rows == {} and len(win.studio.engine.jobs()) == 0
    assert "someone/not-here is not downloaded yet" in panel.message.text()
    assert panel.model.property("invalid") is True
    assert not panel.download.isHidden() and panel.download.button.text() == "Download"

    monkeypatch.setattr(model_catalog, "free_bytes", lambda _p: 10**6)
    panel._entries["someone/not-here"] = model_catalog.ModelEntry(
        "someone/not-here", "x", 5 * 10**9, "cache", False)
    panel.generate.click()
    assert "needs about 5.0 GB" in panel.message.text()

    DownloadRow.failures["someone/not-here"] = "cannot download someone/not-here: 403 gated"
    panel.generate.click()
    assert "403 gated" in panel.message.text()

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    DownloadRow.failures.clear()
    panel.generate.click()
    assert "HF_HUB_OFFLINE is set" in panel.message.text()
    assert win.jobs.rows == {}


def test_the_picker_lists_the_cache_with_sizes(open_window, hub):
    repo = hub / "models--someone--cached-model"
    (repo / "snapshots" / "abc").mkdir(parents=True)
    (repo / "blobs").mkdir()
    (repo / "blobs" / "w").write_bytes(b"0" * 3_000_000)
    win = open_window()
    fake_image(win)
    panel = win.panel
    win.model_scan.wait()  # listed on a worker thread, then filled in
    labels = [panel.model.itemText(i) for i in range(panel.model.count())]
    assert labels[:2] == ["Fake A", "Fake B"]
    assert "someone/cached-model (3 MB)" in labels
    panel.model.setCurrentIndex(panel.model.findData("someone/cached-model"))
    assert panel.model_problem() is None


def test_a_downloaded_model_runs(open_window, qtbot):
    win = open_window()
    fake_image(win)
    win.panel.generate.click()
    assert len(win.jobs.rows) == 1
    qtbot.waitUntil(lambda: win.studio.library.count() == 1, timeout=10000)


def test_a_damaged_state_file_is_reported_in_the_window_and_kept_aside(open_window,
                                                                       tmp_path):
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / STATE_FILE).write_text('{"make": [1, 2')
    win = open_window()
    assert "unreadable" in win.statusBar().currentMessage()
    assert (tmp_path / "data" / "ui_state.broken.json").read_text() == '{"make": [1, 2'
    assert win.panel.modality.count() > 0  # the window works from the defaults


def test_another_task_keeps_the_shared_values(open_window):
    win = open_window()
    fake_image(win)
    panel = win.panel
    panel.params.set_values({"steps": 9, "scheduler": "ddim"})
    panel.task.setCurrentText("img2img")
    assert panel.params.values() == {"steps": 9, "scheduler": "ddim"}
    panel.generator.setCurrentIndex(panel.generator.findData("image.diffusers")
                                    if panel.generator.findData("image.diffusers") >= 0
                                    else 0)
    panel.generator.setCurrentIndex(panel.generator.findData("fake.image"))
    assert panel.params.values() == {}  # a generator change starts from its defaults


def test_the_disk_is_listed_off_the_ui_thread(open_window, monkeypatch, hub):
    import threading

    from studio.ui import model_scan

    release = threading.Event()
    seen_on = []

    def slow_listing(cache=None):
        seen_on.append(threading.current_thread().name)
        release.wait(10)
        return {"someone/slow": 7}

    monkeypatch.setattr(model_scan, "cached_repos", slow_listing)
    win = open_window()  # does not wait for the listing
    fake_image(win)
    assert win.model_scan.busy
    assert win.panel.model.findData("fake/model-a") >= 0  # recommendations at once
    assert win.panel.model.findData("someone/slow") < 0
    release.set()
    win.model_scan.wait()
    assert win.panel.model.findData("someone/slow") >= 0
    assert seen_on and seen_on[0].startswith("studio-models")
