"""Engine backends that run in this process: a worker thread owns the device."""

from __future__ import annotations

import threading
from collections.abc import Callable

from studio.api import CancelToken, GenerationRequest, Output
from studio.app.jobs import JobEvent
from studio.app.runner import Runner


class ThreadBackend:
    """Runs jobs on the engine's worker thread, in this process (CLI, tests, benchmarks)."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self._tokens: dict[str, CancelToken] = {}
        self._lock = threading.Lock()
        self._early: set[str] = set()  # cancelled between "running" and the token existing

    def run(self, job_id: str, request: GenerationRequest,
            emit: Callable[[JobEvent], None]) -> list[Output]:
        token = CancelToken()
        with self._lock:
            self._tokens[job_id] = token
            if job_id in self._early:
                self._early.discard(job_id)
                token.cancel()
        try:
            return self.runner.run(job_id, request, emit, token)
        finally:
            with self._lock:
                self._tokens.pop(job_id, None)

    def cancel(self, job_id: str) -> None:
        with self._lock:
            token = self._tokens.get(job_id)
            if token is None:
                self._early.add(job_id)
        if token is not None:
            token.cancel()

    def shutdown(self) -> None:
        self.runner.cache.clear()
