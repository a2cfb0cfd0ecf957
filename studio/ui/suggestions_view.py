"""The suggestions sidebar: personalised ideas with a reason each, Apply or Dismiss.

Building the engine and ranking run on a worker thread (the first build replays
the history), so typing never waits for suggestions.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from studio.app.prompts import split_parts

_KIND_LABEL = {
    "prompt": "Prompt", "style": "Style", "params": "Settings", "negative": "Avoid",
    "cross_modal": "Idea", "direction": "Writing",
}


class _Results(QObject):
    ready = Signal(int, object)  # (request number, list of Suggestion or an exception)


class SuggestionCard(QFrame):
    def __init__(self, suggestion: Any, on_apply: Any, on_dismiss: Any) -> None:
        super().__init__()
        self.suggestion = suggestion
        self.setFrameShape(QFrame.Shape.StyledPanel)
        kind = QLabel(_KIND_LABEL.get(suggestion.kind, suggestion.kind).upper())
        kind.setStyleSheet("color: #6a5acd; font-size: 10px; font-weight: bold")
        text = QLabel(suggestion.text)
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        reason = QLabel(suggestion.reason)
        reason.setWordWrap(True)
        reason.setStyleSheet("color: #777; font-size: 11px")
        self.apply_button = QPushButton("Apply")
        self.dismiss_button = QPushButton("Dismiss")
        self.apply_button.clicked.connect(lambda: on_apply(suggestion))
        self.dismiss_button.clicked.connect(lambda: on_dismiss(suggestion))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.dismiss_button)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(kind)
        layout.addWidget(text)
        layout.addWidget(reason)
        layout.addLayout(buttons)


class SuggestionsView(QWidget):
    #: emitted with a Suggestion the user applied; the window decides where it goes
    applied = Signal(object)

    def __init__(self, studio: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.studio = studio
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-suggest")
        self._closed = False
        self._results = _Results()
        self._results.ready.connect(self._show)
        self._request_no = 0
        # One more than the cards that fit comfortably: the prompt already in the
        # box, if offered, is not shown.
        self._context: dict[str, Any] = {"k": 7}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(350)  # refresh once the user pauses typing
        self._timer.timeout.connect(self.refresh_now)
        self.status = QLabel("Learning from your history…")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #777")
        self._cards = QVBoxLayout()
        self._cards.addStretch(1)
        inner = QWidget()
        inner.setLayout(self._cards)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        self.setMinimumWidth(300)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)

    def set_context(self, **context: Any) -> None:
        """Remember what the user is doing now and refresh after a short pause."""
        self._context.update({k: v for k, v in context.items()})
        if not self._closed:  # an engine event queued before the window closed
            self._timer.start()

    def refresh_now(self) -> Future:
        self._request_no += 1
        number, context = self._request_no, dict(self._context)

        def work() -> None:
            try:
                result: Any = self.studio.suggestions.suggest(context)
            except Exception as exc:  # shown in the sidebar, never raised into Qt
                result = exc
            self._results.ready.emit(number, result)

        return self._pool.submit(work)

    def _show(self, number: int, result: Any) -> None:
        if number != self._request_no:
            return  # a newer refresh is on its way; drop stale results
        while self._cards.count() > 1:
            item = self._cards.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        if isinstance(result, Exception):
            self.status.setText(f"Suggestions are unavailable: {result}")
            return
        typed = set(split_parts(self._context.get("prompt") or ""))
        # Offering back exactly what is already in the prompt field helps nobody here.
        result = [s for s in result
                  if not (typed and s.kind == "prompt" and set(split_parts(s.text)) == typed)]
        self.status.setText("Suggested for you" if result else "No suggestions yet")
        for s in result:
            self._cards.insertWidget(self._cards.count() - 1,
                                     SuggestionCard(s, self._apply, self._dismiss))

    def cards(self) -> list[SuggestionCard]:
        return [self._cards.itemAt(i).widget() for i in range(self._cards.count() - 1)]

    def _apply(self, suggestion: Any) -> None:
        self._pool.submit(self.studio.suggestions.accept, suggestion.id)
        self.applied.emit(suggestion)
        self._timer.start()

    def _dismiss(self, suggestion: Any) -> None:
        self._pool.submit(self.studio.suggestions.dismiss, suggestion.id)
        for card in self.cards():
            if card.suggestion.id == suggestion.id:
                card.hide()
        self._timer.start()

    def shutdown(self) -> None:
        self._closed = True
        self._timer.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)
