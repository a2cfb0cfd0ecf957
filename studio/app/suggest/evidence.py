"""The facts behind a prompt suggestion, for the sidebar's "why" detail.

The one-line reason says what the suggestion does; these lines say which of the
user's own prompts and reactions it rests on, read off the same statistics the
sources used, so they are true of the history as the engine saw it.
"""

from __future__ import annotations

from studio.app.suggest.state import UserState
from studio.app.suggest.types import PROMPT_KINDS, Candidate

MAX_LINES = 4


def _times(n: float, word: str = "time") -> str:
    n = round(n)
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _quote(text: str, limit: int = 60) -> str:
    return f"'{text}'" if len(text) <= limit else f"'{text[:limit - 1]}…'"


def _received(pos: float, neg: float) -> str:
    if not pos and not neg:
        return "no reactions to outputs with it yet"
    # Reaction scores, not counts: keep +1, favourite +2, delete -2, stars - 3.
    return f"reactions to outputs with it +{pos:g} / -{neg:g}"


def explain(state: UserState, cand: Candidate, base: tuple[str, ...],
            modality: str) -> tuple[str, ...]:
    """Up to ``MAX_LINES`` lines of evidence for a prompt candidate (none for other kinds)."""
    if cand.kind not in PROMPT_KINDS or not cand.parts:
        return ()
    lines: list[str] = []
    step = state.step
    stat = state.prompts.get(frozenset(cand.parts))
    if stat is not None:
        lines.append(f"You ran this prompt {_times(stat.count)}, last "
                     f"{_times(step - stat.last, 'generation')} ago; reactions to its "
                     f"outputs add up to {stat.reaction:+g}.")
    last = state.last_gen(modality)
    if base:
        here = state.prompts.get(frozenset(base))
        runs = f", run {_times(here.count)}" if here else ""
        lines.append(f"Built on your prompt {_quote(state.text_of(base))}{runs}"
                     + (f"; its last output: {_reaction(last.reaction)}."
                        if last is not None and frozenset(last.parts) == frozenset(base)
                        else "."))
    now = set(cand.parts)
    for part in [p for p in cand.parts if p not in base][:2]:
        t = state.terms.get(part)
        if t is not None and t.uses:
            lines.append(f"{_quote(state.text_of((part,)))}: in {_times(t.uses, 'generation')}"
                         f" of yours, added {_times(t.adds)}; {_received(t.pos, t.neg)}.")
    for part in [p for p in base if p not in now][:2]:
        t = state.terms.get(part)
        if t is not None:
            dropped = f"dropped {_times(t.drops)} before" if t.drops else "never dropped before"
            lines.append(f"{_quote(state.text_of((part,)))}: {dropped}; "
                         f"{_received(t.pos, t.neg)}.")
    return tuple(lines[:MAX_LINES])


def _reaction(value: float) -> str:
    if value > 0:
        return "kept or liked"
    if value < 0:
        return "deleted or rated low"
    return "no reaction yet"
