"""Sentence embeddings made in a child process, for callers that must not load torch.

The window's process never imports torch (docs/architecture.md): the writing
desk's "your voice" retrieval embeds the user's passages and the text being
written, so it asks a long-lived child for the vectors. The child is started on the
first ``encode`` (spawned, as the engine's worker is, so it works in the frozen
app too), loads MiniLM once and answers one request at a time over a pipe. A child
that dies is started again on the next call; its error reaches the caller as one
``StudioError`` line.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from studio.api import StudioError
from studio.app.history.embeddings import DIM, MODEL_NAME

#: Seconds to wait for the child's answer (the first one loads torch and MiniLM).
REPLY_TIMEOUT_S = 300.0


class ProcessEmbedder:
    """``encode(texts)`` like ``MiniLM``'s, computed by a child process. Thread-safe."""

    name = MODEL_NAME

    def __init__(self, timeout_s: float = REPLY_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._ctx = mp.get_context("spawn")
        self._proc: Any = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()
        self.starts = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        with self._lock:
            conn = self._ensure_started()
            try:
                conn.send(("encode", texts))
                if not conn.poll(self.timeout_s):
                    self._stop()
                    raise StudioError(f"the embedding process gave no answer in "
                                      f"{self.timeout_s:.0f} s")
                reply = conn.recv()
            except (EOFError, OSError) as exc:
                self._stop()
                raise StudioError(f"the embedding process ended ({exc or 'no reason given'})"
                                  ) from exc
        if reply[0] == "error":
            raise StudioError(f"embedding failed: {reply[1]}")
        return np.asarray(reply[1], dtype=np.float32)

    def close(self) -> None:
        with self._lock:
            self._stop()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _ensure_started(self) -> Connection:
        if self._proc is not None and self._proc.is_alive() and self._conn is not None:
            return self._conn
        self._stop()
        parent, child = self._ctx.Pipe(duplex=True)
        self._proc = self._ctx.Process(target=_serve, args=(child,), name="studio-embed",
                                       daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent
        self.starts += 1
        return parent

    def _stop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.send(("stop",))
            except (OSError, ValueError):
                pass
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            self._proc.join(timeout=5)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join(timeout=5)
            self._proc = None


def _serve(conn: Connection) -> None:
    """The child: answer ``("encode", texts)`` with ``("ok", vectors)`` until told to stop."""
    from studio.app.history.embeddings import default_embedder

    embedder = default_embedder()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message[0] != "encode":
            return
        try:
            reply: tuple[str, Any] = ("ok", embedder.encode(message[1]))
        except Exception as exc:  # the parent says it in one line
            reply = ("error", f"{type(exc).__name__}: {exc}".splitlines()[0])
        conn.send(reply)
