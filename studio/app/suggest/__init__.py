"""Personalized suggestions: candidate sources, one online ranker, diversity, replay eval.

``Suggester`` is the service (``Studio.suggestions``); ``replay.evaluate`` measures
it against simple baselines on a recorded history (docs/replay-eval.md).

The engine (and numpy) load on first use of ``Suggester``, so that the command
line can read ``types`` without paying for them.
"""

from typing import TYPE_CHECKING, Any

from studio.app.suggest.types import KINDS, SuggestContext, Suggestion

if TYPE_CHECKING:
    from studio.app.suggest.suggester import Suggester

__all__ = ["KINDS", "SuggestContext", "Suggester", "Suggestion"]


def __getattr__(name: str) -> Any:
    if name == "Suggester":
        from studio.app.suggest.suggester import Suggester

        return Suggester
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
