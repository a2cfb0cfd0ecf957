"""The curated style catalogue (``resources/styles.json``) and plugin-contributed styles.

Entries share the schema of the ``studio_register_styles`` hook (name, prompt,
tags, modalities, negative) plus a ``category`` (style, lighting, palette,
camera, mood, music_genre, ...). The file also holds the cold-start starters per
modality, the subject classes used for parameter statistics ("portraits") and
common negative-prompt terms.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from studio.app.prompts import split_parts, words

#: The repository's resources folder (the catalogue ships next to the package).
DEFAULT_PATH = Path(__file__).resolve().parents[3] / "resources" / "styles.json"


@dataclass(frozen=True)
class Style:
    name: str
    prompt: str
    category: str
    tags: tuple[str, ...]
    modalities: tuple[str, ...]
    negative: str = ""

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(split_parts(self.prompt))


@dataclass
class Catalogue:
    styles: list[Style] = field(default_factory=list)
    starters: dict[str, list[str]] = field(default_factory=dict)
    subjects: dict[str, list[str]] = field(default_factory=dict)
    negatives: list[str] = field(default_factory=list)
    #: Hash of the catalogue file this was read from: the suggestion snapshot is
    #: only valid for the catalogue it was built with (subjects, categories).
    fingerprint: str = ""

    def __post_init__(self) -> None:
        # part -> category, so swaps can prefer a modifier of the same kind
        # ("golden hour" -> "blue hour" rather than -> "oil painting").
        self.category_of: dict[str, str] = {}
        self.style_of_part: dict[str, Style] = {}
        for style in self.styles:
            for part in style.parts:
                self.category_of.setdefault(part, style.category)
                self.style_of_part.setdefault(part, style)
        self._subject_words = {w: name for name, ws in self.subjects.items() for w in ws}

    def for_modality(self, modality: str) -> list[Style]:
        return [s for s in self.styles if modality in s.modalities]

    def subject_class(self, prompt: str) -> str | None:
        """``"portrait of an old man, 85mm"`` -> ``"portraits"`` (None when no word matches)."""
        parts = split_parts(prompt)
        head = parts[0] if parts else ""
        for text in (head, prompt):
            for w in words(text):
                if w in self._subject_words:
                    return self._subject_words[w]
        return None

    def with_styles(self, extra: Iterable[dict[str, Any]]) -> Catalogue:
        """A copy with plugin-registered styles (hook dicts) added."""
        more = [_style(d, default_category="plugin") for d in extra if d.get("prompt")]
        # Same fingerprint: plugin styles only name categories of the modifiers they
        # bring, and keying the snapshot on them would make every switch between the
        # CLI (no plugin discovery) and the GUI a full rebuild (docs/suggestions.md).
        return Catalogue(self.styles + more, self.starters, self.subjects, self.negatives,
                         self.fingerprint)


def _style(d: dict[str, Any], default_category: str = "style") -> Style:
    return Style(
        name=str(d.get("name") or d["prompt"]),
        prompt=str(d["prompt"]),
        category=str(d.get("category", default_category)),
        tags=tuple(d.get("tags", ())),
        modalities=tuple(d.get("modalities", ("image",))),
        negative=str(d.get("negative", "")),
    )


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read the catalogue file (cached per path: it is read-only at runtime)."""
    return _load(str(path or DEFAULT_PATH))


@lru_cache(maxsize=4)
def _load(path: str) -> Catalogue:
    p = Path(path)
    if not p.exists():
        # A broken install should cost the suggestions their catalogue, not crash the app.
        return Catalogue()
    raw = p.read_bytes()
    doc = json.loads(raw.decode("utf-8"))
    return Catalogue(
        styles=[_style(d) for d in doc.get("entries", [])],
        starters={k: list(v) for k, v in doc.get("starters", {}).items()},
        subjects={k: list(v) for k, v in doc.get("subjects", {}).items()},
        negatives=list(doc.get("negatives", [])),
        fingerprint=hashlib.sha256(raw).hexdigest()[:16],
    )
