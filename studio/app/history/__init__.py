"""The user's history and the profile derived from it (local only; docs/privacy.md).

``EventLog`` is the append-only source of truth; ``Profile`` is derived from it and
can always be rebuilt. Importing this package loads neither torch nor transformers:
the embedding model loads on first use.
"""

from __future__ import annotations

from studio.app.history.eventlog import HISTORY_FILE, EventLog, HistoryDamaged
from studio.app.history.events import EVENT_TYPES, Event, EventError
from studio.app.history.profile import Profile

__all__ = ["EVENT_TYPES", "HISTORY_FILE", "Event", "EventError", "EventLog", "HistoryDamaged",
           "Profile"]
