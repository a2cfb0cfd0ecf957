"""Profile-aware prompt expansion (issue #18): the user's liked and disliked terms and
their usual parameters, for the ``expand`` task and the sidebar's expansions.

A term is *liked* when the user's reactions to outputs that carried it were more
positive than negative (favourites, keeps and ratings of 4-5 against deletes and
ratings of 1-2), and *disliked* the other way round; using a term says nothing
either way. The writing pack gets them as ``prefer`` and ``avoid`` and holds the
expansion to them; an image suggestion also gets the disliked terms as its negative
prompt, and every suggestion the parameters the user sets in at least half their
runs of that modality (over 3 runs or more).

Two readers of the same taste: the profile (``studio.app.history``) for a request
made through the engine, and the suggestion engine's ``UserState`` for the sidebar.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from studio.app.history.profile import Profile
    from studio.app.suggest.state import UserState

#: Terms passed to one expansion (a prompt of 80 words has room for a few).
MAX_LIKED = 3
MAX_DISLIKED = 3
#: A parameter is "usual" when set to one value in at least this share of runs...
USUAL_SHARE = 0.5
#: ...and the modality has at least this many runs to tell a habit from a try.
USUAL_MIN_RUNS = 3
#: Never suggested as a habit: they belong to one picture, not to a taste.
NOT_HABITS = frozenset({"seed", "negative_prompt", "prompt", "size", "target", "prefer",
                        "avoid", "exemplars", "exemplar_ids", "loras"})


@dataclass(frozen=True)
class Taste:
    """What steers one expansion: liked and disliked terms, usual parameters."""

    liked: tuple[str, ...] = ()
    disliked: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.liked or self.disliked or self.params)

    def expand_params(self) -> dict[str, str]:
        """``prefer`` and ``avoid`` for the writing pack's ``expand`` task."""
        return {"prefer": ", ".join(self.liked), "avoid": ", ".join(self.disliked)}

    def suggested_params(self, modality: str, negative: str = "") -> dict[str, Any]:
        """The suggested request's parameters: the usual ones, and for an image the
        disliked terms added to the negative prompt (``negative``: the user's own)."""
        out = dict(self.params)
        if modality == "image" and self.disliked:
            have = [p.strip() for p in negative.split(",") if p.strip()]
            extra = [t for t in self.disliked if t.lower() not in {h.lower() for h in have}]
            out["negative_prompt"] = ", ".join([*have, *extra])
        return out

    def reason(self) -> str:
        """The clause a suggestion's reason carries: what of the profile it used."""
        bits = []
        if self.liked:
            n = len(self.liked)
            bits.append(f"uses {n} term{'s' if n > 1 else ''} you like: {', '.join(self.liked)}")
        if self.disliked:
            bits.append(f"avoids: {', '.join(self.disliked)}")
        if self.params:
            bits.append("your usual " + ", ".join(f"{k} {_show(v)}" for k, v in
                                                   sorted(self.params.items())))
        return "; ".join(bits)


def _show(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _split(reactions: Iterable[tuple[str, float, float, float]], n_liked: int,
           n_disliked: int, skip: set[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(term, positive, negative, recency)`` rows -> (liked, disliked), strongest first."""
    rows = [r for r in reactions if r[0] and r[0].lower() not in skip]
    liked = sorted((r for r in rows if r[1] > r[2]), key=lambda r: (-(r[1] - r[2]), -r[3], r[0]))
    disliked = sorted((r for r in rows if r[2] > r[1]),
                      key=lambda r: (-(r[2] - r[1]), -r[3], r[0]))
    return (tuple(r[0] for r in liked[:n_liked]), tuple(r[0] for r in disliked[:n_disliked]))


def _usual(counts: Mapping[str, Mapping[Any, int]], runs: int) -> dict[str, Any]:
    if runs < USUAL_MIN_RUNS:
        return {}
    out: dict[str, Any] = {}
    for name, values in sorted(counts.items()):
        if name in NOT_HABITS or not values:
            continue
        value, count = max(values.items(), key=lambda vc: (vc[1], str(vc[0])))
        if count >= USUAL_SHARE * runs:
            out[name] = value
    return out


def taste_from_profile(profile: Profile, target: str, exclude: Iterable[str] = (),
                       now: float | None = None) -> Taste:
    """The profile's taste for an expansion to ``target`` (image, music, video)."""
    from studio.app.history.profile import parse_prompt

    skip = {e.lower() for e in exclude}
    now = (profile.last_ts or 0.0) if now is None else now
    # Only the styles of this modality's prompts: watercolour says nothing about music.
    with profile._lock:
        prompts = [p for m, _model, p in profile.gens.values() if m == target]
    used = {style for p in prompts for style in parse_prompt(p)[1]}
    rows = []
    # Styles are whole modifiers ("soft light"), what a prompt is made of.
    for key in [k for k in list(profile.styles.data) if k in used]:
        e = profile.styles.describe(key, now)
        pos = e["favourites"] + e["keeps"] + e["high_ratings"]
        neg = e["deletes"] + e["low_ratings"]
        rows.append((key, float(pos), float(neg), float(e["score"])))
    liked, disliked = _split(rows, MAX_LIKED, MAX_DISLIKED, skip)
    slots = [(pref["runs"], slot, pref)
             for slot, pref in profile.parameter_preferences().items()
             if slot.split(" / ", 1)[0] == target]
    params: dict[str, Any] = {}
    if slots:
        runs, _slot, pref = max(slots, key=lambda s: (s[0], s[1]))
        params = _usual({name: {_key(v["value"]): v["count"] for v in vals}
                         for name, vals in pref["params"].items()}, runs)
    return Taste(liked, disliked, params)


def _key(value: Any) -> Any:
    # Values must be hashable to count them; a list (never a habit) becomes its repr.
    return value if isinstance(value, (str, int, float, bool)) else repr(value)


def taste_from_state(state: UserState, target: str, exclude: Iterable[str] = ()) -> Taste:
    """The suggestion engine's taste for an expansion to ``target``."""
    skip = {e.lower() for e in exclude}
    rows = []
    for part, t in state.terms.items():
        if t.pos == t.neg or t.heads * 2 > t.uses:
            continue  # no reaction either way, or mostly a subject: not a style
        if t.last >= len(state.gens) or state.gens[t.last].modality != target:
            continue  # last used for another modality: watercolour says nothing of music
        recency = -(state.step - t.last)
        rows.append((state.surface.get(part, part), t.pos, t.neg, float(recency)))
    liked, disliked = _split(rows, MAX_LIKED, MAX_DISLIKED, skip)
    runs = sum(1 for g in state.gens if g.modality == target)
    counts: dict[str, dict[Any, int]] = {}
    for (modality, subject, name), values in state.param_counts.items():
        if modality == target and subject == "*":
            counts[name] = {_literal(v): c for v, c in values.items()}
    params = _usual(counts, runs)
    return Taste(liked, disliked, {k: v for k, v in params.items() if v is not _BAD})


_BAD = object()


def _literal(text: str) -> Any:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return _BAD
    if isinstance(value, float) and not math.isfinite(value):
        return _BAD
    return value if isinstance(value, (str, int, float, bool)) else _BAD
