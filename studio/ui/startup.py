"""Work the window does once it has been painted, so the user sees it sooner.

The profile, the suggestions, the library grid and the Plugins page are not
needed for the first picture of the window; each is queued here and starts in
the event loop's turn after the window's first paint (issue #14).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

log = logging.getLogger(__name__)

#: Set to print ``first-paint <time.perf_counter()>`` on the window's first paint and
#: ``ready <time>`` once the work queued for after it has run; ``quit`` also closes
#: the window then (bench/ui_start.py).
ENV_FIRST_PAINT = "STUDIO_FIRST_PAINT"


class AfterFirstPaint(QObject):
    """Runs queued callables after ``window``'s first paint, in the order queued."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._pending: list[Callable[[], object]] = []
        self.painted = False
        window.installEventFilter(self)

    def later(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` after the first paint (at once, in the next turn, if it was)."""
        if self.painted:
            QTimer.singleShot(0, fn)
        else:
            self._pending.append(fn)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt override
        if obj is self._window and event.type() == QEvent.Type.Paint and not self.painted:
            self.painted = True
            self._window.removeEventFilter(self)
            mark = os.environ.get(ENV_FIRST_PAINT)
            if mark:
                print(f"first-paint {time.perf_counter():.6f}", flush=True)
            # The next turn, so the paint in progress reaches the screen first.
            QTimer.singleShot(0, self._run)
            if mark == "quit":
                QTimer.singleShot(0, self._quit)
        return False

    def flush(self) -> None:
        """Run what is still queued now (a window closed before it was ever painted)."""
        self.painted = True
        self._run()

    def _run(self) -> None:
        pending, self._pending = self._pending, []
        for fn in pending:
            try:
                fn()
            except Exception:  # one failed fill must not keep the others away
                log.exception("deferred start-up step failed")
        if pending and os.environ.get(ENV_FIRST_PAINT):
            print(f"ready {time.perf_counter():.6f}", flush=True)

    def _quit(self) -> None:
        self._window.close()
        app = QApplication.instance()
        if app is not None:
            app.quit()
        sys.stdout.flush()


def open_in_background(library: Any) -> threading.Thread:
    """Open the library's index (its checks and migrations) on a thread of its own.

    Done lazily, it was the first Generate that opened it, on the UI thread: 40-120 ms
    of frozen window (bench/ui_latency.py). A damaged index is kept by the library and
    reported, as before, when a job is submitted.
    """
    def work() -> None:
        try:
            library.open()
        except Exception as exc:  # reported by the submit that needs it
            log.info("the library index did not open ahead of use: %s", exc)

    thread = threading.Thread(target=work, name="studio-library-open", daemon=True)
    thread.start()
    return thread
