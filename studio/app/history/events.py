"""What a history event is: its types, its fields, and the checks run before it is stored.

The event log is the source of truth for the profile and the suggestions, so a
bad value is refused here with a message naming it, rather than stored and
"fixed" later by every reader.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from studio.api import StudioError


class EventError(StudioError, ValueError):
    """An event has an unknown type or a field with a bad value."""


#: Columns of the log; never payload keys (``Event.to_dict`` flattens the payload beside them).
RESERVED = frozenset({"id", "ts", "type", "session", "project"})

_STR, _INT, _NUM, _DICT, _LIST = "str", "int", "number", "dict", "list[str]"
_OPT_STR = "str|None"

# type -> (required fields, optional fields); each field -> kind. Fields not listed are
# accepted when JSON-serialisable: parts of the app add context (a suggestion's source,
# a job id) and the log must not break them; the listed ones are what readers rely on.
_TARGET = {"target": _STR}
SCHEMA: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "generate": (
        {"modality": _STR},
        {"task": _STR, "prompt": _STR, "params": _DICT, "model": _STR, "seed": "int|None",
         "generator": _STR, "artifacts": _LIST, "parent": _OPT_STR, "job_id": _OPT_STR,
         "ref": _STR, "user": _STR},
    ),
    "keep": (_TARGET, {}),
    "favourite": (_TARGET, {}),
    "unfavourite": (_TARGET, {}),
    "rate": ({"target": _STR, "value": "rating"}, {}),
    "delete": (_TARGET, {}),
    "restore": (_TARGET, {}),
    # Text edits record how much changed, not the text: sizes and a ratio. ``text`` (the
    # inserted words, clipped) is optional; the mood of the user's writing reads it.
    "edit": (
        {},
        {"target": _STR, "chars_before": "count", "chars_after": "count",
         "changed_ratio": "ratio", "text": _STR, "modality": _STR},
    ),
    "suggestion_apply": ({}, {"suggestion": _STR, "source": _STR, "prompt": _STR,
                              "rank": "count", "target": _STR, "modality": _STR}),
    "suggestion_dismiss": ({}, {"suggestion": _STR, "source": _STR, "prompt": _STR,
                                "rank": "count", "target": _STR, "modality": _STR}),
    "style_apply": ({"style": _STR}, {"target": _STR, "prompt": _STR, "modality": _STR}),
    "undo": ({}, {"action": _STR, "target": _STR}),
    "export": ({}, {"target": _STR, "format": _STR}),
}
EVENT_TYPES = tuple(SCHEMA)

#: Edit texts longer than this are clipped: enough for the mood heuristic, not a copy.
MAX_EDIT_TEXT = 2000
#: Request parameters a generate event leaves out: passages of the user's own texts
#: that a request carries as style examples (issue #18). The event keeps which ones
#: (``exemplar_ids``), not a second copy that forgetting the text would miss.
UNRECORDED_PARAMS = frozenset({"exemplars"})

#: The times an event may carry: 1970-01-01 to 9999-12-31 (UTC), in seconds. Outside it
#: the readers' calendar functions fail (``time.localtime(1e20)``), so one bad value
#: stored would break every later ``profile show``.
MIN_TS = 0.0
MAX_TS = 253_402_300_799.0
TS_RANGE = "1970-01-01 to 9999-12-31"


def check_ts(value: Any) -> float:
    """``value`` as event time in seconds; ``ValueError`` naming it if it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"ts={value!r} is not a time in seconds")
    try:
        ts = float(value)
    except OverflowError:  # an int too large for a float
        raise ValueError(f"ts={value!r} is outside {TS_RANGE}") from None
    if not math.isfinite(ts):
        raise ValueError(f"ts={value!r} is not a finite time")
    if not MIN_TS <= ts <= MAX_TS:
        raise ValueError(f"ts={value!r} is outside {TS_RANGE}")
    return ts


def clamp_ts(value: Any) -> float:
    """A stored time made safe to read: into the allowed range (0 when not a number).

    For rows an older build stored without ``check_ts``: reading them must not fail.
    """
    try:
        ts = float(value)
    except (TypeError, ValueError, OverflowError):
        return MIN_TS
    if ts != ts:
        return MIN_TS
    return min(max(ts, MIN_TS), MAX_TS)


def _check(etype: str, name: str, kind: str, value: Any) -> Any:
    def bad(expected: str) -> EventError:
        return EventError(f"{etype} event: {name}={value!r} is not {expected}")

    if kind == _STR:
        if not isinstance(value, str):
            raise bad("a string")
    elif kind == _OPT_STR:
        if value is not None and not isinstance(value, str):
            raise bad("a string or None")
    elif kind == "int|None":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise bad("an integer or None")
    elif kind == "count":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise bad("a whole number >= 0")
    elif kind == "ratio":
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or not math.isfinite(value) or not 0 <= value <= 1):
            raise bad("a number from 0 to 1")
        value = float(value)
    elif kind == "rating":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise bad("a whole number from 1 to 5")
    elif kind == _DICT:
        if not isinstance(value, Mapping):
            raise bad("a mapping of parameters")
        # Paths (an init image) are stored as text; the live event says the same.
        value = {k: os.fspath(v) if isinstance(v, os.PathLike) else v for k, v in value.items()}
    elif kind == _LIST:
        if isinstance(value, str) or not isinstance(value, (list, tuple)) or not all(
            isinstance(v, str) for v in value
        ):
            raise bad("a list of artifact ids")
        value = list(value)
    return value


def validate(etype: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return the checked payload for an event of ``etype``; raise ``EventError`` if bad."""
    if etype not in SCHEMA:
        raise EventError(
            f"unknown event type {etype!r}; known types: {', '.join(EVENT_TYPES)}"
        )
    required, optional = SCHEMA[etype]
    missing = [n for n in required if fields.get(n) is None]
    if missing:
        raise EventError(f"{etype} event needs {', '.join(missing)}")
    payload: dict[str, Any] = {}
    for name, value in fields.items():
        if name in RESERVED:
            raise EventError(
                f"{etype} event: {name!r} is a column of the log, not a payload field"
                + (" (store an external id as 'ref')" if name == "id" else "")
            )
        kind = required.get(name) or optional.get(name)
        if kind is not None:
            value = _check(etype, name, kind, value)
        payload[name] = value
    if etype == "edit" and isinstance(payload.get("text"), str):
        payload["text"] = payload["text"][:MAX_EDIT_TEXT]
    if etype == "generate" and UNRECORDED_PARAMS & set(payload.get("params") or ()):
        payload["params"] = {k: v for k, v in payload["params"].items()
                             if k not in UNRECORDED_PARAMS}
    return payload


def _plain(value: Any) -> Any:
    # Parameters may hold paths (an init image) or sets; store them as text/lists
    # rather than lose the whole generate event. Anything else is refused.
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                            default=_plain)


def encode_payload(etype: str, payload: Mapping[str, Any]) -> bytes:
    """The stored form of a payload: compact JSON; refuses what JSON cannot hold."""
    try:
        return _ENCODER.encode(payload).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise EventError(f"{etype} event has a value that cannot be stored: {exc}") from exc


@dataclass(frozen=True)
class Event:
    """One stored user action. ``id`` is the log's row id: increasing, never reused."""

    id: int
    ts: float
    type: str
    session: str
    project: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.payload.get(name, default)

    def to_dict(self) -> dict[str, Any]:
        """The flat form the profile, the suggestions and the export read."""
        return {"id": self.id, "ts": self.ts, "type": self.type, "session": self.session,
                "project": self.project, **self.payload}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Event:
        payload = {k: v for k, v in data.items() if k not in RESERVED}
        return cls(id=int(data.get("id", 0)), ts=float(data["ts"]), type=str(data["type"]),
                   session=str(data.get("session", "")), project=data.get("project"),
                   payload=payload)

    def texts(self) -> list[str]:
        """The free text this event carries (prompt, edit text): what "forget a term" scans."""
        return [v for k in ("prompt", "text", "suggestion", "style")
                if isinstance(v := self.payload.get(k), str) and v]

    def mentions(self) -> set[str]:
        """Artifact ids (and external refs) this event is about."""
        out = {v for k in ("target", "ref", "parent") if isinstance(v := self.payload.get(k), str)}
        arts = self.payload.get("artifacts")
        if isinstance(arts, list):
            out.update(a for a in arts if isinstance(a, str))
        return out
