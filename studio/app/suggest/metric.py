"""The replay metric's reading of a prompt, shared by the evaluation and the engine.

The engine uses it to recognise a suggestion that would not change the prompt
in the box (the same parts under the metric's plain rule), whatever its own
parsing says.
"""

from __future__ import annotations


def metric_parts(prompt: str) -> frozenset[str]:
    """The metric's reading of a prompt: comma-separated parts, lower-cased and stripped.

    Deliberately not ``prompts.split_parts``: the metric is specified on the raw
    text (no emphasis stripping, no whitespace collapsing), so every system is
    judged by the same plain rule; systems may parse prompts however they like.
    """
    return frozenset(p for p in (s.strip().lower() for s in prompt.split(",")) if p)
