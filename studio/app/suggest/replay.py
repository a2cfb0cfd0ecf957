"""Offline replay evaluation: hide each next prompt, ask for k, score hit@k and MRR.

Format and metric: docs/replay-eval.md. In short, for each user separately and
in time order, before each of the user's generate events (from their second
on) each system proposes k prompts knowing only that user's earlier events; a
proposal hits when the Jaccard similarity of its comma-separated parts
(lower-cased, stripped) with the actual prompt's parts is at least 0.8.

The next-edit metric (``"next_edit"``) scores only the prompts that change the
user's previous one, and only proposals that bring the user closer to what they
wrote next than the previous prompt itself (``is_edit_hit``).

Every system is incremental (each event is observed once), so a history of
100,000 events replays in about a minute.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from studio.api import StudioError
from studio.app.history.importer import parse_ts
from studio.app.prompts import jaccard
from studio.app.suggest.metric import metric_parts
from studio.app.suggest.suggester import Suggester

HIT_THRESHOLD = 0.8
EVENT_TYPES = ("generate", "keep", "favourite", "delete", "rate")
#: Further types a Studio log may hold; accepted and passed on, never scored.
OTHER_TYPES = ("unfavourite", "restore", "edit", "suggestion_apply", "suggestion_dismiss",
               "style_apply", "undo", "export")


class ReplayFormatError(StudioError, ValueError):
    """A line of the history file is not a valid event (the message names the line)."""


def is_hit(proposal: str, actual: frozenset[str]) -> bool:
    return jaccard(metric_parts(proposal), actual) >= HIT_THRESHOLD


def is_edit_hit(proposal: str, actual: frozenset[str], previous: frozenset[str]) -> bool:
    """The next-edit rule: the proposal is within the hit threshold of the actual
    prompt and strictly closer to it than the previous prompt is. A proposal
    equal to the previous prompt therefore never counts."""
    parts = metric_parts(proposal)
    if parts == previous:
        return False
    sim = jaccard(parts, actual)
    return sim >= HIT_THRESHOLD and sim > jaccard(previous, actual)


# -- systems -------------------------------------------------------------------------


class System(Protocol):
    def propose(self, k: int) -> list[str]: ...
    def observe(self, event: dict[str, Any]) -> None: ...


class MostRecent:
    """The k most recent distinct prompts of the user."""

    def __init__(self) -> None:
        self.recent: OrderedDict[frozenset[str], str] = OrderedDict()

    def propose(self, k: int) -> list[str]:
        out = []
        for key in reversed(self.recent):
            out.append(self.recent[key])
            if len(out) == k:
                break
        return out

    def observe(self, event: dict[str, Any]) -> None:
        if event["type"] == "generate":
            key = metric_parts(event["prompt"])
            self.recent.pop(key, None)
            self.recent[key] = event["prompt"]


class MostFrequent:
    """The k most frequent prompts of the user so far; ties go to the more recent.

    Counts only grow, so the top k is maintained exactly in O(k) per event: only
    the prompt just used can enter it.
    """

    def __init__(self, k: int) -> None:
        self.k = k
        self.count: dict[frozenset[str], int] = {}
        self.last: dict[frozenset[str], int] = {}
        self.text: dict[frozenset[str], str] = {}
        self.top: list[frozenset[str]] = []
        self.step = 0

    def _rank(self, key: frozenset[str]) -> tuple[int, int]:
        return (self.count[key], self.last[key])

    def propose(self, k: int) -> list[str]:
        return [self.text[key] for key in self.top[:k]]

    def observe(self, event: dict[str, Any]) -> None:
        if event["type"] != "generate":
            return
        self.step += 1
        key = metric_parts(event["prompt"])
        self.count[key] = self.count.get(key, 0) + 1
        self.last[key] = self.step
        self.text[key] = event["prompt"]
        if key not in self.top:
            self.top.append(key)
        self.top.sort(key=self._rank, reverse=True)
        del self.top[self.k + 1:]  # one spare: k remain without the previous prompt


class StudioSystem:
    """The suggestion engine, asked for prompt suggestions only (no context but the past).

    Its list is what the user sees: the prompt in the box (which the Generate
    button runs again) first, then the engine's suggestions, which never repeat it.
    """

    def __init__(self, **options: Any) -> None:
        self.suggester = Suggester(**options)
        self.box: str | None = None

    def propose(self, k: int) -> list[str]:
        head = [self.box] if self.box is not None else []
        rest = self.suggester.suggest(k=k - len(head), kinds=("prompt", "style"))
        return [*head, *(s.text for s in rest)][:k]

    def observe(self, event: dict[str, Any]) -> None:
        if event["type"] == "generate":
            self.box = event["prompt"]
        self.suggester.observe(event)


# -- reading ---------------------------------------------------------------------------


def read_events(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, event)`` for each non-blank line; malformed lines raise with their number."""
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            yield lineno, parse_event(line, f"{path}:{lineno}")


def parse_event(line: str, where: str) -> dict[str, Any]:
    try:
        ev = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ReplayFormatError(f"{where}: not valid JSON ({exc.msg})") from exc
    if not isinstance(ev, dict):
        raise ReplayFormatError(f"{where}: an event must be a JSON object")
    kind = ev.get("type")
    if kind not in EVENT_TYPES and kind not in OTHER_TYPES:
        raise ReplayFormatError(f"{where}: unknown event type {kind!r} "
                                f"(expected one of {', '.join(EVENT_TYPES)})")
    try:
        # The same reading of time as `studio profile import`: epoch seconds or ISO 8601.
        ev["ts"] = parse_ts(ev.get("ts"))
    except ValueError:
        raise ReplayFormatError(f"{where}: 'ts' must be epoch seconds or an ISO 8601 time, "
                                f"got {ev.get('ts')!r}") from None
    if "user" in ev and not isinstance(ev["user"], (str, int)):
        raise ReplayFormatError(f"{where}: 'user' must be a string")
    if kind == "generate":
        if not isinstance(ev.get("prompt"), str):
            raise ReplayFormatError(f"{where}: a generate event needs a string 'prompt'")
        if not isinstance(ev.get("id"), (str, int)):
            raise ReplayFormatError(f"{where}: a generate event needs an 'id'")
        if ev.get("params") is not None and not isinstance(ev["params"], dict):
            raise ReplayFormatError(f"{where}: 'params' must be an object")
    elif kind in EVENT_TYPES and not isinstance(ev.get("target"), (str, int)):
        raise ReplayFormatError(f"{where}: a {kind} event needs a 'target' (a generate id)")
    if kind == "rate":
        value = ev.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ReplayFormatError(f"{where}: a rate event needs a numeric 'value'")
    ev["id"] = str(ev["id"]) if ev.get("id") is not None else None
    if ev.get("target") is not None:
        ev["target"] = str(ev["target"])
    return ev


# -- evaluation ----------------------------------------------------------------------------


def evaluate(path: Path, k: int = 5, systems: dict[str, Any] | None = None) -> dict[str, Any]:
    """Replay the history at ``path`` and score each system's proposals (see module doc).

    :param systems: name -> factory of a fresh per-user system; default: studio,
        most_recent, most_frequent.
    :returns: ``{"k", "events", "users", "systems": {name: {"hit@k", "mrr"}},
        "next_edit": {"events", "systems": {name: {"hit@k", "mrr"}}}}``. Each
        system is asked for ``k + 1`` proposals: the first ``k`` are its all-prompt
        list, and the first ``k`` of them not equal to the previous prompt its
        next-edit list.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    factories = systems or {
        "studio": lambda: StudioSystem(),
        "most_recent": MostRecent,
        "most_frequent": lambda: MostFrequent(k),
    }
    by_user: dict[str, list[tuple[float, int, dict[str, Any]]]] = {}
    for lineno, ev in read_events(Path(path)):
        by_user.setdefault(str(ev.get("user", "")), []).append((float(ev["ts"]), lineno, ev))
    return score_users(((u, [e for _, _, e in sorted(evs, key=lambda t: (t[0], t[1]))])
                        for u, evs in by_user.items()), k, factories)


def score_users(users: Iterable[tuple[str, list[dict[str, Any]]]], k: int,
                factories: dict[str, Any]) -> dict[str, Any]:
    hits = dict.fromkeys(factories, 0)
    rr = dict.fromkeys(factories, 0.0)
    edit_hits = dict.fromkeys(factories, 0)
    edit_rr = dict.fromkeys(factories, 0.0)
    scored = edits = n_users = 0
    for _user, events in users:
        n_users += 1
        systems = {name: make() for name, make in factories.items()}
        previous: frozenset[str] | None = None
        for ev in events:
            if ev["type"] == "generate":
                actual = metric_parts(ev["prompt"])
                if previous is not None:
                    scored += 1
                    changed = actual != previous
                    edits += changed
                    for name, system in systems.items():
                        proposals = system.propose(k + 1)
                        rank = _first_hit([is_hit(p, actual) for p in proposals[:k]])
                        if rank:
                            hits[name] += 1
                            rr[name] += 1.0 / rank
                        if changed:
                            others = [p for p in proposals if metric_parts(p) != previous][:k]
                            rank = _first_hit([is_edit_hit(p, actual, previous)
                                               for p in others])
                            if rank:
                                edit_hits[name] += 1
                                edit_rr[name] += 1.0 / rank
                previous = actual
            for system in systems.values():
                system.observe(ev)
    return {
        "k": k,
        "events": scored,
        "users": n_users,
        "systems": _rates(hits, rr, scored),
        "next_edit": {"events": edits, "systems": _rates(edit_hits, edit_rr, edits)},
    }


def _first_hit(hits: list[bool]) -> int:
    """1-based rank of the first proposal that hits, 0 if none does."""
    return next((rank for rank, hit in enumerate(hits, 1) if hit), 0)


def _rates(hits: dict[str, int], rr: dict[str, float], n: int) -> dict[str, dict[str, float]]:
    return {name: {"hit@k": round(hits[name] / n, 4) if n else 0.0,
                   "mrr": round(rr[name] / n, 4) if n else 0.0} for name in hits}
