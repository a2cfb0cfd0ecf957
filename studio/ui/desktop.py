"""The window's desktop habits in one place (issue #14): menus and shortcuts, one
Undo, the app icon, and the layout kept across restarts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.ui import window_state
from studio.ui.icons import app_icon
from studio.ui.menus import Menus
from studio.ui.undo import UndoRouter

#: The window's attributes that are workspaces (tabs) worth coming back to.
WORKSPACES = ("canvas", "writing", "music", "video", "library", "profile", "plugin_page")


def install(window: Any) -> bool:
    """Add the menus, Undo and icon to a built ``window`` and restore its last layout.

    Returns whether a saved layout was restored (the window then keeps its docks'
    sizes rather than setting its defaults).
    """
    window.undo = UndoRouter(window)
    window.menus = Menus(window)
    window.setWindowIcon(app_icon())
    restored = window_state.restore(window, window.studio.root)
    tab = window_state.settings_for(window.studio.root).value("window/tab")
    widget = getattr(window, tab, None) if tab in WORKSPACES else None
    if widget is not None and window.tabs.indexOf(widget) >= 0 \
            and getattr(window, "welcome", None) is None:
        window.tabs.setCurrentWidget(widget)
    return restored


def shutdown(window: Any) -> None:
    """Save the layout (before the views go); stop following the focus."""
    window_state.save(window, window.studio.root)
    store = window_state.settings_for(window.studio.root)
    current = window.tabs.currentWidget()
    # By the view's name, not its tab's label: the label changes with the language.
    name = next((n for n in WORKSPACES if getattr(window, n, None) is current), "")
    store.setValue("window/tab", name)
    store.sync()
    window_state.private(Path(store.fileName()))
    window.undo.shutdown()
