"""The menu bar and the standard shortcuts, pressed as keys on a shown window (issue #14)."""

import os
import threading

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.fakes import fake_pack


@pytest.fixture
def window(open_window, qtbot):
    return shown_and_active(open_window(), qtbot)


def shown_and_active(win, qtbot):
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: activate(win), timeout=5000)
    return win


def activate(win):
    """Shortcuts go to the active window only; offscreen, the first request to
    activate a window just shown can be lost, so it is asked until it holds."""
    if QApplication.activeWindow() is not win:
        win.windowHandle().requestActivate()
    return QApplication.activeWindow() is win


def fake_image(win):
    win.panel.modality.setCurrentText("image")
    win.panel.generator.setCurrentIndex(win.panel.generator.findData("fake.image"))


def press(qtbot, widget, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.waitUntil(lambda: activate(widget.window()), timeout=5000)
    widget.setFocus()
    qtbot.keyClick(widget, key, modifier)


def titles(menu):
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def test_the_menu_bar_has_every_menu_and_reuses_the_widgets_actions(window):
    m = window.menus
    assert [a.text().replace("&", "") for a in window.menuBar().actions()] == [
        "File", "Edit", "View", "Generate", "Tools", "Help"]
    assert titles(m.file_menu) == ["Open file…", "Import folder…", "Save as…", "Quit"]
    assert window.canvas.save_as_action in m.file_menu.actions()
    assert titles(m.edit_menu)[:2] == ["Undo", "Redo"]
    assert "Preferences…" in titles(m.edit_menu)
    zoom = next(a.menu() for a in m.view_menu.actions() if a.text() == "&Zoom")
    assert window.canvas.fit_action in zoom.actions()
    assert window.canvas.zoom_in_action in zoom.actions()
    panels = next(a.menu() for a in m.view_menu.actions() if a.text() == "&Panels")
    assert {a.text() for a in panels.actions()} == {"Generate", "Queue", "Suggestions"}
    assert titles(m.tools_menu) == ["Plugin manager…", "Model manager…", "Runtime…"]
    assert titles(m.help_menu) == ["Documentation folder", "About Studio"]
    # Workspaces list the tabs, and choosing one shows it.
    m.workspace_menu.aboutToShow.emit()
    library = next(a for a in m.workspace_menu.actions() if a.text() == "Library")
    library.trigger()
    assert window.tabs.currentWidget() is window.library


def test_ctrl_enter_generates_from_the_prompt(window, qtbot):
    fake_image(window)
    window.panel.prompt.setPlainText("a lighthouse")
    press(qtbot, window.panel.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(window.jobs.rows) == 1
    assert window.panel.prompt.toPlainText() == "a lighthouse"  # no newline typed
    qtbot.waitUntil(lambda: window.studio.library.count() == 1, timeout=10000)
    assert window.studio.library.list()[0].prompt == "a lighthouse"


def test_esc_cancels_the_running_job(window, qtbot):
    fake_image(window)
    gate = fake_pack.GATES["menus-esc"] = threading.Event()
    window.panel.params.set_values({"gate": "menus-esc", "steps": 5})
    window.panel.generate.click()
    job_id = next(iter(window.jobs.rows))
    row = window.jobs.rows[job_id]
    # Running, as the queue shows it (the engine's events reach the row queued).
    qtbot.waitUntil(lambda: row.bar.format().startswith("Step 1/5"), timeout=10000)
    fired = []
    window.menus.cancel_action.triggered.connect(lambda: fired.append(row.bar.format()))
    press(qtbot, window.tabs, Qt.Key.Key_Escape)
    assert fired == ["Cancelling…"]  # the key ran the action, which asked at once
    gate.set()
    qtbot.waitUntil(lambda: window.studio.engine.job(job_id).state == "cancelled",
                    timeout=10000)


def test_esc_with_nothing_running_says_so(window, qtbot):
    said = []
    window.statusBar().messageChanged.connect(said.append)
    press(qtbot, window.tabs, Qt.Key.Key_Escape)
    assert "No job is running" in said


def live(win):
    return [a.id for a in win.studio.library.list()]


def test_delete_trashes_the_library_selection_and_ctrl_z_brings_it_back(window, qtbot):
    fake_image(window)
    window.panel.generate.click()
    qtbot.waitUntil(lambda: window.library.grid.count() == 1, timeout=10000)
    window.tabs.setCurrentWidget(window.library)
    window.library.grid.selectAll()
    press(qtbot, window.library.grid, Qt.Key.Key_Delete)
    assert live(window) == []
    press(qtbot, window.library.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(live(window)) == 1
    qtbot.waitUntil(lambda: window.library.grid.count() == 1, timeout=5000)
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    press(qtbot, window.library.grid, Qt.Key.Key_Z, shift_ctrl)
    assert live(window) == []


def test_ctrl_1_rates_in_the_library_though_the_view_menu_holds_the_canvas_1_1(window, qtbot):
    fake_image(window)
    window.panel.generate.click()
    qtbot.waitUntil(lambda: window.library.grid.count() == 1, timeout=10000)
    window.tabs.setCurrentWidget(window.library)
    window.library.grid.selectAll()
    zoom = window.canvas.view.zoom()
    press(qtbot, window.library.grid, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.studio.library.list()[0].rating == 1
    assert window.canvas.view.zoom() == zoom


def test_ctrl_f_focuses_the_library_search(window, qtbot):
    window.tabs.setCurrentWidget(window.canvas)
    window.library.search.setText("fox")
    press(qtbot, window.panel.prompt, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.library
    assert window.library.search.hasFocus()
    assert window.library.search.selectedText() == "fox"


def test_f11_toggles_full_screen(window, qtbot):
    press(qtbot, window.tabs, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen, timeout=3000)
    assert window.menus.fullscreen_action.isChecked()
    press(qtbot, window.tabs, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=3000)
    assert not window.menus.fullscreen_action.isChecked()


def test_tools_open_the_managers(window, qtbot):
    assert window.menus.plugin_manager() is window.plugin_page
    assert window.tabs.currentWidget() is window.plugin_page
    models = window.menus.model_manager()
    qtbot.waitUntil(lambda: "model" in models.total.text().lower(), timeout=5000)
    models.work.wait()
    models.close()
    prefs = window.menus.runtime()
    qtbot.waitUntil(lambda: "Active" in prefs.runtime_state.text()
                    or "cannot" in prefs.runtime_state.text(), timeout=10000)
    prefs.work.wait()
    prefs.close()


def test_ctrl_enter_on_the_writing_desk_continues_and_in_the_panel_generates(window, qtbot):
    window.tabs.setCurrentWidget(window.writing)
    window.writing.editor.setPlainText("Once")
    press(qtbot, window.writing.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert [j.request.modality for j in window.studio.engine.jobs()] == ["text"]
    qtbot.waitUntil(lambda: window.studio.library.count() == 1, timeout=10000)
    fake_image(window)
    window.tabs.setCurrentWidget(window.writing)
    press(qtbot, window.panel.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sorted(j.request.modality for j in window.studio.engine.jobs()) == ["image", "text"]
    qtbot.waitUntil(lambda: window.studio.library.count() == 2, timeout=10000)


def test_a_floating_panel_keeps_its_undo(window, qtbot):
    from PySide6.QtWidgets import QDockWidget

    dock = window.findChild(QDockWidget, "generate")
    dock.setFloating(True)
    qtbot.waitExposed(dock)
    window.undo.activate(window.canvas.mask.undo_stack)
    editor = window.panel.params.editor("steps")
    window.undo._focus_changed(None, editor)  # focus moves as the window manager allows
    assert window.undo.group.activeStack() is window.undo.panel_stack
