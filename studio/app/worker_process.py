"""The worker-process backend: a long-lived child process owns the device.

Importing torch and diffusers holds the GIL for long stretches; on a thread of
the UI process that froze the Qt event loop for up to 1.2 s, in a child process
it cost the UI 4 ms. So the GUI runs generation here: the child discovers the
same plugins, runs each job on a thread of its own (its main thread keeps
listening for cancel), and sends progress, previews and outputs back over a
pipe. If the child dies, only the running job fails and the next job starts a
fresh child; a job that ignores cancel is ended by restarting the child.

Messages are plain tuples of picklable data, so another transport (a socket, a
Ray actor) can carry the same protocol.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import multiprocessing as mp
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from studio.api import Cancelled, GenerationRequest, Output, StudioError
from studio.app.backends import JobThread
from studio.app.jobs import JobEvent, raise_failure
from studio.app.runtime import worker_python
from studio.app.settings import Settings
from studio.app.worker_launch import connect_from_stdin, start_external

log = logging.getLogger(__name__)

#: Seconds a job may keep running after cancel before the worker is restarted.
CANCEL_GRACE_S = 10.0


class WorkerDied(StudioError):
    """The worker process exited while running a job."""


class ProcessBackend:
    def __init__(
        self,
        root: Path,
        settings: Settings,
        extra_plugins: Sequence[str] = (),
        cancel_grace_s: float = CANCEL_GRACE_S,
        env: dict[str, str] | None = None,
        slot_name: str = "",
    ) -> None:
        """``env``: variables set in the worker before it imports anything (a device
        pinned with ``CUDA_VISIBLE_DEVICES``); ``slot_name``: the engine's name for it."""
        self.root = Path(root)
        self.settings = settings
        self.extra_plugins = list(extra_plugins)
        self.env = dict(env or {})
        self.slot_name = slot_name
        self.cancel_grace_s = cancel_grace_s
        self._ctx = mp.get_context("spawn")  # fork after threads exist is unsafe
        self._proc: Any = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()
        self._cancel_at: dict[str, float] = {}
        self.restarts = 0

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> None:
        """Start the worker now (the GUI does this at launch to warm it up)."""
        with self._lock:
            self._ensure_started()

    def _ensure_started(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            return
        if self._proc is not None:
            self.restarts += 1
            self._close_conn()
        python = worker_python()
        if python != sys.executable:
            # The accelerated runtime (studio.app.runtime); the app's own Python
            # stays the fallback, so a broken runtime never stops generation.
            try:
                self._proc, self._conn = start_external(python, (
                    str(self.root), dataclasses.asdict(self.settings), self.extra_plugins,
                    self.env))
                return
            except StudioError as exc:
                log.warning("%s; the worker runs on the app's own Python instead", exc)
        parent, child = self._ctx.Pipe(duplex=True)
        self._proc = self._ctx.Process(
            target=_child_main,
            args=(child, str(self.root), dataclasses.asdict(self.settings), self.extra_plugins,
                  self.env),
            name="studio-worker",
            daemon=True,
        )
        self._proc.start()
        child.close()
        self._conn = parent

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def shutdown(self) -> None:
        with self._lock:
            if self._proc is None:
                return
            try:
                if self._conn is not None:
                    self._conn.send(("shutdown",))
            except (OSError, ValueError):
                pass
            self._proc.join(timeout=5)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join(timeout=5)
            self._close_conn()
            self._proc = None

    def _close_conn(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _kill(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            self._proc.kill()
            self._proc.join(timeout=5)

    # -- the backend protocol ------------------------------------------------------

    def run(self, job_id: str, request: GenerationRequest,
            emit: Callable[[JobEvent], None]) -> list[Output]:
        with self._lock:
            self._ensure_started()
            conn = self._conn
            assert conn is not None
            conn.send(("run", job_id, request.to_dict()))
        while True:
            cancel_at = self._cancel_at.get(job_id)
            if cancel_at is not None and time.monotonic() - cancel_at > self.cancel_grace_s:
                log.warning("job %s ignored cancel for %.0f s; restarting the worker",
                            job_id, self.cancel_grace_s)
                self._kill()
                self._cancel_at.pop(job_id, None)
                raise Cancelled()
            try:
                ready = conn.poll(0.05)
                message = conn.recv() if ready else None
            except (EOFError, OSError):
                message = None
                ready = True  # the pipe broke: treat as a death below
            if message is None:
                if ready or not self._proc.is_alive():
                    self._proc.join(timeout=5)
                    self._cancel_at.pop(job_id, None)
                    if cancel_at is not None:
                        raise Cancelled()
                    raise WorkerDied(f"the worker process stopped while running this job "
                                     f"({_describe_exit(self._proc.exitcode)}); it will be "
                                     "restarted for the next job")
                continue
            tag = message[0]
            if tag == "event":
                emit(JobEvent(**message[1]))
            elif tag == "done":
                self._cancel_at.pop(job_id, None)
                return message[2]
            elif tag == "error":
                self._cancel_at.pop(job_id, None)
                _, _, kind, text = message
                raise_failure(kind, text)

    def cancel(self, job_id: str) -> None:
        self._cancel_at.setdefault(job_id, time.monotonic())
        conn = self._conn
        if conn is not None:
            try:
                conn.send(("cancel", job_id))
            except (OSError, ValueError):
                pass


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "exit code unknown"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


# -- the child side -----------------------------------------------------------------


def child_entry() -> None:
    """The worker's main when started on another Python (``worker_launch``)."""
    conn, init = connect_from_stdin()
    _child_main(conn, *init)


def _child_main(conn: Connection, root: str, settings: dict, extra_plugins: list[str],
                env: dict[str, str] | None = None) -> None:
    import importlib
    import os

    # Before torch is imported: CUDA reads CUDA_VISIBLE_DEVICES once, at its start.
    os.environ.update(env or {})

    from studio.api import CancelToken
    from studio.app.plugins import PluginHost
    from studio.app.runner import Runner, describe_failure

    # The parent owns Ctrl-C handling; the worker stops when told or when the pipe closes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    host = PluginHost(disabled=settings.get("disabled_plugins", ()))
    host.discover()
    for path in extra_plugins:
        host.register_module(importlib.import_module(path), path.rsplit(".", 1)[-1])
    runner = Runner(host, Settings(**settings), cache_dir=Path(root) / "cache")
    send_lock = threading.Lock()
    tokens: dict[str, CancelToken] = {}
    jobs = JobThread()

    def send(msg: tuple) -> None:
        with send_lock:
            conn.send(msg)

    def work(job_id: str, request_dict: dict) -> None:
        token = tokens[job_id]
        try:
            request = GenerationRequest.from_dict(request_dict)
            outputs = runner.run(
                job_id, request,
                lambda ev: send(("event", dataclasses.asdict(ev))),
                token,
            )
            send(("done", job_id, outputs))
        except Cancelled:
            send(("error", job_id, "cancelled", "cancelled"))
        except StudioError as exc:
            send(("error", job_id, "studio", str(exc)))
        except BaseException as exc:  # report every failure, never die silently
            logging.getLogger(__name__).error("job failed", exc_info=True)
            send(("error", job_id, "bug", describe_failure(exc)))
        finally:
            tokens.pop(job_id, None)

    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # parent went away
        tag = message[0]
        if tag == "run":
            _, job_id, request_dict = message
            tokens[job_id] = CancelToken()
            # One reused job thread (see backends.JobThread: a new thread per job costs
            # page faults); a job that ignores cancel gets the worker restarted instead.
            jobs.submit(functools.partial(work, job_id, request_dict))
        elif tag == "cancel":
            token = tokens.get(message[1])
            if token is not None:
                token.cancel()
        elif tag == "shutdown":
            runner.cache.clear()
            return
