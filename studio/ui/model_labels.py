"""The model picker's lines in the user's language.

``ModelEntry.label()`` (studio.app.model_catalog) is the English line the CLI prints;
the window builds its own from the same entry: the pack's model name and note through
the pack's catalogue (studio.app.pack_i18n), the app's words through ``tr()``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from studio.app.model_catalog import ModelEntry, format_size


def model_label(entry: ModelEntry, translate: Callable[[str], str]) -> str:
    """Name, size and "not downloaded", as the picker shows them."""
    name = translate(entry.name) if entry.source == "recommended" else entry.name
    size = f" ({format_size(entry.size_bytes)})" if entry.size_bytes else ""
    mark = "" if entry.available else QCoreApplication.translate("ModelPicker", " (not downloaded)")
    return f"{name}{size}{mark}"


def model_note(entry: ModelEntry, translate: Callable[[str], str]) -> str:
    """The line a model's tooltip gives: the pack's note, or where the model was found."""
    if entry.source == "recommended":
        return translate(entry.note) if entry.note else entry.ref
    if entry.source == "cache":
        return QCoreApplication.translate("ModelPicker", "in the Hugging Face cache")
    return entry.note or entry.ref
