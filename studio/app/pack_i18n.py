"""The packs' own words in the window's language, from catalogues the packs ship.

Packs know nothing of Qt, so their labels, help texts, choices, task names and
generator names cannot go through the window's ``tr()``. A pack ships instead one
plain catalogue per language inside its package (the convention of gettext's
message catalogues, kept as JSON so a pack needs no tool to build it)::

    <the pack's package>/i18n/<language>.json    {"English text": "translation", ...}

The package is the one holding the module the pack's ``studio.plugins`` entry point
names (``studio_image.plugin`` -> ``studio_image``). Catalogues are read through
``importlib.resources``, so they work from a wheel, an editable install and the
frozen bundle alike. A text the catalogue lacks, a pack without a catalogue and a
language nobody translated all show the English text; a broken catalogue costs one
warning in the log and the window stays in English for that pack.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

CATALOGUE_FOLDER = "i18n"
_LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(_[A-Za-z0-9]{2,8})*")


def package_of(plugin: object) -> str:
    """The package a registered pack object lives in ("" for a top-level module)."""
    name = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
    module = sys.modules.get(name)
    package = getattr(module, "__package__", None) if module is not None else None
    if package is None:  # not imported the usual way: its dotted parent
        package = name.rpartition(".")[0]
    return package or ""


@lru_cache(maxsize=64)
def load_catalogue(package: str, language: str) -> dict[str, str]:
    """``package``'s catalogue for ``language``, or {} when it has none or it is unreadable.

    Cached, so a broken file is reported once, not at every label.
    """
    if not package or language == "en" or not _LANGUAGE_CODE.fullmatch(language):
        return {}
    try:
        path = resources.files(package) / CATALOGUE_FOLDER / f"{language}.json"
        if not path.is_file():
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except Exception as exc:  # bad JSON or UTF-8, an unreadable file, an odd loader
        # A pack's catalogue must never keep the window from showing its English.
        log.warning("the %s catalogue of %s is unreadable (%s); its texts stay in English",
                    language, package, str(exc).splitlines()[0] if str(exc) else
                    type(exc).__name__)
        return {}
    if not isinstance(data, dict):
        log.warning("the %s catalogue of %s is not a JSON object of texts; its texts stay "
                    "in English", language, package)
        return {}
    good = {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str) and v}
    if len(good) < len(data):
        log.warning("the %s catalogue of %s has %d entries that are not text; they are "
                    "left out", language, package, len(data) - len(good))
    return good


class PackTexts:
    """Translates what the packs registered with ``host`` declare into ``language``.

    ``host`` is the studio's PluginHost (its pluggy manager knows each pack's object).
    """

    def __init__(self, host: Any, language: str = "en") -> None:
        self.host = host
        self.language = language

    def catalogue(self, pack_id: str) -> dict[str, str]:
        if self.language == "en":
            return {}
        pm = getattr(self.host, "pm", None)
        plugin = pm.get_plugin(pack_id) if pm is not None and pack_id else None
        if plugin is None:
            return {}
        return load_catalogue(package_of(plugin), self.language)

    def translate(self, pack_id: str, text: str) -> str:
        """``text`` in the window's language, or ``text`` itself when not translated."""
        if not text:
            return text
        return self.catalogue(pack_id).get(text, text)

    def pack_of(self, generator_id: str) -> str:
        return getattr(self.host, "generator_plugin", {}).get(generator_id, "")

    def for_generator(self, generator_id: str) -> Callable[[str], str]:
        """``translate`` bound to the pack that registered ``generator_id``."""
        catalogue = self.catalogue(self.pack_of(generator_id))
        return lambda text: catalogue.get(text, text) if text else text

    def modality(self, modality: str) -> str:
        """A modality's name, from the first pack making it that translates it."""
        generators = getattr(self.host, "generators", {})
        return self._first(modality, [g for g in generators.values() if g.modality == modality])

    def task(self, task: str) -> str:
        """A task's name, from the first pack that translates it (a generator that
        cannot do the task is named with it)."""
        return self._first(task, getattr(self.host, "generators", {}).values())

    def _first(self, text: str, infos: Any) -> str:
        if self.language == "en" or not text:
            return text
        for info in infos:
            shown = self.translate(self.pack_of(info.id), text)
            if shown != text:
                return shown
        return text


def declared_texts(info: Any) -> list[str]:
    """Every text a generator declares that the window shows: what a catalogue covers.

    Choices are ids as much as words, model names are names: a catalogue lists those
    it renames (``"dpmpp_2m": "DPM++ 2M"``); the others show as declared.
    """
    texts = [info.name, info.modality, *info.tasks, info.description]
    for p in info.params.params:
        texts += [p.display_label, p.help]
    texts += [m.note for m in info.models]  # a model's name is its own; its note is help
    return [t for t in dict.fromkeys(texts) if t]
