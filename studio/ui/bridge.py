"""Adapts the app layer's plain callbacks to Qt signals delivered on the GUI thread."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QPixmap


class EngineBridge(QObject):
    """Re-emits engine events as a Qt signal.

    The engine calls listeners on its own thread; emitting a signal of a QObject
    that lives in the GUI thread queues the call there, so slots may touch widgets.
    """

    jobEvent = Signal(object)

    def __init__(self, engine: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._dispose = engine.subscribe(self.jobEvent.emit)

    def close(self) -> None:
        self._dispose()


def pil_to_pixmap(image: Any) -> QPixmap:
    """Convert a PIL image to a QPixmap without an ImageQt dependency."""
    rgba = image.convert("RGBA")
    data = rgba.tobytes("raw", "RGBA")
    qimage = QImage(data, rgba.width, rgba.height, rgba.width * 4, QImage.Format.Format_RGBA8888)
    return QPixmap.fromImage(qimage.copy())  # copy: ``data`` is freed when we return
