"""The values the suggestion engine hands out and takes in.

``Suggestion`` is what the GUI sidebar and the CLI show; ``SuggestContext`` is
what they know when they ask (the active modality, the prompt being typed, the
document and selection in the editor). ``Candidate`` is the engine's working
form: a suggestion before ranking, with the statistics its features are built from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The kinds of suggestion the sidebar knows how to apply.
KINDS: tuple[str, ...] = ("prompt", "style", "params", "negative", "cross_modal", "direction")

#: Kinds whose ``text`` is a whole prompt for ``modality`` (the replay scores these).
PROMPT_KINDS: tuple[str, ...] = ("prompt", "style")


@dataclass(frozen=True)
class Suggestion:
    """One line in the sidebar.

    ``text`` is what applying it puts in the prompt (or negative prompt, or the
    editor for a writing direction); ``params`` holds parameter values for
    ``kind="params"``/``"negative"``; ``reason`` is the one line shown under it;
    ``evidence`` the facts of the user's history behind it (earlier prompts, how
    their outputs were received), for the "why" detail.
    """

    id: str
    kind: str
    text: str
    modality: str
    reason: str
    score: float
    source: str
    params: dict[str, Any] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", dict(self.params))
        object.__setattr__(self, "evidence", tuple(self.evidence))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "text": self.text, "params": dict(self.params),
            "modality": self.modality, "reason": self.reason, "score": round(self.score, 6),
            "source": self.source, "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class SuggestContext:
    """What the caller knows when it asks for suggestions.

    ``modality`` None means "the modality the user last worked in"; ``prompt``
    None means "the user's last prompt in that modality" (the replay evaluation
    passes neither, the sidebar passes the prompt field's text).
    """

    modality: str | None = None
    prompt: str | None = None
    document: str | None = None
    selection: str | None = None
    k: int = 5
    kinds: tuple[str, ...] | None = None  # None: every kind

    @classmethod
    def coerce(cls, value: SuggestContext | dict[str, Any] | None, **overrides: Any
               ) -> SuggestContext:
        if isinstance(value, SuggestContext):
            data = {f: getattr(value, f) for f in cls.__dataclass_fields__}
        else:
            data = dict(value or {})
        data.update({k: v for k, v in overrides.items() if v is not None})
        if data.get("kinds") is not None:
            data["kinds"] = tuple(data["kinds"])
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown suggestion context field(s): {sorted(unknown)}")
        return cls(**data)


@dataclass
class Candidate:
    """A suggestion before ranking.

    ``mass`` is the source's estimate of the probability that this is what the
    user does next (the generative prior); ``sources`` splits it by source so the
    ranker's source features see mixtures when two sources propose the same prompt.
    """

    kind: str
    text: str
    modality: str
    reason: str
    parts: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, float] = field(default_factory=dict)
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def mass(self) -> float:
        return sum(self.sources.values())

    @property
    def source(self) -> str:
        return max(self.sources, key=self.sources.__getitem__) if self.sources else "unknown"

    @property
    def key(self) -> tuple[str, str, frozenset[str] | str]:
        # Prompts that differ only in part order are the same suggestion.
        if self.kind in PROMPT_KINDS or self.kind == "cross_modal":
            return ("prompt", self.modality, frozenset(self.parts))
        return (self.kind, self.modality, self.text)
