"""QActions owned by a view, so menus (issue #14) and shortcuts can reuse them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


def view_action(owner: QWidget, text: str, slot: Callable[[], Any],
                shortcut: Any = None) -> QAction:
    """An action on ``owner``; its shortcut acts only while the view has the focus, so
    the same key (Delete, Ctrl+Z) can mean something else in another view."""
    act = QAction(text, owner)
    act.triggered.connect(slot)
    if shortcut is not None:
        act.setShortcut(QKeySequence(shortcut))
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    owner.addAction(act)
    return act
