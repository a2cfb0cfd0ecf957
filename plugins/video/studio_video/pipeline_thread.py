"""One long-lived thread per loaded model for its pipeline calls.

The studio runs every job on a thread of its own. glibc gives each thread its own
heap and hands freed pages back to the system, so a new thread can take page
faults again for every large tensor the pipeline makes (the tiny Wan's text
encoder: 71 ms on a new thread, 41 ms on a reused one). Calling the pipeline on
one thread that outlives the jobs keeps those pages; the job's thread waits for
it, so cancel, progress and errors behave as before.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_STOP: Any = object()


class PipelineThread:
    """Runs calls one at a time on a daemon thread started on first use.

    A daemon thread, like the jobs' own: a pipeline stuck past the host's cancel
    grace is left behind with its job, and the process can still exit. ``stop``
    ends it once the call in progress, if any, returns.
    """

    def __init__(self, name: str = "studio-video-pipeline") -> None:
        self.name = name
        self._calls: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def call(self, fn: Callable[[], T]) -> T:
        """``fn()`` on the pipeline thread; its exception, if any, is raised here."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                # A queue of its own: a thread being stopped never takes its calls.
                self._calls = queue.SimpleQueue()
                self._thread = threading.Thread(target=self._serve, args=(self._calls,),
                                                name=self.name, daemon=True)
                self._thread.start()
            calls = self._calls
        box: dict[str, Any] = {}
        done = threading.Event()
        calls.put((fn, box, done))
        done.wait()
        if "error" in box:
            raise box["error"]
        return box["value"]

    def stop(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._calls.put(_STOP)
                self._thread = None

    @staticmethod
    def _serve(calls: queue.SimpleQueue[Any]) -> None:
        while True:
            item = calls.get()
            if item is _STOP:
                return
            fn, box, done = item
            try:
                box["value"] = fn()
            except BaseException as exc:  # handed to the caller, which raises it
                box["error"] = exc
            finally:
                done.set()
                del item, fn, box  # the clip's frames go with the caller, not this thread
