"""The suggestions sidebar: personalised ideas in plain words, Apply (undoable) or Dismiss.

Building the engine and ranking run on a worker thread (the first build replays
the history), so typing never waits for suggestions. Refreshes are coalesced:
while text streams into the editor, the context changes many times a second, and
re-ranking on each change kept the worker busy and the UI thread waiting on the
GIL (issue #13 measured 73 re-ranks a minute). So a refresh waits for a short pause
in the changes, never longer than ``MAX_WAIT_S``, starts at most once per
``MIN_GAP_S``, and never while another one is still running.
"""

from __future__ import annotations

import dataclasses
import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from studio.app.pack_i18n import PackTexts
from studio.app.prompts import split_parts
from studio.app.suggest.metric import metric_parts
from studio.app.suggest.personal_style import with_personal_style
from studio.app.suggest.types import PROMPT_KINDS, Suggestion
from studio.ui import i18n

_KIND_LABEL = {
    "prompt": QT_TRANSLATE_NOOP("SuggestionsView", "Prompt"),
    "style": QT_TRANSLATE_NOOP("SuggestionsView", "Style"),
    "params": QT_TRANSLATE_NOOP("SuggestionsView", "Settings"),
    "negative": QT_TRANSLATE_NOOP("SuggestionsView", "Avoid"),
    "cross_modal": QT_TRANSLATE_NOOP("SuggestionsView", "Idea"),
    "direction": QT_TRANSLATE_NOOP("SuggestionsView", "Writing"),
}

#: Where a suggestion came from, in the words of the "Why?" detail.
SOURCE_WORDS = {
    "repeat": QT_TRANSLATE_NOOP("SuggestionsView", "your last prompt, run again"),
    "add": QT_TRANSLATE_NOOP("SuggestionsView", "a word you often add"),
    "drop": QT_TRANSLATE_NOOP("SuggestionsView", "a word you often leave out"),
    "swap": QT_TRANSLATE_NOOP("SuggestionsView", "a swap you often make"),
    "return": QT_TRANSLATE_NOOP("SuggestionsView", "a prompt you came back to"),
    "style": QT_TRANSLATE_NOOP("SuggestionsView", "the style catalogue"),
    "starter": QT_TRANSLATE_NOOP("SuggestionsView", "popular starting points"),
    "expand": QT_TRANSLATE_NOOP("SuggestionsView", "a prompt expansion in your style"),
    "params": QT_TRANSLATE_NOOP("SuggestionsView", "the settings you use most"),
    "negative": QT_TRANSLATE_NOOP("SuggestionsView", "your negative prompts"),
    "cross_modal": QT_TRANSLATE_NOOP("SuggestionsView", "what you are writing"),
    "direction": QT_TRANSLATE_NOOP("SuggestionsView", "what you are writing"),
    "combo": QT_TRANSLATE_NOOP("SuggestionsView", "two of your ideas combined"),
}

DEBOUNCE_MS = 350  # a pause in typing this long refreshes
MIN_GAP_S = 1.0  # at most one re-rank a second, however fast the context changes
MAX_WAIT_S = 1.0  # ...and a stream of changes does not postpone it forever

_REPEATED = re.compile(r"\b(\w+)(?:\s+\1\b)+", re.IGNORECASE)


def same_prompt(suggestion: Suggestion, box: str) -> bool:
    """Is ``suggestion`` a prompt that would leave the box's prompt as it is?"""
    if suggestion.kind not in PROMPT_KINDS or not box.strip():
        return False
    return (set(split_parts(suggestion.text, keep_weights=True))
            == set(split_parts(box, keep_weights=True))
            or metric_parts(suggestion.text) == metric_parts(box))


def no_repeats(text: str) -> str:
    """"steps steps" -> "steps": a word said twice in a row reads as a glitch."""
    return _REPEATED.sub(r"\1", text)


def value_words(value: Any, param: Any = None) -> str | None:
    """A parameter value as a person reads it; None where it means nothing to apply."""
    if value is None:
        # "Auto" is only true where the schema lets the model decide.
        return (QCoreApplication.translate("SuggestionsView", "Auto")
                if param is None or getattr(param, "nullable", False) else None)
    if isinstance(value, bool):
        return (QCoreApplication.translate("SuggestionsView", "On") if value
                else QCoreApplication.translate("SuggestionsView", "Off"))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def plain_card(suggestion: Any, lookup: Any) -> tuple[str, str] | None:
    """The (text, reason) a card shows, in plain words; None drops the card.

    ``lookup(modality, name)`` returns the generator's ``Param`` for a parameter,
    or None when no installed generator declares it.
    """
    text, reason = suggestion.text, suggestion.reason
    if suggestion.kind == "params":
        shown = []
        for name, value in suggestion.params.items():
            param = lookup(suggestion.modality, name)
            words = value_words(value, param)
            if words is None:
                continue
            label = param.display_label if param is not None else \
                name.replace("_", " ").capitalize()
            shown.append(f"{label}: {words}")
        if not shown:
            return None
        plain = " · ".join(shown)
        reason = reason.replace(text, "these settings") if text and text in reason else reason
        text = plain
    elif "None" in text.split():
        return None  # a value the source could not name
    text, reason = no_repeats(text).strip(), no_repeats(reason).strip()
    return (text, reason) if text else None


def evidence(suggestion: Any, reason: str | None = None) -> str:
    """The "Why?" detail: the reason, where it came from, how sure the ranker is."""
    reason = suggestion.reason if reason is None else reason
    lines = [reason] if reason else []
    lines += getattr(suggestion, "evidence", ())  # the past prompts and reactions behind it
    source = (QCoreApplication.translate("SuggestionsView", SOURCE_WORDS[suggestion.source])
              if suggestion.source in SOURCE_WORDS else suggestion.source.replace("_", " "))
    lines.append(QCoreApplication.translate("SuggestionsView", "From {source}.")
                 .format(source=source))
    lines.append(QCoreApplication.translate(
        "SuggestionsView", "The ranker gives it {score}, learned from what you applied and "
        "dismissed before.").format(score=f"{suggestion.score:.0%}"))
    return "\n".join(lines)


class _Results(QObject):
    ready = Signal(int, object)  # (request number, list of Suggestion or an exception)


class SuggestionCard(QFrame):
    def __init__(self, suggestion: Any, text: str, reason: str, on_apply: Any,
                 on_dismiss: Any) -> None:
        super().__init__()
        self.suggestion = suggestion
        self.setFrameShape(QFrame.Shape.StyledPanel)
        label = _KIND_LABEL.get(suggestion.kind)
        kind = QLabel(QCoreApplication.translate("SuggestionsView", label).upper() if label
                      else suggestion.kind.upper())
        kind.setStyleSheet("color: #6a5acd; font-size: 10px; font-weight: bold")
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason = QLabel(reason)
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color: #777; font-size: 11px")
        self.why = QLabel(evidence(suggestion, reason))
        self.why.setWordWrap(True)
        self.why.setStyleSheet("color: #555; font-size: 11px; background: #f4f2fb; "
                               "padding: 4px")
        self.why.hide()
        self.why_button = QPushButton(QCoreApplication.translate("SuggestionsView", "Why?"))
        self.why_button.setCheckable(True)
        self.why_button.setFlat(True)
        self.why_button.toggled.connect(self.why.setVisible)
        # Every card has these three: their names say which suggestion they act on.
        self.apply_button = QPushButton(QCoreApplication.translate("SuggestionsView", "Apply"))
        self.apply_button.setAccessibleName(
            QCoreApplication.translate("SuggestionsView", "Apply suggestion: {text}")
            .format(text=text))
        self.dismiss_button = QPushButton(QCoreApplication.translate("SuggestionsView", "Dismiss"))
        self.dismiss_button.setAccessibleName(
            QCoreApplication.translate("SuggestionsView", "Dismiss suggestion: {text}")
            .format(text=text))
        self.why_button.setAccessibleName(
            QCoreApplication.translate("SuggestionsView", "Why this suggestion: {text}")
            .format(text=text))
        self.apply_button.clicked.connect(lambda: on_apply(suggestion))
        self.dismiss_button.clicked.connect(lambda: on_dismiss(suggestion))
        buttons = QHBoxLayout()
        buttons.addWidget(self.why_button)
        buttons.addStretch(1)
        buttons.addWidget(self.dismiss_button)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(kind)
        layout.addWidget(self.text)
        layout.addWidget(self.reason)
        layout.addWidget(self.why)
        layout.addLayout(buttons)


class _ApplyCommand(QUndoCommand):
    """Applying a suggestion; undo puts back what the prompt panel held before."""

    def __init__(self, view: SuggestionsView, suggestion: Any, before: Any) -> None:
        super().__init__(QCoreApplication.translate("SuggestionsView", "Apply suggestion “{text}”")
                         .format(text=suggestion.text[:40]))
        self.view, self.suggestion, self.before = view, suggestion, before

    def redo(self) -> None:
        self.view.applied.emit(self.suggestion)

    def undo(self) -> None:
        if self.view.restore is not None:
            self.view.restore(self.before)


class SuggestionsView(QWidget):
    #: emitted with a Suggestion the user applied; the window decides where it goes
    applied = Signal(object)
    #: the user asked for the profile page
    showProfile = Signal()

    def __init__(self, studio: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.studio = studio
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-suggest")
        self._closed = False
        self._results = _Results()
        self._results.ready.connect(self._show)
        self._request_no = 0
        self._shown_key: list[tuple[str, str, str]] | None = None
        self._running = False  # a re-rank is on the worker
        self._dirty = False  # the context changed while it ran
        self._last_start = float("-inf")
        self._pending_since: float | None = None
        #: re-ranks started (the coalescing is measured by it)
        self.reranks = 0
        # One more than the cards that fit comfortably: the prompt already in the
        # box, if offered, is not shown.
        self._context: dict[str, Any] = {"k": 7}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._due)
        #: the window's prompt panel, as (capture, restore); set by ``bind_undo``
        self.capture: Any = None
        self.restore: Any = None
        self.undo_stack = QUndoStack(self)
        self.undo_action = self.undo_stack.createUndoAction(self, self.tr("Undo apply"))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.undo_action)

        self.enabled = QCheckBox(self.tr("Suggestions"))
        self.enabled.setToolTip(self.tr("Off: no suggestions are computed at all"))
        self.enabled.setChecked(self._setting())
        self.enabled.toggled.connect(self.set_enabled)
        self.profile_link = QPushButton(self.tr("Your profile"))
        self.profile_link.setFlat(True)
        self.profile_link.setStyleSheet("color: #6a5acd; text-decoration: underline")
        self.profile_link.setCursor(Qt.CursorShape.PointingHandCursor)
        self.profile_link.setToolTip(self.tr("What the suggestions learned about you"))
        self.profile_link.clicked.connect(self.showProfile.emit)
        self.profile_action = QAction(self.tr("Your profile"), self)
        self.profile_action.triggered.connect(self.showProfile.emit)
        header = QHBoxLayout()
        header.addWidget(self.enabled)
        header.addStretch(1)
        header.addWidget(self.profile_link)
        self.status = QLabel(self.tr("Learning from your history…"))
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #777")
        self.undo_button = QPushButton(self.tr("Undo"))
        self.undo_button.setAccessibleName(self.tr("Undo the applied suggestion"))
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.undo_button.hide()
        self.undo_stack.canUndoChanged.connect(self.undo_button.setVisible)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.undo_button)
        self._cards = QVBoxLayout()
        self._cards.addStretch(1)
        inner = QWidget()
        inner.setLayout(self._cards)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(inner)
        self.setMinimumWidth(300)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(status_row)
        layout.addWidget(self.scroll, 1)
        if not self.enabled.isChecked():
            self._show_off()

    # -- on and off ---------------------------------------------------------------------

    def _setting(self) -> bool:
        return bool(getattr(self.studio.settings, "suggestions_sidebar", True))

    def set_enabled(self, on: bool) -> None:
        """Turn the sidebar on or off; remembered in the settings."""
        if self.enabled.isChecked() != on:
            self.enabled.setChecked(on)  # re-enters through ``toggled``
            return
        settings = self.studio.settings
        if getattr(settings, "suggestions_sidebar", True) != on:
            settings.suggestions_sidebar = on
            try:
                self.studio.save_settings()
            except OSError as exc:
                self.status.setText(self.tr("The setting could not be saved: {error}")
                                    .format(error=exc))
        if on:
            self.status.setText(self.tr("Learning from your history…"))
            self._schedule(immediate=True)
        else:
            self._show_off()

    def _show_off(self) -> None:
        self._timer.stop()
        self._request_no += 1  # a re-rank still on the worker is not shown
        self._pending_since = None
        self._dirty = False
        self._clear_cards()
        self.status.setText(self.tr("Suggestions are off. Nothing is ranked while they are off."))

    # -- refreshing -----------------------------------------------------------------------

    def set_context(self, **context: Any) -> None:
        """Remember what the user is doing now and refresh soon (coalesced)."""
        self._context.update({k: v for k, v in context.items()})
        if not self._closed and self.enabled.isChecked():
            self._schedule()

    def _schedule(self, immediate: bool = False) -> None:
        now = time.monotonic()
        if self._pending_since is None:
            self._pending_since = now
        if self._running:
            self._dirty = True  # once the running one is shown
            return
        at = now if immediate else min(now + DEBOUNCE_MS / 1000,
                                       self._pending_since + MAX_WAIT_S)
        at = max(at, self._last_start + MIN_GAP_S)
        self._timer.start(max(0, round((at - now) * 1000)))

    def _due(self) -> None:
        if self._closed or not self.enabled.isChecked():
            return
        if self._running:
            self._dirty = True
            return
        self.refresh_now()

    def refresh_now(self) -> Future:
        self._timer.stop()
        self._request_no += 1
        self._running, self._dirty, self._pending_since = True, False, None
        self._last_start = time.monotonic()
        self.reranks += 1
        number, context = self._request_no, dict(self._context)

        def work() -> None:
            try:
                result: Any = self.studio.suggestions.suggest(context)
                result = with_personal_style(self.studio, context, result)
            except Exception as exc:  # shown in the sidebar, never raised into Qt
                result = exc
            self._results.ready.emit(number, result)

        return self._pool.submit(work)

    def _show(self, number: int, result: Any) -> None:
        self._running = False
        if self._dirty and not self._closed and self.enabled.isChecked():
            self._dirty = False
            self._schedule()
        if number != self._request_no:
            return  # a newer refresh is on its way; drop stale results
        if isinstance(result, Exception):
            self._clear_cards()
            self.status.setText(self.tr("Suggestions are unavailable: {error}")
                                .format(error=result))
            return
        # Offering back what is already in the prompt field helps nobody: Generate
        # runs it. The engine leaves it out too; this holds for a list computed
        # before the field last changed.
        result = [s for s in result if not same_prompt(s, self._context.get("prompt") or "")]
        key = [(s.id, s.text, s.reason) for s in result]
        if key == self._shown_key and self.cards():
            return  # the same list: rebuilding the cards would only cost the UI 30-50 ms
        self._clear_cards()
        self._shown_key = key
        cards = []
        for s in result:
            words = plain_card(s, self.param_for)
            if words is not None:
                cards.append(SuggestionCard(s, *words, self._apply, self._dismiss))
        self.status.setText(self.tr("Suggested for you") if cards
                            else self.tr("No suggestions yet"))
        for card in cards:
            self._cards.insertWidget(self._cards.count() - 1, card)

    def _clear_cards(self) -> None:
        self._shown_key = None
        while self._cards.count() > 1:
            item = self._cards.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()

    def param_for(self, modality: str, name: str) -> Any:
        """The schema entry for ``name`` among the installed generators of ``modality``,
        labelled in the user's language (the pack's catalogue)."""
        try:
            infos = self.studio.plugins.generators_for(modality)
        except Exception:  # a broken pack must not take the sidebar down
            return None
        for info in infos:
            if name in info.params:
                param = info.params.get(name)
                texts = PackTexts(self.studio.plugins, i18n.language())
                label = texts.for_generator(info.id)(param.display_label)
                return dataclasses.replace(param, label=label)
        return None

    def cards(self) -> list[SuggestionCard]:
        return [self._cards.itemAt(i).widget() for i in range(self._cards.count() - 1)]

    # -- what the user does --------------------------------------------------------------

    def bind_undo(self, capture: Any, restore: Any) -> None:
        """``capture()`` returns what Apply may change; ``restore(state)`` puts it back."""
        self.capture, self.restore = capture, restore

    def _apply(self, suggestion: Any) -> None:
        self._pool.submit(self.studio.suggestions.accept, suggestion.id)
        before = self.capture() if self.capture is not None else None
        self.undo_stack.push(_ApplyCommand(self, suggestion, before))
        self.status.setText(self.tr("Applied: {text}").format(text=suggestion.text[:60]))
        self._schedule()

    def _dismiss(self, suggestion: Any) -> None:
        self._pool.submit(self.studio.suggestions.dismiss, suggestion.id)
        for card in self.cards():
            if card.suggestion.id == suggestion.id:
                card.hide()
        self._schedule()

    def shutdown(self) -> None:
        self._closed = True
        self._timer.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)


# -- the window's side of Apply and Undo ------------------------------------------------


def panel_state(window: Any) -> dict[str, Any]:
    """What applying a suggestion may change in ``window``: modality, prompt, parameters."""
    panel = window.panel
    return {
        "modality": panel.modality.currentText(),
        "generator": panel.generator.currentData(),
        "prompt": panel.prompt.toPlainText(),
        "params": panel.params.values(),
        "instruction": window.writing.instruction.text(),
        "tab": window.tabs.currentIndex(),
    }


def restore_panel_state(window: Any, state: dict[str, Any] | None) -> None:
    if not state:
        return
    panel = window.panel
    if panel.modality.currentText() != state["modality"]:
        panel.modality.setCurrentText(state["modality"])
    index = panel.generator.findData(state["generator"])
    if index >= 0 and index != panel.generator.currentIndex():
        panel.generator.setCurrentIndex(index)
    info = panel.info()
    if info is not None:
        # values() holds only what differs from the defaults: the rest goes back to them.
        defaults = info.params.defaults(panel.task.currentText())
        panel.params.set_values({**defaults, **state["params"]})
    panel.prompt.setPlainText(state["prompt"])
    window.writing.instruction.setText(state["instruction"])
    window.tabs.setCurrentIndex(state["tab"])
    window.statusBar().showMessage(
        QCoreApplication.translate("SuggestionsView", "Suggestion undone"), 4000)
