"""The writing desk: an editor where generated text streams in at the cursor."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.api import GenerationRequest


class WritingView(QWidget):
    #: emitted with (GenerationRequest, on_submitted callback taking the job)
    requested = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Write here. Continue writes on from the cursor; "
                                       "select text and Rewrite to transform it.")
        self.instruction = QLineEdit(placeholderText="Rewrite instruction, e.g. more vivid")
        self.continue_button = QPushButton("Continue")
        self.rewrite_button = QPushButton("Rewrite selection")
        self.continue_button.clicked.connect(self.request_continue)
        self.rewrite_button.clicked.connect(self.request_rewrite)
        row = QHBoxLayout()
        row.addWidget(self.continue_button)
        row.addWidget(self.instruction, 1)
        row.addWidget(self.rewrite_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addLayout(row)
        # job id -> (cursor where text goes, replace the selection when done?)
        self._targets: dict[str, tuple[QTextCursor, bool]] = {}

    def request_continue(self) -> None:
        cursor = self.editor.textCursor()
        cursor.clearSelection()
        before = self.editor.toPlainText()[: cursor.position()]
        req = GenerationRequest(modality="text", task="continue", prompt=before)
        self.requested.emit(req, lambda job: self._targets.__setitem__(job.id, (cursor, False)))

    def request_rewrite(self) -> None:
        cursor = self.editor.textCursor()
        if not cursor.hasSelection():
            return
        req = GenerationRequest(
            modality="text", task="rewrite", prompt=cursor.selectedText().replace("\u2029", "\n"),
            params={"instruction": self.instruction.text().strip() or "Improve the style"},
        )
        self.requested.emit(req, lambda job: self._targets.__setitem__(job.id, (cursor, True)))

    def on_event(self, event: Any) -> None:
        target = self._targets.get(event.job_id)
        if target is None:
            return
        cursor, replace = target
        if event.kind == "progress" and event.text and not replace:
            cursor.insertText(event.text)  # the cursor moves on, so pieces stay in order
        elif event.kind == "done":
            self._targets.pop(event.job_id, None)
            if replace and event.artifacts:
                cursor.insertText(event.artifacts[0].text or "")
        elif event.kind in ("failed", "cancelled", "interrupted"):
            self._targets.pop(event.job_id, None)
