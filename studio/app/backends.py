"""Engine backends that run in this process: jobs run on a job thread.

The job thread is long-lived and reused: a fresh thread per job made glibc fault
back in the memory the previous job freed (measured on tiny Wan: a text-encoder
pass took 71 ms on a new thread against 41 ms on a reused one). The engine's
thread waits for the job and relays its events, so a generator that misbehaves
fails only its job (issue #10):

- an exception, ``SystemExit`` (``sys.exit()``) included, fails the job with one line;
- ``os._exit()`` called from the job's thread is turned into that same failure
  instead of ending the process (see ``_ExitCalled``); an exit from C code, a
  segfault or a kill cannot be caught in-process: the worker-process backend is
  the one that survives those;
- a generator that ignores cancel for ``cancel_grace_s`` seconds is abandoned: its
  thread is left to finish on its own (Python cannot stop a thread), its job ends
  as cancelled, and later jobs get a new job thread, a fresh runner and model cache
  so they never wait on a lock the stuck thread holds. The memory the stuck job holds is freed
  only when its thread ends; the worker-process backend frees it by restarting.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, NoReturn

from studio.api import (
    Cancelled,
    CancelToken,
    GenerationRequest,
    Output,
    PluginError,
    StudioError,
)
from studio.app.jobs import JobEvent
from studio.app.runner import Runner, describe_failure

log = logging.getLogger(__name__)

#: Seconds a job may keep running after cancel before it is abandoned.
CANCEL_GRACE_S = 10.0
_POLL_S = 0.05


class JobThread:
    """A long-lived daemon thread that runs the callables given to it, one at a time.

    The callables catch everything themselves (a job thread never dies silently);
    ``os._exit`` on this thread is turned into ``_ExitCalled`` while it lives.
    """

    def __init__(self, name: str = "studio-jobs") -> None:
        self._work: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self.busy = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        _guarded_threads.add(_thread_key())
        try:
            while True:
                fn = self._work.get()
                if fn is None:
                    return
                self.busy.set()
                try:
                    fn()
                except BaseException:  # the callable's own bug: keep the thread for the next
                    log.exception("a job callable raised")
                finally:
                    self.busy.clear()
        finally:
            _guarded_threads.discard(_thread_key())

    def submit(self, fn: Callable[[], None]) -> None:
        self._work.put(fn)

    def retire(self) -> None:
        """End the thread once what it is running (perhaps stuck) returns."""
        self._work.put(None)


class ThreadBackend:
    """Runs jobs on a job thread in this process (CLI, tests, benchmarks)."""

    def __init__(self, runner: Runner, cancel_grace_s: float = CANCEL_GRACE_S) -> None:
        self.runner = runner
        self.cancel_grace_s = cancel_grace_s
        self.abandoned = 0  # jobs left running after they ignored cancel
        self._tokens: dict[str, CancelToken] = {}
        self._cancelled_at: dict[str, float] = {}
        self._lock = threading.Lock()
        self._early: set[str] = set()  # cancelled between "running" and the token existing
        self._closing = threading.Event()
        self._worker: JobThread | None = None
        _install_exit_guard()

    def run(self, job_id: str, request: GenerationRequest,
            emit: Callable[[JobEvent], None]) -> list[Output]:
        token = CancelToken()
        with self._lock:
            self._tokens[job_id] = token
            if job_id in self._early:
                self._early.discard(job_id)
                self._cancelled_at[job_id] = time.monotonic()
                token.cancel()
        result: dict[str, Any] = {}
        runner = self.runner
        finished = threading.Event()
        abandoned = threading.Event()

        def relay(event: JobEvent) -> None:
            # Straight from the job thread, so a listener that cancels at step k stops
            # the job within that step; an abandoned job's late events are dropped.
            if not abandoned.is_set():
                emit(event)

        def work() -> None:
            try:
                result["outputs"] = runner.run(job_id, request, relay, token)
            except BaseException as exc:  # reported below; a job thread never dies silently
                result["exc"] = exc
            finally:
                finished.set()

        if self._worker is None:
            self._worker = JobThread()
        worker = self._worker
        try:
            worker.submit(work)
            while not finished.wait(_POLL_S):
                if self._overdue(job_id):
                    abandoned.set()
                    self._abandon(job_id, worker)
        finally:
            with self._lock:
                self._tokens.pop(job_id, None)
                self._cancelled_at.pop(job_id, None)
        return _outcome(result)

    def _overdue(self, job_id: str) -> bool:
        if self._closing.is_set():
            return True
        cancelled_at = self._cancelled_at.get(job_id)
        return cancelled_at is not None and time.monotonic() - cancelled_at > self.cancel_grace_s

    def _abandon(self, job_id: str, worker: JobThread) -> NoReturn:
        if self._closing.is_set():
            # Whoever shuts down while a job runs has told the user already (the CLI).
            log.info("shutting down: abandoned the running job's thread")
        else:
            log.warning("job %s ignored cancel for %g s; abandoned its thread",
                        job_id, self.cancel_grace_s)
        self.abandoned += 1
        worker.retire()  # it ends when the stuck job returns; later jobs get a new one
        if self._worker is worker:
            self._worker = None
        # The stuck thread may hold the model cache's lock (stuck in a load) and keeps
        # its model: the next job starts from a fresh runner instead of sharing them.
        self.runner = self.runner.fresh()
        raise Cancelled(f"the generator did not stop within {self.cancel_grace_s:g} s of "
                        "the cancel; the job was abandoned")

    def check(self, request: GenerationRequest) -> None:
        """Run the generator's own ``check_request`` and ``check_load`` now, so bad input
        is refused before it is queued. Only their ``StudioError`` counts: a generator that
        cannot even be imported, or whose check is buggy, fails its job instead."""
        try:
            gen = self.runner.generator(request.generator)
        except Exception:
            log.debug("could not import %s to check a request", request.generator,
                      exc_info=True)
            return
        try:
            gen.check_request(request)
            gen.check_load(request, self.runner.plan())
        except StudioError:
            raise
        except (Exception, SystemExit):
            log.debug("%s's checks failed", request.generator, exc_info=True)

    def cancel(self, job_id: str) -> None:
        with self._lock:
            token = self._tokens.get(job_id)
            if token is None:
                self._early.add(job_id)
            else:
                self._cancelled_at.setdefault(job_id, time.monotonic())
        if token is not None:
            token.cancel()

    def shutdown(self) -> None:
        self._closing.set()
        with self._lock:
            tokens = list(self._tokens.values())
        for token in tokens:
            token.cancel()
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.retire()
            if worker.busy.is_set():
                # A job still running now is being abandoned: clearing the cache could
                # wait forever on a lock its thread holds.
                return
        self.runner.cache.clear()


def _outcome(result: dict[str, Any]) -> list[Output]:
    exc = result.get("exc")
    if exc is None:
        return result["outputs"]
    if isinstance(exc, Exception):
        raise exc
    if isinstance(exc, _ExitCalled):
        raise PluginError(f"the generator called os._exit({exc.code}) (a bug in the "
                          "generator; the studio carried on)") from None
    if isinstance(exc, SystemExit):
        raise PluginError(f"the generator called sys.exit({exc.code!r}) (a bug in the "
                          "generator; the studio carried on)") from None
    raise PluginError(describe_failure(exc)) from None


# -- os._exit from a job thread ------------------------------------------------------


class _ExitCalled(BaseException):
    """``os._exit(code)`` was called on a job thread; a BaseException so that a
    plugin's own ``except Exception`` does not swallow it."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


_real_os_exit = os._exit
#: (pid, thread ident) of running job threads: keyed by pid too, so a child forked
#: from a job thread still exits for real.
_guarded_threads: set[tuple[int, int]] = set()


def _thread_key() -> tuple[int, int]:
    return os.getpid(), threading.get_ident()


def _guarded_exit(code: int) -> NoReturn:
    if _thread_key() in _guarded_threads:
        raise _ExitCalled(code)
    _real_os_exit(code)


def _install_exit_guard() -> None:
    if os._exit is not _guarded_exit:
        os._exit = _guarded_exit
