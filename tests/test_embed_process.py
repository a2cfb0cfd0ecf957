"""Embeddings from a child process: the same vectors as in-process, no torch in the caller."""

from __future__ import annotations

import subprocess
import sys

import pytest

from studio.app.history.embeddings import model_dir

CHILD = r"""
import os, sys
import numpy as np
from studio.app.embed_process import ProcessEmbedder

texts = ["The tide came in grey over the harbour wall.", "Bread rose under a cloth."]
e = ProcessEmbedder()
first = e.encode(texts)
assert first.shape == (2, 384) and first.dtype == np.float32, first.shape
assert e.encode([]).shape == (0, 384)
assert "torch" not in sys.modules, "torch was imported by the caller"
os.kill(e.pid, 9)  # a child that dies is started again on the next call
e._proc.join(10)
again = e.encode(texts)
assert e.starts == 2, e.starts
assert np.allclose(first, again, atol=1e-6)
e.close()
assert e.pid is None
np.save(sys.argv[1], first)
"""


def test_vectors_match_minilm_and_the_caller_never_imports_torch(tmp_path):
    try:
        model_dir()
    except Exception as exc:  # the embedder's wheel is a dev dependency
        pytest.skip(f"MiniLM is not installed: {exc}")
    out = tmp_path / "vectors.npy"
    proc = subprocess.run([sys.executable, "-c", CHILD, str(out)], capture_output=True,
                          text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    import numpy as np

    from studio.app.history.embeddings import MiniLM

    texts = ["The tide came in grey over the harbour wall.", "Bread rose under a cloth."]
    assert np.allclose(np.load(out), MiniLM().encode(texts), atol=1e-5)


def test_an_error_in_the_child_is_one_studio_error(monkeypatch):
    from studio.api import StudioError
    from studio.app import embed_process

    class Conn:
        def send(self, message):
            self.sent = message

        def poll(self, timeout):
            return True

        def recv(self):
            return ("error", "OSError: no model here")

        def close(self):
            pass

    e = embed_process.ProcessEmbedder()
    monkeypatch.setattr(e, "_ensure_started", lambda: Conn())
    with pytest.raises(StudioError, match="embedding failed: OSError: no model here"):
        e.encode(["x"])
