"""Scores with recency decay, plus the plain counts that explain them.

A score halves every ``half_life`` seconds. Each key keeps its score as of the
last time it changed; reading it at time ``now`` decays it the rest of the way.
So an update costs O(1) whatever the size of the history, and events that arrive
out of order (an import of old history) count with the weight they had then.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: The evidence kept beside each score, in this order (counts, not decayed).
EVIDENCE = ("prompts", "favourites", "keeps", "high_ratings", "low_ratings", "deletes")
_SCORE, _TS = 0, 1
_OFFSET = 2
_INDEX = {name: _OFFSET + i for i, name in enumerate(EVIDENCE)}


class AffinityTable:
    """key -> [decayed score, time of score, *evidence counts]."""

    def __init__(self, half_life_s: float, data: dict[str, list[float]] | None = None) -> None:
        if half_life_s <= 0:
            raise ValueError("half_life_s must be > 0")
        self.half_life_s = half_life_s
        self.data: dict[str, list[float]] = data if data is not None else {}

    def _decay(self, dt: float) -> float:
        return 2.0 ** (-dt / self.half_life_s)

    def add(self, key: str, weight: float, ts: float, evidence: str | None = None,
            count: int = 1) -> None:
        # The hot path of a rebuild (several calls per event): kept flat on purpose.
        row = self.data.get(key)
        if row is None:
            row = self.data[key] = [0.0, ts, 0, 0, 0, 0, 0, 0]
        last = row[1]
        if ts > last:
            row[0] = row[0] * 2.0 ** ((last - ts) / self.half_life_s) + weight
            row[1] = ts
        elif ts == last:
            row[0] += weight
        else:
            # An older event: its weight has decayed since it happened.
            row[0] += weight * 2.0 ** ((ts - last) / self.half_life_s)
        if evidence is not None:
            i = _INDEX[evidence]
            n = row[i] + count
            row[i] = n if n > 0 else 0

    def add_all(self, keys: Iterable[str], weight: float, ts: float,
                evidence: str | None = None, count: int = 1) -> None:
        for key in keys:
            self.add(key, weight, ts, evidence, count)

    def score(self, key: str, now: float) -> float:
        row = self.data.get(key)
        if row is None:
            return 0.0
        return row[_SCORE] * self._decay(max(0.0, now - row[_TS]))

    def evidence(self, key: str) -> dict[str, int]:
        row = self.data.get(key)
        if row is None:
            return dict.fromkeys(EVIDENCE, 0)
        return {name: int(row[_OFFSET + i]) for i, name in enumerate(EVIDENCE)}

    def top(self, n: int, now: float, negative: bool = False) -> list[tuple[str, float]]:
        """The ``n`` keys with the highest (or, with ``negative``, lowest) decayed score."""
        scored = [(k, self.score(k, now)) for k in self.data]
        scored = [(k, s) for k, s in scored if (s < 0 if negative else s > 0)]
        scored.sort(key=lambda ks: (ks[1] if negative else -ks[1], ks[0]))
        return scored[:n]

    def describe(self, key: str, now: float) -> dict[str, Any]:
        return {"term": key, "score": round(self.score(key, now), 4), **self.evidence(key)}

    def __len__(self) -> int:
        return len(self.data)


def evidence_phrase(ev: dict[str, Any]) -> str:
    """``{"prompts": 14, "favourites": 5}`` -> ``"14 prompts, 5 favourites"``."""
    names = {"prompts": ("prompt", "prompts"), "favourites": ("favourite", "favourites"),
             "keeps": ("keep", "keeps"), "high_ratings": ("high rating", "high ratings"),
             "low_ratings": ("low rating", "low ratings"), "deletes": ("delete", "deletes")}
    parts = []
    for key, (one, many) in names.items():
        n = int(ev.get(key, 0))
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts) or "no direct evidence"
