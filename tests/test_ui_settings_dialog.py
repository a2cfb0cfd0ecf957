"""Preferences, the plugin manager and the model manager: a change takes effect and is
still there in a new window on the same data folder (issue #14)."""

import json
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from studio.app.studio import Studio
from studio.ui import theme
from studio.ui.main_window import MainWindow
from studio.ui.model_manager import ModelManager
from studio.ui.settings_dialog import SettingsDialog


@pytest.fixture
def open_window(qtbot, fake_entry_points, tmp_path):
    """Opens windows on one data folder; each is closed, with its studio, at the end."""
    opened = []

    def open_one():
        studio = Studio(root=tmp_path / "data", backend="thread")
        win = MainWindow(studio)
        qtbot.addWidget(win)
        opened.append(win)
        return win

    yield open_one
    for win in opened:
        shut(win)


def shut(win):
    """Close the window and its studio, as quitting does (once)."""
    if not getattr(win, "_test_shut", False):
        win._test_shut = True
        win.close()
        win.studio.close()


@pytest.fixture
def restore_theme():
    app = QApplication.instance()
    yield
    theme.apply(app, "system")


def dialog(qtbot, win):
    dlg = SettingsDialog(win.studio, win)
    qtbot.addWidget(dlg)
    return dlg


def settle(dlg):
    dlg.work.wait()
    QApplication.processEvents()


def test_settings_changed_in_the_dialog_persist_in_a_new_window(open_window, qtbot, tmp_path,
                                                                  restore_theme):
    models = tmp_path / "models"
    models.mkdir()
    win = open_window()
    dlg = dialog(qtbot, win)
    dlg.device.setCurrentText("cpu")
    dlg.dtype.setCurrentText("bfloat16")
    dlg.budget.setValue(6.5)
    dlg._add_folder(str(models))
    dlg.language.setCurrentIndex(dlg.language.findData("zh_CN"))
    dlg.theme.setCurrentIndex(dlg.theme.findData("dark"))
    assert dlg.apply()
    assert dlg.message.text().startswith("Saved.")
    assert "next start" in dlg.message.text() or "starts again" in dlg.message.text()
    settle(dlg)
    shut(win)

    again = open_window()
    s = again.studio.settings
    assert (s.device, s.dtype, s.memory_budget_gb) == ("cpu", "bfloat16", 6.5)
    assert s.model_dirs == [str(models)] and s.language == "zh_CN" and s.theme == "dark"
    shown = dialog(qtbot, again)
    assert shown.values()["device"] == "cpu" and shown.values()["memory_budget_gb"] == 6.5
    assert shown.theme.currentData() == "dark" and shown.language.currentData() == "zh_CN"
    # The window's model pickers read the folder added.
    assert again.model_scan.folders == [str(models)]
    settle(shown)


def test_the_theme_changes_at_once_and_back(open_window, qtbot, restore_theme):
    app = QApplication.instance()
    before = app.palette().color(QPalette.ColorRole.Window).name()
    win = open_window()
    dlg = dialog(qtbot, win)
    dlg.theme.setCurrentIndex(dlg.theme.findData("dark"))
    assert dlg.apply()
    assert app.palette().color(QPalette.ColorRole.Window).name() == "#2b2b2b"
    dlg.theme.setCurrentIndex(dlg.theme.findData("system"))
    assert dlg.apply()
    assert app.palette().color(QPalette.ColorRole.Window).name() == before
    settle(dlg)


def test_a_bad_value_is_named_and_nothing_is_saved(open_window, qtbot):
    win = open_window()
    path = win.studio.settings_path
    dlg = dialog(qtbot, win)
    dlg.dtype.setCurrentText("float16")
    dlg.device.setCurrentText("gpu9")
    assert not dlg.apply()
    assert dlg.message.text().startswith("Not saved: device must be auto, cpu")
    assert win.studio.settings.dtype == "auto"  # not half applied
    assert not path.exists() or "float16" not in path.read_text()
    settle(dlg)


def test_device_settings_take_effect_for_the_next_job(open_window, qtbot):
    win = open_window()
    win.studio.settings.device = "cpu"
    backend = win.studio.engine.backend
    old = backend.runner
    assert old.device.dtype == "float32"
    dlg = dialog(qtbot, win)
    dlg.dtype.setCurrentText("bfloat16")
    assert dlg.apply()
    assert "next job" in dlg.message.text()
    assert backend.runner is not old and backend.runner.device.dtype == "bfloat16"
    settle(dlg)


def test_device_settings_reach_every_execution_slot(open_window, qtbot):
    from studio.app.backends import ThreadBackend
    from studio.app.slots import Slot

    win = open_window()
    win.studio.settings.device = "cpu"
    engine = win.studio.engine
    second = ThreadBackend(engine.backend.runner.fresh())
    engine.slots = [*engine.slots, Slot("second", second)]
    old = second.runner
    dlg = dialog(qtbot, win)
    dlg.dtype.setCurrentText("bfloat16")
    assert dlg.apply()
    assert second.runner is not old and second.runner.device.dtype == "bfloat16"
    engine.slots = engine.slots[:1]
    second.shutdown()
    settle(dlg)


def status_of(page, name):
    assert page.select(name)
    return page.table.item(page.table.currentRow(), 3).text()


def test_disabling_a_pack_persists_and_the_next_start_skips_it(open_window, qtbot):
    win = open_window()
    page = win.plugin_page
    assert page.select("fake")
    assert page.toggle.text() == "Disable"
    page.toggle.click()
    assert "restart Studio" in page.notice.text()
    assert status_of(page, "fake") == "disabled at next start"
    assert "fake.image" in win.studio.plugins.generators  # still loaded in this run
    shut(win)
    saved = json.loads(win.studio.settings_path.read_text())
    assert saved["disabled_plugins"] == ["fake"]

    again = open_window()
    assert again.studio.plugins.records["fake"].status == "disabled"
    assert not any(g.startswith("fake.") for g in again.studio.plugins.generators)
    page = again.plugin_page
    assert page.select("fake") and page.toggle.text() == "Enable"
    page.toggle.click()
    assert again.studio.settings.disabled_plugins == []
    assert status_of(page, "fake") == "enabled at next start"


def test_plugin_errors_are_shown_in_the_details(open_window, monkeypatch):
    win = open_window()
    record = win.studio.plugins.records["fake"]
    monkeypatch.setattr(record, "status", "error")
    monkeypatch.setattr(record, "error", "ImportError: no module named torch")
    win.plugin_page.fill()
    win.plugin_page.select("fake")
    assert "Error: ImportError: no module named torch" in win.plugin_page.details.toPlainText()


def _cache_repo(cache, ref, size):
    repo = cache / f"models--{ref.replace('/', '--')}"
    (repo / "snapshots" / "abc").mkdir(parents=True)
    (repo / "blobs").mkdir()
    (repo / "blobs" / "x").write_bytes(b"0" * size)
    return repo


def test_the_model_manager_lists_adds_and_deletes(open_window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    repo = _cache_repo(tmp_path / "hub", "org/tiny", 2_000_000)
    weights = tmp_path / "elsewhere" / "mine.safetensors"
    weights.parent.mkdir()
    weights.write_bytes(b"1" * 3_000_000)
    win = open_window()
    manager = ModelManager(win.studio, win)
    qtbot.addWidget(manager)
    qtbot.waitUntil(lambda: manager.rows != [], timeout=5000)
    assert manager.rows == [("org/tiny", "Hugging Face cache", 2_000_000)]
    assert manager.table.item(0, 2).text() == "2 MB"

    manager.add_file(str(tmp_path / "notes.txt"))
    assert manager.message.text().startswith("Not added: notes.txt is not a model file")
    manager.add_file(str(weights))
    qtbot.waitUntil(lambda: len(manager.rows) == 2, timeout=5000)
    assert (str(weights), "file", 3_000_000) in manager.rows
    assert win.studio.settings.model_dirs == [str(weights)]
    assert Studio(root=win.studio.root).settings.model_dirs == [str(weights)]  # saved

    asked = []
    manager.confirm = lambda text: asked.append(text) or False
    manager.table.selectRow(0)
    manager.delete_selected()
    assert repo.is_dir() and "org/tiny" in asked[0]  # asked, and refused
    manager.confirm = lambda text: True
    manager.delete_selected()
    qtbot.waitUntil(lambda: not repo.exists() and len(manager.rows) == 1, timeout=5000)
    row = manager.rows.index((str(weights), "file", 3_000_000))
    manager.table.selectRow(row)
    manager.delete_selected()
    qtbot.waitUntil(lambda: manager.rows == [], timeout=5000)
    assert not weights.exists()
    assert win.studio.settings.model_dirs == []  # a deleted file leaves the list
    manager.work.wait()


def test_runtime_buttons_run_off_the_ui_thread_and_report_one_line(open_window, qtbot,
                                                                   monkeypatch):
    import threading

    from studio.api import StudioError
    from studio.app import runtime

    ran_on = []

    def fake_repair(progress=None):
        ran_on.append(threading.current_thread().name)
        progress("verify", "torch 2.9 on cpu: ok")
        return runtime.RuntimeStatus(active="cpu", python="/x/python", recommended="cpu",
                                     reason="no GPU", installed=["cpu"], torch="2.9")

    def fake_remove(variant=None):
        raise StudioError("the cpu runtime is in use by another Studio")

    monkeypatch.setattr(runtime, "repair", fake_repair)
    monkeypatch.setattr(runtime, "remove", fake_remove)
    win = open_window()
    dlg = dialog(qtbot, win)
    settle(dlg)
    dlg.runtime_buttons["repair"].click()
    assert not dlg.runtime_buttons["install"].isEnabled()  # one at a time
    qtbot.waitUntil(lambda: dlg.runtime_log.text().startswith("Repaired"), timeout=5000)
    assert ran_on and ran_on[0] != threading.current_thread().name
    assert "Active: cpu (torch 2.9)" in dlg.runtime_state.text()
    assert dlg.runtime_buttons["install"].isEnabled()
    dlg.runtime_buttons["remove"].click()
    qtbot.waitUntil(lambda: dlg.runtime_log.text().startswith("Failed"), timeout=5000)
    assert dlg.runtime_log.text() == "Failed: the cpu runtime is in use by another Studio"
    settle(dlg)
