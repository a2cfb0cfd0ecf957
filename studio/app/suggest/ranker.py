"""One ranker over every candidate, learning online from feedback.

A conditional logit: among the candidates of one refresh, P(the user takes
this one) = softmax(X w). It starts from weight 1 on ``log_mass`` and 0
elsewhere, which reproduces the sources' own estimate, and moves by one SGD
step on the log-likelihood per feedback event:

* explicit: accept pulls the weights towards the accepted suggestion's
  features and away from the list's average; dismiss does the opposite; at a
  larger step, because the user told us;
* implicit: when a prompt is generated, the offered candidate that is that
  prompt counts as chosen among all offered (a small step); this is also what
  the replay evaluation exercises;
* outcome: when the user keeps, favourites, deletes or rates an output of such a
  prompt, the offer that led to it counts as good or bad (its features against
  the list's average), so sources whose ideas end up kept gain weight.

Softmax rather than a per-item sigmoid because only differences between
candidates matter: a run of accepts cannot inflate every score towards 1 and
wash out the ranking. A small L2 pull towards the starting weights keeps a few
clicks from undoing what the history says. Weights persist as JSON keyed by
feature name, so adding a feature later keeps the rest.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np

from studio.app.settings import write_atomic
from studio.app.suggest.features import FEATURES

EXPLICIT_LR = 0.3
IMPLICIT_LR = 0.03
OUTCOME_LR = 0.01  # keep/favourite/delete/rate of an output of an offered prompt
L2 = 0.001
MIN_LOG_MASS_WEIGHT = 0.25
_LOG_MASS = FEATURES.index("log_mass")
log = logging.getLogger(__name__)


def initial_weights() -> np.ndarray:
    w = np.zeros(len(FEATURES))
    w[FEATURES.index("log_mass")] = 1.0
    return w


class Ranker:
    def __init__(self, weights: np.ndarray | None = None) -> None:
        self.prior = initial_weights()
        self.w = self.prior.copy() if weights is None else np.asarray(weights, dtype=float)
        self.updates = 0

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Logits for each row of the feature matrix."""
        return x @ self.w

    def probs(self, x: np.ndarray) -> np.ndarray:
        """Softmax over the rows: each candidate's share of this refresh."""
        u = self.scores(x)
        if len(u) == 0:
            return u
        e = np.exp(u - u.max())
        return e / e.sum()

    def update(self, x: np.ndarray, chosen: int, lr: float, sign: float = 1.0) -> None:
        """One SGD step: row ``chosen`` of ``x`` was taken (sign 1) or rejected (sign -1)."""
        x = np.atleast_2d(x)
        self.learn(x[chosen] - self.probs(x) @ x, lr * sign)

    def learn(self, direction: np.ndarray, lr: float) -> None:
        """Move along ``direction`` (chosen features minus the expected features)."""
        self.w += lr * direction - lr * L2 * (self.w - self.prior)
        # However lopsided the feedback, the sources' own estimate stays a positive
        # signal: a negative weight would rank the least likely prompts first.
        self.w[_LOG_MASS] = max(self.w[_LOG_MASS], MIN_LOG_MASS_WEIGHT)
        self.updates += 1

    def weight(self, feature: str) -> float:
        return float(self.w[FEATURES.index(feature)])

    # -- persistence -------------------------------------------------------------

    def to_dict(self) -> dict[str, float]:
        return {name: float(v) for name, v in zip(FEATURES, self.w, strict=True)}

    def save(self, path: Path) -> None:
        # Atomic (a crash mid-write keeps the old weights) and private: 0600.
        write_atomic(Path(path), json.dumps({"version": 1, "weights": self.to_dict(),
                                             "updates": self.updates}, indent=1).encode())

    @classmethod
    def load(cls, path: Path) -> Ranker:
        """The saved weights; fresh ones when there are none or they are damaged.

        Damage must not fail the sidebar, nor pass unnoticed: the file is reported in
        one line and moved aside (``<name>.broken.json``), so the next start is quiet.
        """
        path = Path(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls()
        except OSError as exc:
            log.warning("suggestion weights %s cannot be read (%s); using fresh weights",
                        path, exc.strerror or exc)
            return cls()
        ranker = cls()
        try:
            doc = json.loads(raw)
            for name, value in doc["weights"].items():
                if name in FEATURES:
                    ranker.w[FEATURES.index(name)] = _finite(value)
            ranker.updates = int(doc.get("updates", 0))
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            _set_aside(path, _reason(exc))
            return cls()
        return ranker


def _finite(value: object) -> float:
    number = float(value)  # type: ignore[arg-type]
    if not np.isfinite(number):
        raise ValueError(f"weight {value!r} is not a finite number")
    return number


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, KeyError):
        return f"no {text} entry"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def broken_path(path: Path) -> Path:
    """Where a damaged weights file is kept: ``suggest_weights.broken.json``."""
    return path.with_name(f"{path.stem}.broken{path.suffix}")


def _set_aside(path: Path, reason: str) -> None:
    """Report the damaged ``path`` and move it aside (keeping an earlier, different copy)."""
    target = broken_path(path)
    n = 1
    while target.exists() and target.read_bytes() != path.read_bytes():
        n += 1
        target = path.with_name(f"{path.stem}.broken-{n}{path.suffix}")
    try:
        os.replace(path, target)
    except OSError as exc:
        log.warning("suggestion weights %s are damaged (%s) and could not be moved aside "
                    "(%s); using fresh weights", path, reason, exc.strerror or exc)
        return
    log.warning("suggestion weights %s were damaged (%s); kept as %s, using fresh weights",
                path, reason, target.name)
