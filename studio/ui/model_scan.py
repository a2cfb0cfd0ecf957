"""The models on disk (Hugging Face cache, the user's model folders), read off the UI thread.

A cache with many repos takes tens of milliseconds to list (a stat per file), so
the pickers show the generators' own recommendations at once and add what is on
disk when the scan is done. One scanner serves the prompt panel and the desk.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal

from studio.app.model_catalog import cached_repos, local_models

log = logging.getLogger(__name__)

Listing = tuple[dict[str, int], dict[str, int]]  # (hub cache, model folders): ref -> bytes


class ModelScan(QObject):
    """``ready`` fires on the UI thread each time a scan finishes."""

    ready = Signal()

    def __init__(self, folders: list[str] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folders = list(folders or ())
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-models")
        self._future: Future | None = None
        self._listing: Listing = ({}, {})
        self._closed = False
        # Polled from the UI thread: no signal is emitted from the worker, so a scan
        # that ends after the window closed touches nothing.
        self._poll = QTimer(self)
        self._poll.setInterval(30)
        self._poll.timeout.connect(self._check)
        self.rescan()

    @property
    def listing(self) -> Listing:
        """The last finished scan (empty until the first one is done)."""
        return self._listing

    @property
    def busy(self) -> bool:
        return self._future is not None and not self._future.done()

    def rescan(self) -> None:
        if self._closed:
            return
        folders = list(self.folders)
        self._future = self._pool.submit(lambda: (cached_repos(), local_models(folders)))
        self._poll.start()

    def wait(self, timeout: float = 10.0) -> None:
        """Block until the running scan is done and deliver it (tests, screenshots)."""
        if self._future is not None:
            self._future.result(timeout)
        self._check()

    def _check(self) -> None:
        future = self._future
        if future is None or not future.done():
            return
        self._poll.stop()
        self._future = None
        try:
            self._listing = future.result()
        except Exception:  # an unreadable cache lists nothing; the recommendations remain
            log.warning("the model folders could not be listed", exc_info=True)
            return
        self.ready.emit()

    def close(self) -> None:
        self._closed = True
        self._poll.stop()
        self._pool.shutdown(wait=True)
