"""Start the engine's worker on another Python (the accelerated runtime's).

``multiprocessing``'s spawn cannot do it: it hands the child the parent's whole
``sys.path`` (the app's torch would win over the runtime's) and the parent's
environment (a frozen app's library paths). So the child is started with
``subprocess`` under ``runtime.worker_environment()``, appends the app's folders
after its own site-packages (``runtime.WORKER_BOOTSTRAP``), and connects back
over a local ``multiprocessing.connection`` socket with a one-time key passed on
its stdin. From there the pipe protocol is the one the spawn worker speaks.
"""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import threading
import time
from multiprocessing.connection import Client, Connection, Listener
from typing import Any

from studio.api import StudioError
from studio.app import runtime

#: Seconds the child has to start Python, import studio and connect.
CONNECT_TIMEOUT_S = 60.0


class ExternalWorker:
    """A worker process on another interpreter, with the members ``ProcessBackend``
    uses of ``multiprocessing.Process``."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self._popen = proc

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def exitcode(self) -> int | None:
        return self._popen.poll()  # negative when killed by a signal, like Process

    def is_alive(self) -> bool:
        return self._popen.poll() is None

    def kill(self) -> None:
        if self._popen.poll() is None:
            self._popen.kill()

    def join(self, timeout: float | None = None) -> None:
        try:
            self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass


def start_external(python: str, init: tuple[Any, ...],
                   timeout: float = CONNECT_TIMEOUT_S) -> tuple[ExternalWorker, Connection]:
    """Start ``python`` as the worker, send it ``init`` and return it with its pipe.

    A child that exits or does not connect within ``timeout`` seconds is a
    ``StudioError`` naming its last line of output.
    """
    key = secrets.token_bytes(32)
    listener = Listener(("127.0.0.1", 0), family="AF_INET", authkey=key)
    address = listener.address
    try:
        proc = subprocess.Popen(
            [python, "-c", runtime.WORKER_BOOTSTRAP, json.dumps(runtime.host_paths())],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env=runtime.worker_environment(),
        )
    except OSError as exc:
        listener.close()
        raise StudioError(f"the runtime's Python {python} cannot run: "
                          f"{exc.strerror or exc}") from None
    accepted: dict[str, Any] = {}

    def accept() -> None:
        try:
            accepted["conn"] = listener.accept()
        except Exception as exc:  # a wrong key, or our own wake-up connection
            accepted["error"] = exc

    thread = threading.Thread(target=accept, name="studio-worker-accept", daemon=True)
    thread.start()
    assert proc.stdin is not None
    try:
        proc.stdin.write(json.dumps({"address": list(address), "authkey": key.hex()}).encode())
        proc.stdin.close()
    except OSError:
        pass  # it died already: reported below
    drain = threading.Thread(target=_drain, args=(proc,), daemon=True)
    drain.start()
    deadline = time.monotonic() + timeout
    while thread.is_alive() and proc.poll() is None and time.monotonic() < deadline:
        thread.join(0.05)
    if "conn" not in accepted:
        if thread.is_alive():
            _wake(address)
            thread.join(5)
        listener.close()
        proc.kill()
        proc.wait()
        drain.join(2)
        why = getattr(proc, "last_line", "") or f"exit code {proc.returncode}"
        if "conn" in accepted:
            accepted["conn"].close()
        raise StudioError(f"the worker on the runtime's Python did not start: {why}")
    listener.close()
    conn: Connection = accepted["conn"]
    conn.send(("init", *init))
    return ExternalWorker(proc), conn


def _wake(address: tuple[str, int]) -> None:
    """Unblock a pending ``accept`` (closing the socket does not, on Linux)."""
    try:
        socket.create_connection(address, timeout=1).close()
    except OSError:
        pass


def _drain(proc: subprocess.Popen) -> None:
    """Keep the child's stderr flowing into our log, remembering its last line."""
    import logging

    log = logging.getLogger("studio.worker")
    assert proc.stderr is not None
    for raw in proc.stderr:
        line = raw.decode("utf-8", "replace").rstrip()
        if line:
            proc.last_line = line  # type: ignore[attr-defined]
            log.info("worker: %s", line)


def connect_from_stdin() -> tuple[Connection, tuple[Any, ...]]:
    """The child's side: read the address and key, connect, receive ``init``."""
    import sys

    data = json.loads(sys.stdin.read())
    conn = Client(tuple(data["address"]), family="AF_INET",
                  authkey=bytes.fromhex(data["authkey"]))
    message = conn.recv()
    if not message or message[0] != "init":
        raise SystemExit("the worker expected its init message first")
    return conn, tuple(message[1:])
