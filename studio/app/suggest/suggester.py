"""The suggestion engine the sidebar and ``studio suggest`` call.

``Suggester`` consumes the event log's flat event dicts one at a time
(``observe``), keeps per-user statistics (``UserState``), and on ``suggest``
gathers candidates from every source, scores them with one online ranker and
picks a diverse list. ``accept``/``dismiss`` teach the ranker and are recorded
as ``suggestion_apply``/``suggestion_dismiss`` events through the recorder.

Thread-safety: the engine's worker threads call ``observe`` (through the
history's subscription) while the UI thread refreshes the sidebar, so every
public method holds one lock; each call is short (bench/suggest_speed.py).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from studio.app.prompts import bare_part, jaccard
from studio.app.suggest import sources
from studio.app.suggest.catalogue import Catalogue, load_catalogue
from studio.app.suggest.diversity import DEFAULT_COVER, DEFAULT_MAX_SIMILARITY, select
from studio.app.suggest.edits import EditModel
from studio.app.suggest.evidence import explain
from studio.app.suggest.features import FEATURES, featurize
from studio.app.suggest.hedge import ListHedge
from studio.app.suggest.metric import metric_parts
from studio.app.suggest.ranker import EXPLICIT_LR, IMPLICIT_LR, OUTCOME_LR, Ranker
from studio.app.suggest.snapshot import decode_user_state, encode_user_state
from studio.app.suggest.state import REACTION, Gen, UserState, cached_parts, generation_refs
from studio.app.suggest.types import PROMPT_KINDS, Candidate, SuggestContext, Suggestion

log = logging.getLogger(__name__)

Recorder = Callable[..., Any]

REACTIONS = ("keep", "favourite", "unfavourite", "delete", "restore", "rate")
DISMISS_FOR = 25  # generations a dismissed suggestion stays out of the list
OUTCOMES_KEPT = 256  # offered prompts run whose outputs' reactions still teach
# Popular first prompts help until the user has prompts of their own to build on.
STARTERS_UNTIL = 8


class Suggester:
    """Personalized suggestions from one user's event history.

    :param catalogue: the style catalogue (default: ``resources/styles.json``).
    :param recorder: ``recorder(kind, **fields)``, e.g. ``Studio.record``; accept and
        dismiss are recorded through it.
    :param store: JSON file for the ranker's weights (None: in memory only).
    :param expander: optional ``submit(GenerationRequest) -> Future`` for
        model-written prompt expansions (off unless given).
    :param implicit_learning: learn from which offered prompt the user generated next.
    """

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        *,
        recorder: Recorder | None = None,
        store: Path | None = None,
        expander: Callable[[Any], Any] | None = None,
        implicit_learning: bool = True,
        cover: float = DEFAULT_COVER,
        max_similarity: float = DEFAULT_MAX_SIMILARITY,
    ) -> None:
        self.catalogue = catalogue if catalogue is not None else load_catalogue()
        self.recorder = recorder
        self.store = Path(store) if store else None
        self.ranker = Ranker.load(self.store) if self.store else Ranker()
        self.expansion = sources.ExpansionSource(expander) if expander else None
        self.implicit_learning = implicit_learning
        self.cover = cover
        self.max_similarity = max_similarity
        self._lock = threading.RLock()
        # Set by the service when wired to a history: saves the snapshot and stops
        # following the log (``close``).
        self.detach: Callable[[], None] | None = None
        self._reset()

    def _reset(self) -> None:
        self.state = UserState(subject_of=self.catalogue.subject_class)
        self.edits = EditModel()
        self._shown: OrderedDict[str, tuple[Suggestion, Candidate, np.ndarray, int]] = \
            OrderedDict()
        self._pool: tuple[str, list[frozenset[str]], np.ndarray] | None = None
        # Generations that ran an offered prompt: ref -> that candidate's features
        # against the average candidate's, so the reaction to the output teaches too.
        self._outcomes: OrderedDict[str, np.ndarray] = OrderedDict()
        self.hedge = ListHedge()
        # Each policy's list at the last refresh, scored by the next prompt (hedge.py).
        self._lists: tuple[str, frozenset[str], dict[str, list[frozenset[str]]]] | None = None
        self._dismissed: dict[Any, int] = {}
        self._own_feedback: set[str] = set()
        # Average features of what was shown: the reference for recorded feedback
        # whose list is not known (a sensible neutral point for a fresh engine).
        self._mean_shown: np.ndarray = np.zeros(len(FEATURES))

    # -- feeding -------------------------------------------------------------------

    def observe(self, event: dict[str, Any]) -> None:
        """Take one event of the log (flat dict with at least ``type``)."""
        kind = event.get("type")
        with self._lock:
            if kind == "generate":
                self._learn_implicit(event)
                self._learn_lists(event)
                prev = self.state.last_gen(event.get("modality") or "image")
                self.edits.train(self.state, prev, cached_parts(str(event.get("prompt") or "")),
                                 self.catalogue.category_of)
                self.state.add_generate(event)
            elif kind in REACTIONS:
                if event.get("target") is not None:
                    self.state.add_reaction(kind, str(event["target"]), event.get("value"))
                    self._learn_outcome(kind, str(event["target"]), event.get("value"))
            elif kind in ("suggestion_apply", "suggestion_dismiss"):
                self._learn_recorded(event)

    def rebuild(self, events: Iterable[dict[str, Any]], *, reset_weights: bool = False
                ) -> None:
        """Forget the statistics and replay ``events``.

        The ranker's weights are kept unless ``reset_weights``: then they restart
        from the prior and learn again from the recorded accepts and dismisses in
        ``events``, so the result depends on the events only (what a rebuild from
        the history needs; replaying them onto weights that already learned from
        them would count each twice). Cached model expansions always go: they
        were written from prompts that may just have been forgotten.
        """
        with self._lock:
            self._reset()
            if reset_weights:
                self.ranker = Ranker()
            if self.expansion is not None:
                self.expansion.clear()
            for event in events:
                self.observe(event)

    def close(self) -> None:
        """Save what the history taught (when wired to one) and stop following it."""
        detach, self.detach = self.detach, None
        if detach is not None:
            detach()

    # -- snapshot (studio/app/suggest/snapshot.py) ---------------------------------

    def export_state(self) -> dict[str, Any]:
        """Everything ``observe`` derived, as JSON-ready data (the snapshot's body).

        The ranker's weights are included: they are the ones that have learned from
        exactly the events the statistics cover, so a catch-up from here applies
        each recorded accept/dismiss once. What only this session saw (the list on
        screen, dismissed-for-now, the implicit-learning pool) is left out, as a
        rebuild would leave it out.
        """
        with self._lock:
            return {
                "state": encode_user_state(self.state),
                "edits": {"drop": self.edits.drop.theta.tolist(),
                          "swap_out": self.edits.swap_out.theta.tolist(),
                          "add": self.edits.add.theta.tolist(),
                          "ret": self.edits.ret.theta.tolist()},
                "ranker": {"weights": self.ranker.to_dict(), "updates": self.ranker.updates},
                "mean_shown": dict(zip(FEATURES, self._mean_shown.tolist(), strict=True)),
                "hedge": self.hedge.to_dict(),
            }

    def import_state(self, doc: dict[str, Any]) -> None:
        """Replace the derived state with ``export_state``'s; raises on a malformed one
        (and then leaves the engine as it was)."""
        state = decode_user_state(doc["state"], subject_of=self.catalogue.subject_class)
        edits = EditModel()
        for name in ("drop", "swap_out", "add", "ret"):
            model = getattr(edits, name)
            if name not in doc["edits"] and name == "swap_out":
                continue  # a snapshot from before that model: it starts at its prior
            theta = np.array([float(v) for v in doc["edits"][name]])
            if theta.shape != model.theta.shape:
                raise ValueError(f"edit model {name!r} has {theta.size} weights, "
                                 f"not {model.theta.size}")
            model.theta = theta
        ranker = Ranker()
        for name, value in doc["ranker"]["weights"].items():
            if name in FEATURES:  # weights keyed by name: a new feature starts at its prior
                ranker.w[FEATURES.index(name)] = float(value)
        ranker.updates = int(doc["ranker"]["updates"])
        mean = doc["mean_shown"]
        hedge = ListHedge.from_dict(doc.get("hedge", {}))
        with self._lock:
            self._reset()
            self.state, self.edits, self.ranker, self.hedge = state, edits, ranker, hedge
            self._mean_shown = np.array([float(mean.get(f, 0.0)) for f in FEATURES])

    def _learn_lists(self, event: dict[str, Any]) -> None:
        lists, self._lists = self._lists, None
        if lists is None or lists[0] != (event.get("modality") or "image"):
            return
        actual = frozenset(cached_parts(str(event.get("prompt") or "")))
        base = lists[1]
        if actual and actual != base:  # a re-run needs no list
            floor = jaccard(base, actual)
            self.hedge.record({policy: any(self.cover <= jaccard(parts, actual) and
                                           jaccard(parts, actual) > floor for parts in shown)
                               for policy, shown in lists[2].items()})

    def _learn_implicit(self, event: dict[str, Any]) -> None:
        pool, self._pool = self._pool, None
        if not self.implicit_learning or pool is None:
            return
        modality, keys, x = pool
        if modality != (event.get("modality") or "image"):
            return
        actual = frozenset(cached_parts(str(event.get("prompt") or "")))
        if actual and actual in keys:
            row = keys.index(actual)
            self.ranker.update(x, row, IMPLICIT_LR)
            for ref in generation_refs(event):
                self._outcomes[ref] = x[row] - x.mean(axis=0)
                self._outcomes.move_to_end(ref)
            while len(self._outcomes) > OUTCOMES_KEPT:
                self._outcomes.popitem(last=False)

    def _learn_outcome(self, kind: str, target: str, value: Any) -> None:
        """The user kept, favourited, deleted or rated an output of an offered
        prompt: the ranker learns how good that offer turned out to be."""
        direction = self._outcomes.get(target)
        if direction is None:
            return
        if kind == "rate":
            try:
                sign = float(np.sign(float(value) - 3.0))  # 1..5 stars: 3 says nothing
            except (TypeError, ValueError):
                return
        else:
            sign = float(np.sign(REACTION.get(kind, 0.0)))
        if sign:
            self.ranker.learn(direction, OUTCOME_LR * sign)

    def _learn_recorded(self, event: dict[str, Any]) -> None:
        # Our own accept/dismiss already taught the ranker; events from elsewhere
        # (another window, an imported log) carry their features in params.
        sid = str(event.get("target") or "")
        if sid in self._own_feedback:
            return
        feats = (event.get("params") or {}).get("features")
        if isinstance(feats, dict):
            x = np.array([float(feats.get(f, 0.0)) for f in FEATURES])
            sign = 1.0 if event["type"] == "suggestion_apply" else -1.0
            self.ranker.learn(x - self._mean_shown, EXPLICIT_LR * sign)

    # -- asking --------------------------------------------------------------------

    def candidates(self, context: SuggestContext | dict[str, Any] | None = None,
                   **overrides: Any) -> list[Candidate]:
        """Every candidate ``suggest`` would choose from for ``context`` (placeholders
        left out), unranked: for diagnostics ("was it even considered?")."""
        ctx = SuggestContext.coerce(context, **overrides)
        with self._lock:
            modality, last, base = self._where(ctx)
            return [c for c in self._candidates(ctx, modality, base, self.state.bucket(last))
                    if not c.stats.get("phantom")]

    def _where(self, ctx: SuggestContext) -> tuple[str, Gen | None, tuple[str, ...]]:
        """The modality asked about, its last generation, and the prompt to build on."""
        last_any = self.state.last_gen()
        modality = ctx.modality or (last_any.modality if last_any else "image")
        last = self.state.last_gen(modality)
        base = cached_parts(ctx.prompt) if ctx.prompt is not None else \
            (last.parts if last else ())
        return modality, last, base

    @staticmethod
    def _typing(ctx: SuggestContext, last: Gen | None, base: tuple[str, ...]) -> bool:
        """Is the context prompt a new one? The prompt box still holding the prompt
        just run (the window's usual state after Generate) is not."""
        return ctx.prompt is not None and not (last is not None and
                                               frozenset(base) == frozenset(last.parts))

    def suggest(self, context: SuggestContext | dict[str, Any] | None = None,
                **overrides: Any) -> list[Suggestion]:
        """The best ``k`` suggestions for ``context`` (see ``SuggestContext``), best first."""
        ctx = SuggestContext.coerce(context, **overrides)
        with self._lock:
            state = self.state
            modality, last, base = self._where(ctx)
            cands = self._candidates(ctx, modality, base, state.bucket(last))
            if not cands:
                return []
            x = featurize(cands, modality)
            probs = self.ranker.probs(x)
            real = np.array([not c.stats.get("phantom") for c in cands])
            # The Generate button re-runs the prompt in the box; the list is for
            # changes, so a pick is worth only the next prompts it comes closer
            # to than the box's prompt does.
            typing = self._typing(ctx, last, base)
            to_base = base_similarity(cands, base, modality)
            picks = select(cands, probs, ctx.k, self.cover, self.max_similarity, real,
                           base_sim=to_base)
            self._lists = None  # only the list on screen when the next prompt comes counts
            if not typing:
                # Always scored against the next prompt; shown where prompts are asked
                # for, while the sidebar's mixed list goes by variety instead.
                hedged = self._hedged(cands, real, picks, base, modality)
                if ctx.kinds is not None:
                    picks = hedged
            if ctx.kinds is None:
                picks = self._mixed(cands, probs, real, ctx.k, to_base)
            prompt_rows = [i for i, c in enumerate(cands) if c.kind in PROMPT_KINDS and real[i]]
            self._pool = (modality, [frozenset(cands[i].parts) for i in prompt_rows],
                          x[prompt_rows]) if prompt_rows else None
            shown_x = x[picks]
            self._mean_shown = 0.9 * self._mean_shown + 0.1 * shown_x.mean(axis=0) \
                if len(picks) else self._mean_shown
            out = []
            for i in picks:
                c = cands[i]
                s = Suggestion(id=_sid(c), kind=c.kind, text=c.text, modality=c.modality,
                               reason=c.reason, score=float(probs[i]), source=c.source,
                               params=c.params, evidence=explain(state, c, base, modality))
                out.append(s)
                self._shown[s.id] = (s, c, shown_x, len(out) - 1)
                self._shown.move_to_end(s.id)
            while len(self._shown) > 256:
                self._shown.popitem(last=False)
            return out

    def _mixed(self, cands: list[Candidate], probs: np.ndarray, real: np.ndarray,
               k: int, to_base: np.ndarray) -> list[int]:
        """The sidebar's list of every kind: the coverage order, but at most
        ``MIXED_PER_SOURCE`` ideas from one source, so that four ways of dropping
        a modifier do not crowd out a style, a setting or a cross-modal idea."""
        order = select(cands, probs, MIXED_LOOKAHEAD * k, self.cover, self.max_similarity,
                       real, base_sim=to_base)
        taken: dict[str, int] = {}
        picks, held_back = [], []
        for i in order:
            source = cands[i].source
            if taken.get(source, 0) >= MIXED_PER_SOURCE:
                held_back.append(i)
                continue
            taken[source] = taken.get(source, 0) + 1
            picks.append(i)
            if len(picks) == k:
                return picks
        return picks + held_back[:k - len(picks)]  # few sources have anything: fill up

    def _hedged(self, cands: list[Candidate], real: np.ndarray, picks: list[int],
                base: tuple[str, ...], modality: str) -> list[int]:
        """The model's prompt picks, the user's latest or most used prompts, or a
        blend: whichever list has served this user best (``hedge.py``). Picks of
        other kinds keep their places."""
        model = [i for i in picks if cands[i].kind in PROMPT_KINDS]
        n = len(model)
        if not n:
            return picks
        by_key: dict[frozenset[str], int] = {}
        for i, c in enumerate(cands):
            if real[i] and c.kind in PROMPT_KINDS and c.modality == modality and c.parts:
                by_key.setdefault(frozenset(c.parts), i)
        latest = [by_key[key] for key in reversed(self.state.recent) if key in by_key]
        latest = list(dict.fromkeys(latest))[:n]
        frequent = [by_key[key] for key in self.state.top_counts.top() if key in by_key][:n]
        half = n - n // 2
        blend = list(dict.fromkeys([*model[:half], *latest, *model]))[:n]
        lists = {"model": model, "blend": blend, "recent": latest, "frequent": frequent}
        self._lists = (modality, frozenset(base),
                       {p: [frozenset(cands[i].parts) for i in shown]
                        for p, shown in lists.items()})
        chosen = lists[self.hedge.choose()]
        if len(chosen) < n:
            chosen = list(dict.fromkeys([*chosen, *model]))[:n]
        it = iter(chosen)
        return [next(it) if cands[i].kind in PROMPT_KINDS else i for i in picks]

    def _candidates(self, ctx: SuggestContext, modality: str, base: tuple[str, ...],
                    bucket: str) -> list[Candidate]:
        state, cat = self.state, self.catalogue
        want = set(ctx.kinds) if ctx.kinds else None
        raw: list[Candidate] = []
        if want is None or want & set(PROMPT_KINDS):
            if state.step:
                raw += sources.history_candidates(state, cat, self.edits, base, modality,
                                                  bucket)
            raw += sources.catalogue_candidates(state, cat, base, modality)
            if len(state.prompts) < STARTERS_UNTIL or not base:
                raw += sources.starter_candidates(state, cat, modality,
                                                  typing=bool(base) and self._typing(
                                                      ctx, state.last_gen(modality), base))
            if self.expansion is not None and base:
                raw += self.expansion.candidates(state, state.text_of(base), modality)
        if want is None or "params" in want:
            raw += sources.params_candidates(state, cat, base, modality)
        if want is None or "negative" in want:
            raw += sources.negative_candidates(state, cat, modality)
        if want is None or "cross_modal" in want:
            raw += sources.cross_modal_candidates(state, cat, modality, ctx.document,
                                                  ctx.selection)
        if (want is None or "direction" in want) and (modality == "text" or ctx.document):
            raw += sources.direction_candidates(state, cat, ctx.document)
        merged: dict[Any, Candidate] = {}
        for c in raw:
            if want is not None and c.kind not in want:
                continue
            if not c.parts and c.kind in PROMPT_KINDS:
                continue
            key = c.key
            if c.stats.get("phantom"):
                twin = merged.get((key, "phantom"))
                if twin is not None:
                    for s, m in c.sources.items():
                        twin.sources[s] = twin.sources.get(s, 0.0) + m
                else:
                    merged[(key, "phantom")] = c
                continue
            if key in self._dismissed and state.step - self._dismissed[key] < DISMISS_FOR:
                continue
            seen = merged.get(key)
            if seen is None:
                merged[key] = c
                continue
            # Two sources proposing the same prompt: their masses add up; the
            # stronger one names the kind and gives the reason.
            if c.mass > seen.mass:
                c.sources = {**seen.sources, **{s: seen.sources.get(s, 0.0) + m
                                                for s, m in c.sources.items()}}
                merged[key] = c
            else:
                for s, m in c.sources.items():
                    seen.sources[s] = seen.sources.get(s, 0.0) + m
        unchanged = self._unchanged(ctx, modality, base)
        out = [c for c in merged.values() if not _same_prompt(c, modality, unchanged)]
        if want is None or "prompt" in want:  # combinations are prompts, not styles
            out += [c for c in self._combinations(out, modality, base, set(merged))
                    if not _same_prompt(c, modality, unchanged)]
        return out

    def _unchanged(self, ctx: SuggestContext, modality: str, base: tuple[str, ...]
                   ) -> tuple[set[frozenset[str]], set[frozenset[str]]]:
        """The prompts a suggestion must not repeat: the one in the box and the last
        one run, by the engine's parts and by the metric's plain reading."""
        keys, plain = {frozenset(base)}, set()
        last = self.state.last_gen(modality)
        if last is not None:
            keys.add(frozenset(last.parts))
            plain.add(metric_parts(last.prompt))
        if ctx.prompt is not None:
            plain.add(metric_parts(ctx.prompt))
        keys.discard(frozenset())
        plain.discard(frozenset())
        return keys, plain

    def _combinations(self, cands: list[Candidate], modality: str, base: tuple[str, ...],
                      taken: set[Any]) -> list[Candidate]:
        """Prompts that stand for two likely next prompts at once.

        The union of two likely prompts (two modifiers added; one swapped out for
        either of two) is within the similarity the list is judged by of both when
        they differ little, so one line of the sidebar serves both; likewise their
        common core for two likely drops. They carry no probability of their own:
        the coverage step picks one only when it covers more than a plain candidate.
        """
        state = self.state
        prompts = [c for c in cands if c.kind in PROMPT_KINDS and c.modality == modality
                   and not c.stats.get("phantom") and c.parts]
        prompts.sort(key=lambda c: c.mass, reverse=True)
        top = prompts[:COMBINE_TOP]
        out: list[Candidate] = []
        seen = set(taken)
        for i, a in enumerate(top):
            sa = set(a.parts)
            for b in top[i + 1:]:
                sb = set(b.parts)
                small = min(len(sa), len(sb))
                for parts in (_ordered(a.parts, b.parts, base, union=True),
                              _ordered(a.parts, b.parts, base, union=False)):
                    n = len(parts)
                    if len({bare_part(p) for p in parts}) < n:
                        continue  # one part at two emphases
                    if not n or (n > small and small < self.cover * n) or \
                            (n < small and n < self.cover * max(len(sa), len(sb))):
                        continue
                    key = ("prompt", modality, frozenset(parts))
                    if key in seen or (key in self._dismissed
                                       and state.step - self._dismissed[key] < DISMISS_FOR):
                        continue
                    seen.add(key)
                    extra = [p for p in parts if p not in base]
                    gone = [p for p in base if p not in parts]
                    bits = []
                    if extra:
                        bits.append("adds " + " and ".join(f"'{p}'" for p in extra[:3]))
                    if gone:
                        bits.append("drops " + " and ".join(f"'{p}'" for p in gone[:3]))
                    reason = ("Two of your likely next steps in one: " + ", ".join(bits)
                              if bits else "Two of your likely next steps in one")
                    out.append(sources.prompt_candidate(state, parts, modality, "combo",
                                                        0.0, reason))
        return out

    # -- feedback ------------------------------------------------------------------

    def accept(self, suggestion_id: str) -> Suggestion | None:
        """The user applied a suggestion: teach the ranker and record it."""
        return self._feedback(suggestion_id, 1.0, "suggestion_apply")

    def dismiss(self, suggestion_id: str) -> Suggestion | None:
        """The user dismissed a suggestion: teach the ranker, hide it a while, record it."""
        return self._feedback(suggestion_id, 0.0, "suggestion_dismiss")

    def _feedback(self, suggestion_id: str, label: float, kind: str) -> Suggestion | None:
        with self._lock:
            entry = self._shown.get(suggestion_id)
            if entry is None:
                return None  # offered before a restart: nothing to learn from
            sugg, cand, shown_x, row = entry
            x = shown_x[row]
            self.ranker.update(shown_x, row, EXPLICIT_LR, 1.0 if label else -1.0)
            if label == 0.0:
                self._dismissed[cand.key] = self.state.step
            self._own_feedback.add(suggestion_id)
            if self.store:
                try:
                    self.ranker.save(self.store)
                except OSError:
                    log.warning("could not save suggestion weights to %s", self.store,
                                exc_info=True)
        if self.recorder is not None:
            try:
                self.recorder(kind, target=suggestion_id, prompt=sugg.text,
                              modality=sugg.modality,
                              params={"kind": sugg.kind, "source": sugg.source,
                                      "features": dict(zip(FEATURES, map(float, x),
                                                           strict=True))})
            except Exception:
                # Losing one history record must not lose the user's click.
                log.warning("could not record %s", kind, exc_info=True)
        return sugg


#: The sidebar's mixed list (no ``kinds`` asked for): ideas per source, and how
#: far down the coverage order it looks for other sources.
MIXED_PER_SOURCE = 2
MIXED_LOOKAHEAD = 4

#: How many of the likeliest prompt candidates are combined pairwise.
COMBINE_TOP = 10


def _ordered(a: tuple[str, ...], b: tuple[str, ...], base: tuple[str, ...],
             union: bool) -> tuple[str, ...]:
    """Union or intersection of two prompts' parts, in the order a reader expects:
    the base prompt's order first, then new parts as they appear in ``a`` then ``b``."""
    sb = set(b)
    parts = list(dict.fromkeys([*a, *b])) if union else [p for p in a if p in sb]
    order = {p: i for i, p in enumerate(base)}
    return tuple(sorted(parts, key=lambda p: (order.get(p, len(order)), parts.index(p))))


def _same_prompt(c: Candidate, modality: str,
                 unchanged: tuple[set[frozenset[str]], set[frozenset[str]]]) -> bool:
    """Would applying ``c`` leave the prompt as it is (or as it was last run)?"""
    if c.kind not in PROMPT_KINDS or c.modality != modality or c.stats.get("phantom"):
        return False
    keys, plain = unchanged
    return frozenset(c.parts) in keys or metric_parts(c.text) in plain


def base_similarity(cands: list[Candidate], base: tuple[str, ...], modality: str
                    ) -> np.ndarray:
    """Each candidate's Jaccard similarity to the base prompt (-1 where it is not a
    prompt of that modality): a pick helps with a candidate only when closer to it."""
    key = frozenset(base)
    return np.array([jaccard(c.parts, key) if key and c.kind in PROMPT_KINDS
                     and c.modality == modality else -1.0 for c in cands])


def _sid(c: Candidate) -> str:
    _kind, modality, what = c.key
    text = "\x00".join(sorted(what)) if isinstance(what, frozenset) else what
    return hashlib.sha1(f"{c.kind}\x01{modality}\x01{text}".encode()).hexdigest()[:12]
