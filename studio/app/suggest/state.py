"""What the suggestion engine remembers about one user, updated one event at a time.

This is deliberately not the profile (``studio.app.history``): it keeps only the
statistics the candidate sources and features need, in forms that update in
O(prompt length) per event and answer in O(k) per sidebar refresh, so the
engine keeps up with a 100,000-event log (see bench/suggest_speed.py).

Time is counted in generations, not seconds: "3 prompts ago" is what matters
when a user iterates, and it makes imported histories with odd clocks behave.
Decayed counts use the growing-exponent trick: a use at step ``t`` adds
``exp(t / tau)`` in log space, so one stored number per item stays comparable
across items without touching every item at every step.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from studio.app.prompts import jaccard, split_parts
from studio.app.suggest.diversity import DEFAULT_COVER as NEAR  # one prompt stands for another

#: Transition kinds between consecutive prompts (the edit the user made).
OPS: tuple[str, ...] = ("repeat", "add", "drop", "swap", "return", "other")
#: Pseudo-counts: a new user is assumed to iterate by small edits more than anything.
OP_PRIOR: dict[str, float] = {
    "repeat": 1.0, "add": 2.0, "drop": 1.0, "swap": 2.0, "return": 1.0, "other": 2.0,
}
TERM_TAU = 150.0    # generations: how fast a liked modifier is forgotten (taste drift)
PROMPT_TAU = 60.0   # generations: how fast a prompt stops being a "recent" one
OP_DECAY = 0.995    # per generation, for the edit-kind statistics
NEAR_BACK = 16      # earlier prompts checked for "came back near it"

#: Reaction events -> how much they say the user liked the output.
REACTION = {"keep": 1.0, "favourite": 2.0, "unfavourite": -2.0, "delete": -2.0, "restore": 2.0}


@lru_cache(maxsize=8192)
def cached_parts(prompt: str) -> tuple[str, ...]:
    """A prompt's parts as the engine keys them, memoised (users rerun the same
    prompts a lot, and parsing dominates).

    Emphasis stays: "(snow:1.2)" and "(snow:1.4)" are different prompts to run,
    and re-weighting a part is an edit like any other.
    """
    return tuple(split_parts(prompt, keep_weights=True))


def generation_refs(event: dict[str, Any]) -> list[str]:
    """What reactions to a generate event's outputs name as their target: its
    artifact ids (live log) or its external id (imported histories keep it as
    "ref"; the replay format as "id")."""
    refs = [*(event.get("artifacts") or ()), event.get("ref")]
    if not any(refs):
        refs = [event.get("id")]
    return [str(ref) for ref in refs if ref is not None and ref != ""]


def length_class(n: int) -> str:
    return "short" if n <= 3 else "mid" if n <= 6 else "long"


def _logadd(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    hi, lo = (a, b) if a > b else (b, a)
    return hi + math.log1p(math.exp(lo - hi))


class TopTracker:
    """The ``size`` highest-scoring keys, for scores that only ever increase.

    Exact under that condition: a key outside the set scores no more than the
    set's minimum, and only the updated key's score changes.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.scores: dict[Any, float] = {}
        self._min_key: Any = None

    def update(self, key: Any, score: float) -> None:
        scores = self.scores
        if key in scores or len(scores) < self.size:
            scores[key] = score
            if self._min_key is None or self._min_key == key or score < scores.get(
                    self._min_key, math.inf):
                self._min_key = min(scores, key=scores.__getitem__)
            return
        if score > scores[self._min_key]:
            del scores[self._min_key]
            scores[key] = score
            self._min_key = min(scores, key=scores.__getitem__)

    def top(self, n: int | None = None) -> list[Any]:
        keys = sorted(self.scores, key=self.scores.__getitem__, reverse=True)
        return keys if n is None else keys[:n]


@dataclass
class PromptStat:
    parts: tuple[str, ...]
    text: str
    modality: str
    count: int = 0
    first: int = 0
    last: int = 0
    log_use: float = -math.inf
    reaction: float = 0.0


@dataclass
class TermStat:
    uses: int = 0
    adds: int = 0
    drops: int = 0
    swaps_in: int = 0
    first: int = 0
    last: int = 0
    log_use: float = -math.inf
    log_add: float = -math.inf
    log_drop: float = -math.inf
    pos: float = 0.0
    neg: float = 0.0
    heads: int = 0  # times it was the first part (the subject), which users rarely drop


@dataclass
class Gen:
    index: int
    ts: float
    prompt: str
    parts: tuple[str, ...]
    modality: str
    params: dict[str, Any]
    reaction: float = 0.0
    negative: str = ""


@dataclass
class UserState:
    """The incremental statistics for one user (the engine keeps one per profile)."""

    gens: list[Gen] = field(default_factory=list)
    by_ref: dict[str, int] = field(default_factory=dict)  # event id / artifact id -> gen
    prompts: dict[frozenset[str], PromptStat] = field(default_factory=dict)
    recent: OrderedDict[frozenset[str], None] = field(default_factory=OrderedDict)
    terms: dict[str, TermStat] = field(default_factory=dict)
    surface: dict[str, str] = field(default_factory=dict)  # part -> how the user writes it
    swaps: dict[tuple[str, str], int] = field(default_factory=dict)
    swap_neighbours: dict[str, dict[str, int]] = field(default_factory=dict)
    before_last: dict[str, tuple[str, ...]] = field(default_factory=dict)  # per modality
    drops_log: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    op_counts: dict[str, dict[str, float]] = field(default_factory=dict)
    new_term_adds: float = 0.0
    known_term_adds: float = 0.0
    last_by_modality: dict[str, int] = field(default_factory=dict)
    # Decayed counts: the next prompt came back near an earlier prompt (and not
    # near the last one), and all prompts counted.
    near_back: float = 0.0
    near_total: float = 0.0
    param_counts: dict[tuple[str, str, str], dict[str, int]] = field(default_factory=dict)
    negative_counts: dict[str, int] = field(default_factory=dict)
    texts: int = 0
    top_terms: TopTracker = field(default_factory=lambda: TopTracker(48))
    top_added: TopTracker = field(default_factory=lambda: TopTracker(24))
    top_prompts: TopTracker = field(default_factory=lambda: TopTracker(24))
    top_counts: TopTracker = field(default_factory=lambda: TopTracker(12))  # all-time runs
    favourites: OrderedDict[frozenset[str], None] = field(default_factory=OrderedDict)
    subject_of: Any = None  # callable prompt -> subject class, set by the suggester

    # -- reading -----------------------------------------------------------------

    @property
    def step(self) -> int:
        return len(self.gens)

    def last_gen(self, modality: str | None = None) -> Gen | None:
        if modality is None:
            return self.gens[-1] if self.gens else None
        idx = self.last_by_modality.get(modality)
        return None if idx is None else self.gens[idx]

    def decayed(self, log_value: float, tau: float) -> float:
        """A growing-exponent score read back as a decayed count at the current step."""
        if log_value == -math.inf:
            return 0.0
        return math.exp(log_value - self.step / tau)

    def taste(self, part: str) -> float:
        """-1..1: how the user's reactions to outputs with this part came out."""
        t = self.terms.get(part)
        if t is None:
            return 0.0
        return (t.pos - t.neg) / (t.pos + t.neg + 2.0)

    def op_probs(self, bucket: str, length: int = 0) -> dict[str, float]:
        """P(next edit kind | reaction to the last output, prompt length).

        Smoothed hierarchically: the prior, then all the user's edits, then those
        after the same reaction, then those after the same reaction and length.
        """
        glob = self.op_counts.get("*", {})
        n_g = sum(glob.values()) + sum(OP_PRIOR.values())
        p = {op: (glob.get(op, 0.0) + OP_PRIOR[op]) / n_g for op in OPS}
        for key in (bucket, f"{bucket}|{length_class(length)}"):
            local = self.op_counts.get(key, {})
            n_b = sum(local.values())
            p = {op: (local.get(op, 0.0) + 4.0 * p[op]) / (n_b + 4.0) for op in OPS}
        return p

    def recency_rank(self) -> dict[frozenset[str], int]:
        """Distinct prompts by recency: the last one run is 0, the one before it 1..."""
        return {key: i for i, key in enumerate(reversed(self.recent))}

    def recent_drops(self, modality: str, window: int = 4) -> set[str]:
        """Modifiers dropped from this modality's prompts in the last few generations."""
        return {part for step, part in self.drops_log.get(modality, ())
                if self.step - step <= window}

    def p_new_term(self) -> float:
        """How often an added modifier is one the user never used before."""
        return (self.new_term_adds + 1.0) / (self.new_term_adds + self.known_term_adds + 2.0)

    def text_of(self, parts: tuple[str, ...]) -> str:
        # Write parts the way the user wrote them (case, emphasis), so a proposal
        # reads like their own prompt and matches it under any part normalisation.
        return ", ".join(self.surface.get(p, p) for p in parts)

    def bucket(self, gen: Gen | None) -> str:
        if gen is None or gen.reaction == 0:
            return "none"
        return "pos" if gen.reaction > 0 else "neg"

    # -- writing -----------------------------------------------------------------

    def add_generate(self, event: dict[str, Any]) -> Gen | None:
        prompt = str(event.get("prompt") or "")
        parts = cached_parts(prompt)
        modality = str(event.get("modality") or "image")
        params = dict(event.get("params") or {})
        gen = Gen(len(self.gens), float(event.get("ts") or 0.0), prompt, parts, modality,
                  params, negative=str(params.get("negative_prompt") or ""))
        for ref in generation_refs(event):
            self.by_ref[ref] = gen.index
        if modality == "text":
            self.texts += 1
        prev = self.last_gen(modality)
        self.gens.append(gen)
        self.last_by_modality[modality] = gen.index
        if not parts:
            return gen
        known = self.prompts.get(frozenset(parts))
        if known is None or known.text != prompt:  # same text, same surface forms
            for raw in prompt.split(","):
                low = cached_parts(raw)
                if len(low) == 1:
                    self.surface[low[0]] = raw.strip()
        if prev is not None and prev.parts:
            self._transition(prev, gen)
        self._count_near_back(frozenset(parts))
        self._count_prompt(gen)
        self._count_terms(gen)
        self._count_params(gen)
        return gen

    def _transition(self, prev: Gen, gen: Gen) -> None:
        a, b = set(prev.parts), set(gen.parts)
        added, dropped = b - a, a - b
        key = frozenset(gen.parts)
        if not added and not dropped:
            op = "repeat"
        elif len(added) == 1 and not dropped:
            op = "add"
        elif len(dropped) == 1 and not added:
            op = "drop"
        elif len(added) == 1 and len(dropped) == 1:
            op = "swap"
        elif key in self.prompts:
            op = "return"
        else:
            op = "other"
        bucket = self.bucket(prev)
        for ctx in ("*", bucket, f"{bucket}|{length_class(len(prev.parts))}"):
            counts = self.op_counts.setdefault(ctx, {})
            for o in counts:
                counts[o] *= OP_DECAY
            counts[op] = counts.get(op, 0.0) + 1.0
        self.before_last[gen.modality] = prev.parts
        log = self.drops_log.setdefault(gen.modality, [])
        log.extend((self.step, part) for part in dropped)
        del log[:-8]
        if op in ("add", "drop", "swap"):
            t = self.step
            for part in added:
                term = self.terms.get(part)
                if term is None or term.uses == 0:
                    self.new_term_adds += 1
                else:
                    self.known_term_adds += 1
                term = self.terms.setdefault(part, TermStat(first=t))
                term.adds += 1
                term.log_add = _logadd(term.log_add, t / TERM_TAU)
                self.top_added.update(part, term.log_add)
            for part in dropped:
                term = self.terms.setdefault(part, TermStat(first=t))
                term.drops += 1
                term.log_drop = _logadd(term.log_drop, t / TERM_TAU)
            if op == "swap":
                (out,), (inn,) = tuple(dropped), tuple(added)
                self.swaps[(out, inn)] = self.swaps.get((out, inn), 0) + 1
                for x, y in ((out, inn), (inn, out)):
                    nb = self.swap_neighbours.setdefault(x, {})
                    nb[y] = nb.get(y, 0) + 1
                self.terms[inn].swaps_in += 1

    def _count_near_back(self, key: frozenset[str]) -> None:
        if not self.recent:
            return
        self.near_total = self.near_total * OP_DECAY + 1.0
        self.near_back *= OP_DECAY
        earlier = reversed(self.recent)
        if jaccard(next(earlier), key) >= NEAR:
            return
        for i, other in enumerate(earlier):
            if i == NEAR_BACK:
                break
            if jaccard(other, key) >= NEAR:
                self.near_back += 1.0
                return

    def p_near_back(self) -> float:
        """How often the next prompt came back near an earlier one rather than near
        the last: exact returns, and returns with a part changed."""
        return (self.near_back + 0.1) / (self.near_total + 1.0)

    def _count_prompt(self, gen: Gen) -> None:
        key = frozenset(gen.parts)
        stat = self.prompts.get(key)
        if stat is None:
            stat = self.prompts[key] = PromptStat(gen.parts, gen.prompt, gen.modality,
                                                  first=gen.index)
        stat.parts, stat.text, stat.modality = gen.parts, gen.prompt, gen.modality
        stat.count += 1
        stat.last = gen.index
        stat.log_use = _logadd(stat.log_use, gen.index / PROMPT_TAU)
        self.top_prompts.update(key, stat.log_use)
        self.top_counts.update(key, stat.count + stat.last * 1e-9)  # ties: the latest
        self.recent[key] = None
        self.recent.move_to_end(key)
        if len(self.recent) > 64:
            self.recent.popitem(last=False)

    def _count_terms(self, gen: Gen) -> None:
        for pos, part in enumerate(gen.parts):
            term = self.terms.get(part)
            if term is None:
                term = self.terms[part] = TermStat(first=gen.index)
            term.uses += 1
            term.last = gen.index
            term.heads += pos == 0
            term.log_use = _logadd(term.log_use, gen.index / TERM_TAU)
            if pos > 0:
                self.top_terms.update(part, term.log_use)

    def _count_params(self, gen: Gen) -> None:
        subject = self.subject_of(gen.prompt) if self.subject_of else None
        for name, value in gen.params.items():
            if name in ("negative_prompt", "seed") or isinstance(value, (dict, list)):
                continue
            for subj in ("*", subject):
                if subj is None:
                    continue
                counts = self.param_counts.setdefault((gen.modality, subj, name), {})
                counts[repr(value)] = counts.get(repr(value), 0) + 1
        for part in split_parts(gen.negative):
            self.negative_counts[part] = self.negative_counts.get(part, 0) + 1

    def add_reaction(self, kind: str, target: str, value: Any = None) -> Gen | None:
        idx = self.by_ref.get(str(target))
        if idx is None:
            return None
        gen = self.gens[idx]
        if kind == "rate":
            try:
                delta = float(value) - 3.0  # 1..5 stars: 3 says nothing
            except (TypeError, ValueError):
                return None
        else:
            delta = REACTION.get(kind, 0.0)
        if not delta:
            return gen
        gen.reaction += delta
        key = frozenset(gen.parts)
        stat = self.prompts.get(key)
        if stat is not None:
            stat.reaction += delta
            if stat.reaction > 0 and kind in ("favourite", "rate", "keep"):
                self.favourites[key] = None
                self.favourites.move_to_end(key)
                if len(self.favourites) > 32:
                    self.favourites.popitem(last=False)
            elif stat.reaction <= 0:
                self.favourites.pop(key, None)
        for part in gen.parts:
            term = self.terms.get(part)
            if term is not None:
                if delta > 0:
                    term.pos += delta
                else:
                    term.neg -= delta
        return gen
