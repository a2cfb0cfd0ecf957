"""The window's geometry, docks and splitters, kept across restarts (issue #14).

Stored with QSettings in an INI file inside the studio's data folder, so two data
folders (and every test) keep their own layout. A layout that cannot be read is
ignored: the window opens at its default size, never half-restored.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter

log = logging.getLogger(__name__)

STATE_FILE = "window.ini"
#: Bumped when the docks change so much that an old layout would misplace them.
LAYOUT_VERSION = 1


def settings_for(root: Path) -> QSettings:
    return QSettings(str(Path(root) / STATE_FILE), QSettings.Format.IniFormat)


def _splitters(window: QMainWindow) -> list[QSplitter]:
    # Only named splitters: an unnamed one cannot be told apart from the next.
    return [s for s in window.findChildren(QSplitter) if s.objectName()]


def save(window: QMainWindow, root: Path) -> None:
    """Write the window's geometry, docks/toolbars and named splitters."""
    store = settings_for(root)
    store.setValue("window/geometry", window.saveGeometry())
    store.setValue("window/state", window.saveState(LAYOUT_VERSION))
    store.setValue("window/fullscreen", window.isFullScreen())
    for splitter in _splitters(window):
        store.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())
    store.sync()
    if store.status() != QSettings.Status.NoError:
        log.warning("the window layout was not saved to %s", store.fileName())
        return
    private(Path(store.fileName()))


def private(path: Path) -> None:
    """QSettings writes with the umask's mode: data files are the user's alone."""
    try:
        path.chmod(0o600)
    except OSError as exc:
        log.debug("%s: mode not set (%s)", path, exc)


def restore(window: QMainWindow, root: Path) -> bool:
    """Put back what ``save`` wrote; False when there was nothing usable."""
    store = settings_for(root)
    if store.status() != QSettings.Status.NoError:
        log.warning("the window layout in %s is unreadable; using the default",
                    store.fileName())
        return False
    geometry = _bytes(store.value("window/geometry"))
    state = _bytes(store.value("window/state"))
    restored = False
    if geometry is not None:
        restored = window.restoreGeometry(geometry)
    if state is not None:
        restored = window.restoreState(state, LAYOUT_VERSION) and restored
    for splitter in _splitters(window):
        saved = _bytes(store.value(f"splitters/{splitter.objectName()}"))
        if saved is not None:
            splitter.restoreState(saved)
    return restored


def _bytes(value: Any) -> QByteArray | None:
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    if isinstance(value, (bytes, bytearray)) and value:
        return QByteArray(bytes(value))
    return None
