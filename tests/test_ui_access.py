"""Access: every control has a name a screen reader can say; the main flows by keyboard."""

import os
import re

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QSlider,
    QTextEdit,
)

from studio.app import sample_library
from studio.app.studio import Studio
from studio.ui.main_window import MainWindow
from tests.ui_texts import widgets

INTERACTIVE = (QAbstractButton, QLineEdit, QTextEdit, QPlainTextEdit, QComboBox,
               QAbstractSpinBox, QSlider, QAbstractItemView)
#: A name says something: a symbol alone ("+", "…", "★") does not.
_SAYS_SOMETHING = re.compile(r"[^\W\d_]{2,}")


@pytest.fixture
def window(qtbot, fake_entry_points, tmp_path):
    studio = Studio(root=tmp_path / "data", backend="thread")
    studio.settings.device = "cpu"
    sample_library.build(studio)
    win = MainWindow(studio)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    studio.close()


def accessible_name(widget) -> str:
    """The name assistive technology gets: the explicit one, else what Qt derives
    (a button's text, a field's label)."""
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name) if iface is not None else ""


def nameless(win) -> list[str]:
    return sorted(f"{type(w).__name__} {w.objectName()!r} in {type(w.parentWidget()).__name__}"
                  f" (name {accessible_name(w)!r})"
                  for w in widgets(win)
                  if isinstance(w, INTERACTIVE)
                  and not _SAYS_SOMETHING.search(accessible_name(w)))


def test_every_interactive_widget_has_an_accessible_name(window, qtbot):
    # Every workspace's controls, not only the tab in front.
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
    checked = [w for w in widgets(window) if isinstance(w, INTERACTIVE)]
    assert len(checked) > 40
    assert nameless(window) == []


def test_the_check_finds_a_nameless_button(window):
    from PySide6.QtWidgets import QPushButton

    button = QPushButton("…", window.panel)
    assert any("QPushButton" in line for line in nameless(window))
    button.setAccessibleName("Choose a file")
    assert not any("QPushButton" in line for line in nameless(window))


def test_the_identical_suggestion_buttons_say_what_they_apply(window, qtbot):
    cards = window.suggestions
    qtbot.waitUntil(lambda: bool(apply_buttons(cards)), timeout=10000)
    names = [accessible_name(b) for b in apply_buttons(cards)]
    assert all(n.startswith("Apply suggestion: ") and len(n) > len("Apply suggestion: ")
               for n in names)
    assert len(set(names)) == len(names)  # each says its own suggestion


def apply_buttons(view):
    return [b for b in view.findChildren(QAbstractButton)
            if b.text() == "Apply" and b.isVisibleTo(view)]


def focus_walk(qtbot, start, steps: int = 60) -> list:
    """The widgets Tab visits from ``start``, pressing Tab on each in turn."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    seen = [start]
    for _ in range(steps):
        qtbot.keyClick(seen[-1], Qt.Key.Key_Tab)
        # The window's focus widget: offscreen, the window may never be the active one.
        now = start.window().focusWidget()
        seen.append(now)
        if now is start:
            break
    return seen


def test_tab_from_the_prompt_goes_through_the_parameters_to_generate(window, qtbot):
    panel = window.panel
    panel.modality.setCurrentText("image")
    panel.generator.setCurrentIndex(panel.generator.findData("fake.image"))
    panel.prompt.setPlainText("a fox")
    walk = focus_walk(qtbot, panel.prompt)
    assert panel.generate in walk
    before_generate = walk[:walk.index(panel.generate)]
    editors = [panel.params.editor(n) for n in panel.params.names()]
    shown = [e for e in editors if e is not None and e.isVisibleTo(panel) and e.isEnabled()]
    assert shown and all(e in before_generate for e in shown)
    assert panel.prompt.toPlainText() == "a fox"  # Tab moved on, typed no tab
    # Enter on the focused button generates (no mouse).
    qtbot.keyClick(panel.generate, Qt.Key.Key_Space)
    assert len(window.jobs.rows) == 1


def test_library_tiles_by_arrows_and_enter(window, qtbot):
    opened = []
    window.library.opened.connect(opened.append)
    window.tabs.setCurrentWidget(window.library)
    grid = window.library.grid
    qtbot.waitUntil(lambda: grid.model().rowCount() >= 2, timeout=10000)
    qtbot.waitUntil(grid.isVisible, timeout=2000)
    grid.setCurrentIndex(grid.model().index(0, 0))
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    assert grid.currentIndex().row() == 1
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert [a.id for a in opened] == [grid.model().artifact(grid.currentIndex().row()).id]
