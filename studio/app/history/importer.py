"""Import a history kept elsewhere, one JSON object per line (JSONL).

Each line has ``ts`` (seconds since the epoch, or an ISO 8601 date), ``user``,
``type`` and the type's fields: a ``generate`` has ``id``, ``modality``, ``prompt``,
``params`` (and optionally ``model``, ``task``, ``seed``); ``keep``, ``favourite``,
``delete`` (and the other actions) have ``target``, the ``id`` of a generate; a
``rate`` also has ``value`` 1-5.

The external ``id`` of a generate becomes both its ``ref`` and its one artifact id,
so that the targets of later actions find it the way they find library artifacts.

All or nothing: every line is checked first; if any is bad, the errors are
reported with their line numbers (on one line) and nothing is imported. A file
already imported (same bytes) is refused, so running the command twice does not
count everything twice: the "imported" marker is committed in the same
transaction as the events, so a crash leaves both or neither.

A time (``ts``) must be finite and within 1970-01-01 to 9999-12-31.

Fault points (studio.app.faults): ``history.batch.after_events`` (in the import's
transaction: events inserted, marker not yet), ``history.batch.before_commit``
(both inserted, not committed), ``history.import.after_events`` (events and marker
committed, the profile not yet updated).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.api import StudioError
from studio.app.faults import fault_point
from studio.app.history.eventlog import EventLog
from studio.app.history.events import EventError, check_ts, encode_payload, validate

_MAX_REPORTED = 20


class ImportFailed(StudioError):
    """The file has bad lines; nothing was imported."""

    def __init__(self, path: Path, errors: list[str]) -> None:
        self.errors = errors
        shown = [" ".join(e.split()) for e in errors[:_MAX_REPORTED]]
        more = f"; ... and {len(errors) - len(shown)} more" if len(errors) > len(shown) else ""
        super().__init__(
            f"{path}: {len(errors)} bad line(s), nothing was imported: "
            + "; ".join(shown) + more
        )


@dataclass
class ImportReport:
    imported: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    users: list[str] = field(default_factory=list)
    other_users_skipped: int = 0
    dangling_targets: int = 0  # actions on an id no generate in the file made

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def parse_ts(value: Any) -> float:
    """Seconds since the epoch from a number or an ISO 8601 date; ``ValueError`` if
    it is neither, or not a finite time from 1970 to 9999 (``events.check_ts``)."""
    if isinstance(value, bool):
        raise ValueError("ts is not a time")
    if isinstance(value, (int, float)):
        return check_ts(value)
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        try:
            number = float(text)
        except ValueError:
            pass
        else:
            return check_ts(number)
        try:
            parsed = dt.datetime.fromisoformat(text)
            if parsed.tzinfo is None:
                parsed = parsed.astimezone()  # a date without a zone is local time
            return check_ts(parsed.timestamp())
        except (OverflowError, OSError) as exc:  # year 1 or 9999 beyond what the OS maps
            raise ValueError(f"ts={value!r} is outside the times allowed: {exc}") from None
    raise ValueError(f"ts={value!r} is not a time")


def _convert(raw: dict[str, Any]) -> dict[str, Any]:
    """One parsed line -> the fields of ``EventLog.append`` (raises on bad values)."""
    etype = raw.get("type")
    if not isinstance(etype, str):
        raise ValueError("missing 'type'")
    if "ts" not in raw:
        raise ValueError("missing 'ts'")
    fields: dict[str, Any] = {k: v for k, v in raw.items() if k not in ("ts", "type", "user")}
    if etype == "generate":
        ext = fields.pop("id", None)
        if not isinstance(ext, (str, int)) or isinstance(ext, bool) or ext == "":
            raise ValueError("a generate needs an 'id'")
        fields["ref"] = str(ext)
        fields["artifacts"] = [str(ext)]
        fields.setdefault("params", {})
        fields.setdefault("prompt", "")
    else:
        fields.pop("id", None)
        if isinstance(fields.get("target"), int) and not isinstance(fields["target"], bool):
            fields["target"] = str(fields["target"])
    user = raw.get("user")
    fields = validate(etype, fields)
    encode_payload(etype, fields)  # what cannot be stored (NaN...) fails here, with the line
    return {"type": etype, "ts": parse_ts(raw["ts"]),
            "session": f"import:{user}" if user not in (None, "") else "import", **fields}


def read_history(path: Path, user: str | None = None) -> tuple[list[dict[str, Any]], ImportReport]:
    """Parse and check the whole file; raise ``ImportFailed`` listing every bad line."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StudioError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return parse_history(path, data, user)


def parse_history(path: Path, data: bytes, user: str | None = None
                  ) -> tuple[list[dict[str, Any]], ImportReport]:
    """``read_history`` on the file's bytes ``data`` (``path`` names it in messages)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StudioError(f"cannot read {path}: not UTF-8 text ({exc})") from exc
    report = ImportReport()
    errors: list[str] = []
    events: list[dict[str, Any]] = []
    users: set[str] = set()
    # Split on newlines only: JSON strings may hold U+2028 and other characters that
    # str.splitlines() would take for line ends.
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if not isinstance(raw, dict):
                raise ValueError("not a JSON object")
            line_user = raw.get("user")
            if line_user is not None:
                users.add(str(line_user))
            if user is not None and str(line_user) != user:
                report.other_users_skipped += 1
                continue
            events.append(_convert(raw))
        except (ValueError, EventError) as exc:
            errors.append(f"line {lineno}: {exc}")
        except RecursionError:
            errors.append(f"line {lineno}: nested too deeply")
    if errors:
        raise ImportFailed(path, errors)
    report.users = sorted(users)
    if user is None and len(users) > 1:
        raise StudioError(
            f"{path} holds the history of {len(users)} users ({', '.join(report.users[:10])}"
            f"{'...' if len(users) > 10 else ''}); choose one with --user"
        )
    if user is not None and not events:
        raise StudioError(f"{path} has no events of user {user!r}")
    refs = {e["ref"] for e in events if e["type"] == "generate"}
    report.dangling_targets = sum(
        1 for e in events if e["type"] != "generate" and e.get("target") not in refs
    )
    # Out-of-order lines are common in exported logs; the profile reads them by time.
    events.sort(key=lambda e: e["ts"])
    return events, report


def import_history(log: EventLog, path: Path, user: str | None = None,
                   allow_repeat: bool = False) -> ImportReport:
    """Check ``path`` and append all its events in one transaction."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StudioError(f"cannot read {path}: {exc.strerror or exc}") from exc
    events, report = parse_history(path, data, user)
    digest = hashlib.sha256(data + f"|{user}".encode()).hexdigest()
    marker = f"import:{digest}"
    done = log.get_meta(marker)
    if not allow_repeat and done:
        raise StudioError(f"{path} was already imported (on {done}); "
                          "importing it again would count everything twice")
    # The marker commits with the events: killed before, neither is stored; after, both.
    stored = log.append_many(
        events, meta={marker: dt.datetime.now().isoformat(timespec="seconds")})
    fault_point("history.import.after_events")
    report.imported = len(stored)
    for e in stored:
        report.by_type[e.type] = report.by_type.get(e.type, 0) + 1
    return report
