"""The generative model of how a user edits prompts, learned online per user.

P(next prompt) = sum over edit kinds of P(kind | context) * P(choice | kind):

* kind: repeat, add, drop, swap one modifier, return to an earlier prompt, or
  other; counted per user, conditioned on the reaction to the last output
  (none/positive/negative) and the prompt's length, with hierarchical smoothing
  (``UserState.op_probs``);
* choice: three conditional-logit models (softmax over the alternatives), each
  with a handful of features and an online SGD update whenever the user makes
  that kind of edit:
  - which modifier is dropped, and (a model of its own, as people replace the
    subject far more often than they delete it) which is swapped out: disliked,
    dropped before, just added (an "undo" after a bad output), the subject...
  - which modifier is added (or swapped in): added before, used a lot, liked,
    swapped with the outgoing one before, same catalogue category...
  - which earlier prompt the user returns to: how long ago, how often, liked,
    how close to the current prompt, the one just before it...

The starting weights encode the common-sense reading of each feature; the
per-user updates are what let one engine fit users (and generators) that edit
differently, which is the point of the replay evaluation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from studio.app.prompts import bare_part, jaccard
from studio.app.suggest.state import NEAR, TERM_TAU, Gen, UserState

CHOICE_LR = 0.05


class ChoiceModel:
    """A conditional logit: P(i) = softmax(F @ theta)[i], updated by SGD on the log-likelihood."""

    def __init__(self, init: Sequence[float], lr: float = CHOICE_LR) -> None:
        self.theta = np.array(init, dtype=float)
        self.lr = lr

    def probs(self, f: np.ndarray) -> np.ndarray:
        u = f @ self.theta
        u -= u.max()
        e = np.exp(u)
        return e / e.sum()

    def update(self, f: np.ndarray, chosen: int) -> None:
        p = self.probs(f)
        self.theta += self.lr * (f[chosen] - p @ f)


# -- features --------------------------------------------------------------------

def drop_features(state: UserState, base: Sequence[str], prev_parts: set[str] | None,
                  bucket: str) -> np.ndarray:
    f = np.zeros((len(base), 7))
    neg, pos = bucket == "neg", bucket == "pos"
    n = max(1, len(base) - 1)
    for i, part in enumerate(base):
        t = state.terms.get(part)
        fresh = 1.0 if prev_parts is not None and part not in prev_parts else 0.0
        f[i] = (state.taste(part), math.log1p(t.drops) if t else 0.0, 1.0 if i == 0 else 0.0,
                fresh, fresh * neg, fresh * pos, i / n)
    return f


DROP_INIT = (-1.5, 0.5, -2.0, 0.3, 1.0, -0.5, 0.0)
# Swapping out reads the same features, but people who rarely drop the subject
# often replace it ("same look, new subject"): the subject is not held back.
SWAP_OUT_INIT = (-1.5, 0.5, 0.0, 0.3, 1.0, -0.5, 0.0)


def add_pool(state: UserState, exclude: set[str]) -> list[str]:
    """Modifiers the user might add to a prompt holding ``exclude`` (not another
    emphasis of a part it has: that is a re-weighting, not an addition)."""
    pool = []
    taken = {bare_part(p) for p in exclude}
    for part in dict.fromkeys([*state.top_added.top(), *state.top_terms.top()]):
        if part in exclude or bare_part(part) in taken:
            continue
        t = state.terms[part]
        if t.heads * 2 > t.uses:
            continue  # a subject, not a modifier
        pool.append(part)
    return pool


def add_features(state: UserState, pool: Sequence[str], out_part: str | None,
                 category_of: dict[str, str], recent_drops: set[str]) -> np.ndarray:
    f = np.zeros((len(pool), 7))
    cat = category_of.get(out_part) if out_part else None
    nb_out = state.swap_neighbours.get(out_part, {}) if out_part else {}
    for i, part in enumerate(pool):
        t = state.terms[part]
        pair = state.swaps.get((out_part, part), 0) + state.swaps.get((part, out_part), 0) \
            if out_part else 0
        shared = len(state.swap_neighbours.get(part, {}).keys() & nb_out.keys()) \
            if nb_out else 0
        f[i] = (math.log(state.decayed(t.log_add, TERM_TAU) + 0.01),
                math.log(state.decayed(t.log_use, TERM_TAU) + 0.01),
                state.taste(part),
                math.log1p(pair),
                math.log1p(shared),
                1.0 if cat is not None and category_of.get(part) == cat else 0.0,
                1.0 if part in recent_drops else 0.0)
    return f


ADD_INIT = (1.0, 0.3, 1.0, 1.0, 0.5, 1.0, 0.0)


def return_features(state: UserState, pool: Sequence[frozenset[str]], base: frozenset[str],
                    before: frozenset[str] | None) -> np.ndarray:
    f = np.zeros((len(pool), 8))
    head = None
    last = state.last_gen()
    if last is not None and last.parts:
        head = last.parts[0]
    rank = state.recency_rank()
    far = len(state.recent)
    for i, key in enumerate(pool):
        st = state.prompts[key]
        f[i] = (math.log1p(state.step - st.last),
                # how many other prompts were run since: a user who re-rolls a lot
                # comes back to "the one before" however many runs ago that was
                math.log1p(rank.get(key, far)),
                math.log1p(st.count),
                max(-3.0, min(3.0, st.reaction)) / 3.0,
                1.0 if st.reaction > 0 else 0.0,
                jaccard(key, base),
                1.0 if key == before else 0.0,
                1.0 if head is not None and st.parts and st.parts[0] == head else 0.0)
    return f


RETURN_INIT = (-0.3, -0.6, 0.5, 0.3, 0.5, 0.5, 0.5, 0.3)


def return_pool(state: UserState, base: frozenset[str], modality: str) -> list[frozenset[str]]:
    out: dict[frozenset[str], None] = {}
    for key in [*list(reversed(state.recent))[:16], *state.top_prompts.top(12),
                *state.top_counts.top(6),
                *list(reversed(state.favourites))[:10]]:
        st = state.prompts.get(key)
        if st is not None and key != base and st.modality == modality:
            out[key] = None
    return list(out)


class EditModel:
    """The per-user choice models, trained from the user's own edits."""

    def __init__(self) -> None:
        self.drop = ChoiceModel(DROP_INIT)
        self.swap_out = ChoiceModel(SWAP_OUT_INIT)
        self.add = ChoiceModel(ADD_INIT)
        self.ret = ChoiceModel(RETURN_INIT)

    def context(self, state: UserState, modality: str) -> tuple[set[str] | None,
                                                                frozenset[str] | None]:
        """The prompt before the last one (for "just added" and "undo") in ``modality``."""
        before = state.before_last.get(modality)
        if before is None:
            return None, None
        return set(before), frozenset(before)

    def train(self, state: UserState, prev: Gen | None, parts: tuple[str, ...],
              category_of: dict[str, str]) -> None:
        """Learn from the edit ``prev`` -> ``parts`` (call before the state counts it)."""
        if prev is None or not prev.parts or not parts:
            return
        a, b = set(prev.parts), set(parts)
        added, dropped = b - a, a - b
        bucket = state.bucket(prev)
        prev_parts, before_key = self.context(state, prev.modality)
        if len(dropped) == 1 and len(added) <= 1 and len(prev.parts) > 1:
            (gone,) = dropped
            f = drop_features(state, prev.parts, prev_parts, bucket)
            model = self.swap_out if added else self.drop
            model.update(f, prev.parts.index(gone))
        if len(added) == 1 and len(dropped) <= 1:
            (new,) = added
            pool = add_pool(state, a)
            if new in pool:
                out_part = next(iter(dropped)) if dropped else None
                f = add_features(state, pool, out_part, category_of,
                                 state.recent_drops(prev.modality))
                self.add.update(f, pool.index(new))
        key, base = frozenset(parts), frozenset(prev.parts)
        if key != base and jaccard(key, base) < NEAR:
            pool = return_pool(state, base, prev.modality)
            # Coming back to a version with a part changed is a return to it too.
            near = max(pool, key=lambda p: jaccard(p, key), default=None)
            if near is not None and jaccard(near, key) >= NEAR:
                f = return_features(state, pool, base, before_key)
                self.ret.update(f, pool.index(near))
