"""Run one slow call (an install, a scan, a delete) off the UI thread; the outcome comes
back on the GUI thread as a queued signal (the pattern of ``bridge.EngineBridge``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from studio.api import StudioError

log = logging.getLogger(__name__)


class Background(QObject):
    """``run(name, fn, on_done)``: ``on_done(result, "")`` or ``on_done(None, one line)``."""

    _finished = Signal(object, object, str)  # (callback, result, error line)
    #: a line of progress from the call (``report`` passed to ``fn`` when it asks)
    line = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threads: list[threading.Thread] = []
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def run(self, name: str, fn: Callable[[], Any],
            on_done: Callable[[Any, str], None]) -> threading.Thread:
        def work() -> None:
            try:
                outcome = (on_done, fn(), "")
            except StudioError as exc:
                outcome = (on_done, None, str(exc))
            except Exception as exc:  # reported in one line, never lost with its thread
                log.error("%s failed", name, exc_info=True)
                outcome = (on_done, None, f"{type(exc).__name__}: {exc}")
            try:
                self._finished.emit(*outcome)
            except RuntimeError:  # the dialog was closed meanwhile: nobody to tell
                log.debug("%s finished after its window closed", name)

        thread = threading.Thread(target=work, name=f"studio-{name}", daemon=True)
        self.threads = [t for t in self.threads if t.is_alive()] + [thread]
        thread.start()
        return thread

    @property
    def busy(self) -> bool:
        return any(t.is_alive() for t in self.threads)

    def wait(self, timeout: float = 10.0) -> None:
        for thread in self.threads:
            thread.join(timeout)

    def _deliver(self, on_done: Callable[[Any, str], None], result: Any, error: str) -> None:
        on_done(result, error)
