"""Personalized suggestions: candidate sources, one online ranker, diversity, replay eval.

``Suggester`` is the service (``Studio.suggestions``); ``replay.evaluate`` measures
it against simple baselines on a recorded history (docs/replay-eval.md).
"""

from studio.app.suggest.suggester import Suggester
from studio.app.suggest.types import KINDS, SuggestContext, Suggestion

__all__ = ["KINDS", "SuggestContext", "Suggester", "Suggestion"]
