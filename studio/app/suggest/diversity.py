"""Choosing k suggestions that cover what the user may want, not k near-duplicates.

A greedy maximal-marginal-relevance selection where relevance is *coverage*:
each candidate carries a probability (from the ranker); a pick is worth the
probability of every not-yet-covered candidate it is similar to (Jaccard of
prompt parts >= ``cover``), so once "a fox, watercolor" is in the list, "a fox,
watercolor, snow" adds little unless it also covers likely prompts the first
one does not. Greedy coverage is within 1 - 1/e of the best possible list.
A hard cap (``max_similarity``) then keeps any two picks from being
near-identical, whatever the probabilities say.
"""

from __future__ import annotations

import numpy as np

from studio.app.suggest.types import PROMPT_KINDS, Candidate

DEFAULT_COVER = 0.8
DEFAULT_MAX_SIMILARITY = 0.9


def similarity_matrix(cands: list[Candidate]) -> np.ndarray:
    """Pairwise similarity: Jaccard of parts for prompts of one modality and kind."""
    n = len(cands)
    vocab: dict[str, int] = {}
    rows = []
    for c in cands:
        if c.kind in PROMPT_KINDS or c.kind == "cross_modal":
            rows.append([vocab.setdefault(f"{c.modality}\x00{p}", len(vocab)) for p in c.parts])
        else:
            rows.append([vocab.setdefault(f"{c.kind}\x01{c.text}", len(vocab))])
    # A style suggestion is a whole prompt too (the base prompt with the style's
    # parts): it covers, and is covered by, prompt suggestions like any prompt.
    kinds = ["prompt" if c.kind in PROMPT_KINDS else c.kind for c in cands]
    m = np.zeros((n, max(1, len(vocab))))
    for i, cols in enumerate(rows):
        m[i, cols] = 1.0
    inter = m @ m.T
    size = m.sum(axis=1)
    union = size[:, None] + size[None, :] - inter
    sim = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    # Different kinds are different actions (run this prompt / add this style /
    # use these settings): they never cover each other, however alike their text.
    same_kind = np.array([[a == b for b in kinds] for a in kinds])
    sim[~same_kind] = 0.0
    np.fill_diagonal(sim, 1.0)
    return sim


def select(cands: list[Candidate], probs: np.ndarray, k: int,
           cover: float = DEFAULT_COVER,
           max_similarity: float = DEFAULT_MAX_SIMILARITY,
           selectable: np.ndarray | None = None, anchor: int | None = None,
           base_sim: np.ndarray | None = None) -> list[int]:
    """Indices of the chosen candidates, best first.

    ``selectable`` False marks placeholders: mass that counts as covered when a
    pick is close enough to it, but that cannot be picked itself. ``anchor``
    (the prompt as it stands, i.e. a re-run) is always in the list: when the
    greedy leaves it out, it takes the place of the pick that covers the least
    probability of its own. A neighbour that covers it is not enough: the
    prompt itself stands for more of what comes next (re-runs and one-part edits
    on either side) than any neighbour does.

    ``base_sim`` (each candidate's similarity to the prompt in the box) makes
    coverage directional: a pick covers a candidate only when it is strictly
    closer to it than the box's prompt is, since leaving the box as it is
    already gets that close.
    """
    n = len(cands)
    if n == 0 or k <= 0:
        return []
    sim = similarity_matrix(cands)
    covers = sim >= cover
    if base_sim is not None:
        covers &= sim > np.asarray(base_sim, dtype=float)[None, :]
    covers = covers.astype(float)
    uncovered = np.ones(n)
    allowed = np.ones(n, dtype=bool) if selectable is None else np.asarray(selectable, bool)
    allowed = allowed.copy()
    chosen: list[int] = []
    probs = np.asarray(probs, dtype=float)
    for _ in range(min(k, n)):
        gain = covers @ (probs * uncovered)
        # Ties (and zero gains) fall back to the candidate's own probability.
        value = np.where(allowed, gain + 1e-6 * probs, -np.inf)
        best = int(np.argmax(value))
        if not np.isfinite(value[best]):
            break
        chosen.append(best)
        uncovered *= 1.0 - covers[best]
        allowed &= sim[best] <= max_similarity
        allowed[best] = False
    if anchor is not None and chosen and anchor not in chosen:
        if len(chosen) == min(k, n):
            # Out goes the pick whose own coverage (with the anchor in) is least.
            def alone(i: int) -> float:
                others = covers[[j for j in chosen if j != i] + [anchor]].max(axis=0)
                return float(covers[i] @ (probs * (1.0 - others)))
            chosen.remove(min(chosen, key=alone))
        chosen = _greedy_order([*chosen, anchor], covers, probs)
    return chosen


def _greedy_order(picks: list[int], covers: np.ndarray, probs: np.ndarray) -> list[int]:
    """``picks`` in the order greedy coverage would list them."""
    uncovered = np.ones(len(probs))
    left, out = list(picks), []
    while left:
        best = max(left, key=lambda i: (float(covers[i] @ (probs * uncovered)), probs[i]))
        out.append(best)
        left.remove(best)
        uncovered *= 1.0 - covers[best]
    return out
