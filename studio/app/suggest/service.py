"""Wiring the suggestion engine into a ``Studio``: history in, recorder out.

Kept out of ``studio.py`` so the composition root stays a list of properties.
The history is optional: when it cannot be opened (locked, encrypted without
the passphrase) the sidebar still works from the catalogue (cold start).
"""

from __future__ import annotations

import logging
from typing import Any

from studio.app.suggest.catalogue import load_catalogue
from studio.app.suggest.suggester import Suggester

log = logging.getLogger(__name__)

WEIGHTS_FILE = "suggest_weights.json"


def open_suggester(studio: Any) -> Suggester:
    """A ``Suggester`` built from ``studio``'s history and kept up to date with it."""
    catalogue = load_catalogue()
    if "plugins" in studio.__dict__:  # never discover plugins just for the styles
        catalogue = catalogue.with_styles(studio.plugins.styles)
    suggester = Suggester(catalogue, recorder=studio.record, store=studio.root / WEIGHTS_FILE)
    try:
        history = studio.history
        suggester.rebuild(e.to_dict() for e in history.events())
        suggester.unsubscribe = history.subscribe(lambda e: suggester.observe(e.to_dict()))
    except Exception as exc:
        # The history is the profile engineer's: whatever stops it must only cost
        # the suggestions their personal part.
        log.warning("suggestions start without history: %s", exc)
    return suggester
