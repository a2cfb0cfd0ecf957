"""Feature vectors for the ranker: one fixed layout for every kind of candidate.

``log_mass`` carries the sources' generative estimate (so a fresh ranker with
weight 1 on it and 0 elsewhere ranks exactly by that estimate); the per-source
shares let the ranker learn which sources this user takes up; the rest describe
the suggestion itself (novel or known, how recent, how frequent, how the user
reacted, how its modifiers fare with the user, whether it fits the modality).
"""

from __future__ import annotations

import math

import numpy as np

from studio.app.suggest.sources import SOURCES
from studio.app.suggest.types import Candidate

FEATURES: tuple[str, ...] = (
    "bias", "log_mass", *(f"src_{s}" for s in SOURCES),
    "novel", "recency", "log_count", "reaction", "taste", "modality_fit",
)
_INDEX = {name: i for i, name in enumerate(FEATURES)}
_SRC = {s: _INDEX[f"src_{s}"] for s in SOURCES}


def featurize(cands: list[Candidate], modality: str) -> np.ndarray:
    """An (n_candidates, n_features) float matrix."""
    x = np.zeros((len(cands), len(FEATURES)))
    x[:, 0] = 1.0
    for row, c in enumerate(cands):
        mass = c.mass
        x[row, 1] = math.log(max(mass, 1e-9))
        for src, m in c.sources.items():
            if src in _SRC and mass > 0:
                x[row, _SRC[src]] = m / mass
        st = c.stats
        x[row, _INDEX["novel"]] = st.get("novel", 1.0)
        x[row, _INDEX["recency"]] = st.get("recency", 0.0)
        x[row, _INDEX["log_count"]] = math.log1p(st.get("count", 0.0))
        x[row, _INDEX["reaction"]] = st.get("reaction", 0.0)
        x[row, _INDEX["taste"]] = st.get("taste", 0.0)
        x[row, _INDEX["modality_fit"]] = 1.0 if c.modality == modality else 0.0
    return x
