"""One Edit > Undo for the window: parameter edits, suggestion Apply, mask strokes and
library actions, each undone where the user was working (issue #14)."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoCommand

from studio.app.suggest import Suggestion
from tests.test_ui_menus import activate, press, shown_and_active

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(open_window, qtbot):
    return shown_and_active(open_window(fake_image=True), qtbot)


def steps(win):
    return win.panel.params.editor("steps")


def test_ctrl_z_undoes_a_parameter_edit_and_ctrl_shift_z_redoes_it(window, qtbot):
    editor = steps(window)
    assert editor.value() == 4
    press(qtbot, editor, Qt.Key.Key_Up)
    press(qtbot, editor, Qt.Key.Key_Up)  # one field edited twice in a row: one step
    assert window.panel.params.values() == {"steps": 6}
    scheduler = window.panel.params.editor("scheduler")
    scheduler.setFocus()
    scheduler.setCurrentText("ddim")
    assert window.panel.params.values() == {"steps": 6, "scheduler": "ddim"}
    press(qtbot, editor, Qt.Key.Key_Z, CTRL)
    assert window.panel.params.values() == {"steps": 6}
    press(qtbot, editor, Qt.Key.Key_Z, CTRL)
    assert window.panel.params.values() == {}
    assert editor.value() == 4
    press(qtbot, editor, Qt.Key.Key_Z, CTRL_SHIFT)
    assert window.panel.params.values() == {"steps": 6}
    window.undo.redo_action.trigger()  # Edit > Redo does the same
    assert window.panel.params.values() == {"steps": 6, "scheduler": "ddim"}
    assert window.undo.undo_action.text() == "Undo edit scheduler"


def sugg(kind, text, params=None):
    return Suggestion(id=f"{kind}:{text}", kind=kind, text=text, modality="image",
                      reason="because", score=0.5, source="style", params=params or {})


def test_edit_undo_takes_back_a_suggestion_apply(window, qtbot):
    view = window.suggestions
    window.panel.prompt.setPlainText("my own words")
    view._request_no += 1
    view._show(view._request_no, [sugg("style", "a heron, ink"),
                                  sugg("params", "steps 40", {"steps": 40})])
    prompt_card, params_card = view.cards()
    prompt_card.apply_button.setFocus()
    prompt_card.apply_button.click()
    params_card.apply_button.setFocus()
    params_card.apply_button.click()
    assert window.panel.prompt.toPlainText() == "a heron, ink"
    assert window.panel.params.values() == {"steps": 40}
    # Applied from the sidebar: not a hand edit of the panel as well.
    assert window.undo.panel_stack.count() == 0
    # The active history follows the focus. Offscreen, a window closed by an earlier test
    # can take the activation away a moment later, and a re-rank can replace the cards:
    # so the window is made active again and the focus put on the sidebar itself.
    qtbot.waitUntil(lambda: activate(window), timeout=5000)
    view.scroll.setFocus()
    qtbot.waitUntil(lambda: window.undo.group.activeStack() is view.undo_stack, timeout=3000)
    press(qtbot, view.scroll, Qt.Key.Key_Z, CTRL)
    assert window.panel.params.values() == {}
    window.undo.undo_action.trigger()
    assert window.panel.prompt.toPlainText() == "my own words"
    window.undo.redo_action.trigger()
    assert window.panel.prompt.toPlainText() == "a heron, ink"


def test_edit_undo_brings_back_a_library_delete_and_undoes_favourite_and_rating(window, qtbot):
    window.panel.generate.click()
    qtbot.waitUntil(lambda: window.library.grid.count() == 1, timeout=10000)
    lib = window.studio.library
    aid = lib.list()[0].id
    window.tabs.setCurrentWidget(window.library)
    window.library.grid.selectAll()
    window.library.favourite_action.trigger()
    window.library.rate_actions[3].trigger()
    assert lib.get(aid).favourite and lib.get(aid).rating == 4
    window.undo.undo_action.trigger()
    assert lib.get(aid).rating is None
    window.undo.undo_action.trigger()
    assert not lib.get(aid).favourite
    window.undo.redo_action.trigger()
    assert lib.get(aid).favourite
    window.library.delete_action.trigger()
    assert [a.id for a in lib.list()] == []
    assert window.library.undo_action.isEnabled()  # the library's own Undo button
    window.tabs.setCurrentWidget(window.canvas)  # undo is not lost by looking elsewhere
    window.undo.undo_action.trigger()
    assert [a.id for a in lib.list()] == [aid]
    qtbot.waitUntil(lambda: window.library.grid.count() == 1, timeout=5000)
    window.undo.redo_action.trigger()
    assert [a.id for a in lib.list()] == []
    window.library.undo_button.click()
    assert [a.id for a in lib.list()] == [aid]


class Stroke(QUndoCommand):
    def __init__(self, log):
        super().__init__("stroke")
        self.log = log

    def redo(self):
        self.log.append("redo")

    def undo(self):
        self.log.append("undo")


def test_the_part_with_the_focus_is_the_one_undone(window, qtbot):
    log = []
    window.canvas.mask.undo_stack.push(Stroke(log))
    press(qtbot, steps(window), Qt.Key.Key_Up)
    assert window.undo.group.activeStack() is window.undo.panel_stack
    press(qtbot, window.canvas.view, Qt.Key.Key_Z, CTRL)
    assert log == ["redo", "undo"]  # the mask's stroke, not the panel's edit
    assert window.panel.params.values() == {"steps": 5}
    press(qtbot, steps(window), Qt.Key.Key_Z, CTRL)
    assert window.panel.params.values() == {}
    assert log == ["redo", "undo"]


def test_ctrl_z_in_the_prompt_is_the_prompt_own_undo(window, qtbot):
    prompt = window.panel.prompt
    prompt.setFocus()
    qtbot.keyClicks(prompt, "fox")
    press(qtbot, steps(window), Qt.Key.Key_Up)
    press(qtbot, prompt, Qt.Key.Key_Z, CTRL)
    assert prompt.toPlainText() == ""
    assert window.panel.params.values() == {"steps": 5}  # the form's edit is kept
