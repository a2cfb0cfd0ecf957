"""The job queue: each job with its state, a progress bar with ETA, and a cancel button."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QWidget,
)

_STATE_TEXT = {
    "queued": "Queued", "started": "Starting", "running": "Running", "done": "Done",
    "failed": "Failed", "cancelled": "Cancelled", "interrupted": "Interrupted",
}


class JobRow(QWidget):
    def __init__(self, job: Any, on_cancel: Any) -> None:
        super().__init__()
        self.job_id = job.id
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        prompt = job.request.prompt or job.request.task
        self.title = QLabel(f"{job.request.modality}: {prompt[:48]}")
        self.title.setToolTip(prompt)
        self.bar = QProgressBar()
        self.bar.setFixedWidth(180)
        self.bar.setFormat("Queued")
        self.cancel = QPushButton("Cancel")
        self.cancel.clicked.connect(lambda: on_cancel(self.job_id))
        layout.addWidget(self.title, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)

    def update_from(self, event: Any) -> None:
        if event.kind == "progress":
            if event.stage == "loading":
                self.bar.setRange(0, 0)  # busy indicator while the model loads
                self.bar.setFormat("Loading model…")
                return
            if event.stage == "saving":
                self.bar.setFormat("Saving…")
                return
            if event.total:
                self.bar.setRange(0, event.total)
                self.bar.setValue(event.step)
                eta = f" · {event.eta:.0f}s left" if event.eta is not None else ""
                self.bar.setFormat(f"{event.step}/{event.total}{eta}")
            return
        if event.kind == "started":
            self.bar.setFormat("Starting…")
            return
        if event.kind in ("done", "failed", "cancelled", "interrupted"):
            self.bar.setRange(0, 1)
            self.bar.setValue(1 if event.kind == "done" else 0)
            self.bar.setFormat(_STATE_TEXT[event.kind])
            self.cancel.setEnabled(False)
            if event.error:
                self.bar.setToolTip(event.error)
                self.title.setToolTip(event.error)


class JobsView(QListWidget):
    """Newest job on top; rows stay after finishing so errors remain readable."""

    def __init__(self, engine: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.rows: dict[str, JobRow] = {}
        self.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)

    def add_job(self, job: Any) -> None:
        row = JobRow(job, self.engine.cancel)
        item = QListWidgetItem()
        item.setData(Qt.ItemDataRole.UserRole, job.id)
        item.setSizeHint(row.sizeHint())
        self.insertItem(0, item)
        self.setItemWidget(item, row)
        self.rows[job.id] = row

    def on_event(self, event: Any) -> None:
        row = self.rows.get(event.job_id)
        if row is not None:
            row.update_from(event)
