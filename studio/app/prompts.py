"""How Studio reads a prompt: comma-separated parts, normalised the same way everywhere.

The profile, the suggestions and the replay evaluation all compare prompts with
these functions, so "what the user means by a modifier" has one definition.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SPACE = re.compile(r"\s+")
_WEIGHT = re.compile(r"^\((.*?)(?::\s*[\d.]+)?\)$")  # A1111 "(term:1.2)" emphasis


def split_parts(prompt: str, *, keep_weights: bool = False) -> list[str]:
    """``"A Fox, (snow:1.2),  watercolor"`` -> ``["a fox", "snow", "watercolor"]``.

    Lower-cased, whitespace collapsed, emphasis weights dropped (unless
    ``keep_weights``: then ``"(snow:1.2)"`` stays a part of its own, as it is a
    different prompt to run), empty parts and repeats removed (first occurrence
    kept, order kept).
    """
    out: list[str] = []
    seen: set[str] = set()
    for raw in prompt.replace("\n", ",").split(","):
        part = _SPACE.sub(" ", raw).strip().lower()
        match = None if keep_weights else _WEIGHT.match(part)
        if match:
            part = match.group(1).strip()
        if part and part not in seen:
            seen.add(part)
            out.append(part)
    return out


def bare_part(part: str) -> str:
    """A part without its emphasis: ``"(snow:1.2)"`` -> ``"snow"``."""
    match = _WEIGHT.match(part)
    return match.group(1).strip() if match else part


def join_parts(parts: Iterable[str]) -> str:
    return ", ".join(parts)


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    sa, sb = set(a), set(b)
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


def prompt_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two prompts' parts (the replay evaluation's matcher)."""
    return jaccard(split_parts(a), split_parts(b))


def words(text: str) -> list[str]:
    """Lower-case word tokens (letters, digits, apostrophes) for term statistics."""
    return re.findall(r"[a-z0-9][a-z0-9']*", text.lower())
