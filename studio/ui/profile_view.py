"""What the studio believes about the user, in plain words, with the privacy controls."""

from __future__ import annotations

import html
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from studio.app.personal_loras import forget_all, list_loras


class _Described(QObject):
    ready = Signal(object)  # list of lines
    selection = Signal(object, object)  # (source, personalize.Selection or an error)
    submitted = Signal(object)  # the training job, or an error


class ProfileView(QWidget):
    """Opening the profile replays the history on first use (seconds for a long one),
    so it is read on a worker thread and the page fills in when it is ready."""

    def __init__(self, studio: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.studio = studio
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-profile")
        self._closed = False
        self._described = _Described()
        self._described.ready.connect(self._show)
        self.text = QTextBrowser()
        self.text.setAccessibleName(self.tr("What Studio has learned about you"))
        self.state = QLabel()
        self.record_button = QPushButton()
        self.record_button.clicked.connect(self.toggle_recording)
        self.embed_button = QPushButton(self.tr("Update taste clusters"))
        self.embed_button.setToolTip(self.tr("Computes sentence embeddings of your prompts and "
                                             "texts in a separate process, on this machine only"))
        self.embed_button.clicked.connect(self.update_clusters)
        self.forget_button = QPushButton(self.tr("Forget everything…"))
        self.forget_button.clicked.connect(self.forget_everything)
        self.train_button = QPushButton(self.tr("Train my style…"))
        self.train_button.setToolTip(self.tr("Train a LoRA on your favourite images, on this "
                                             "computer, to generate in your style"))
        self.train_button.clicked.connect(self.open_training)
        self._described.selection.connect(self._selection_ready)
        self._described.submitted.connect(self._training_submitted)
        self.train_dialog: Any = None
        buttons = QHBoxLayout()
        buttons.addWidget(self.state, 1)
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.embed_button)
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.forget_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self._process: QProcess | None = None
        self.text.setHtml("<p style='color:#777'>{}</p>".format(
            html.escape(self.tr("Reading your history…"))))
        self.refresh()

    def refresh(self) -> Future | None:
        self._show_state()
        if self._closed:
            return None  # an engine event queued before the window closed

        def work() -> None:
            try:
                lines = self.studio.profile.describe() + personal_lora_lines(self.studio.root)
            except Exception as exc:  # a damaged history is reported, never raised into Qt
                lines = [self.tr("The history cannot be read: {error}").format(error=exc)]
            self._described.ready.emit(lines)

        return self._pool.submit(work)

    def _show(self, lines: list[str]) -> None:
        body = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        title = html.escape(self.tr("What Studio has learned about you"))
        note = html.escape(self.tr("Everything stays on this computer."))
        self.text.setHtml(f"<h3>{title}</h3><ul>{body}</ul><p style='color:#777'>{note}</p>")

    def _show_state(self) -> None:
        if self.studio.incognito:
            self.state.setText(self.tr("Incognito: nothing is recorded in this session"))
        else:
            self.state.setText(self.tr("Recording your actions") if self.studio.recording
                               else self.tr("Recording is paused"))
        self.record_button.setText(self.tr("Pause recording") if self.studio.settings.recording
                                   else self.tr("Resume recording"))
        self.record_button.setEnabled(not self.studio.incognito)

    def toggle_recording(self) -> None:
        self.studio.set_recording(not self.studio.settings.recording)
        self._show_state()

    def shutdown(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)

    def update_clusters(self) -> None:
        """Embeddings need torch: compute them in a child process, never in the UI's."""
        if self._process is not None:
            return
        proc = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("STUDIO_DATA_DIR", str(self.studio.root))
        proc.setProcessEnvironment(env)
        proc.finished.connect(self._clusters_done)
        self.embed_button.setEnabled(False)
        self.embed_button.setText(self.tr("Updating…"))
        proc.start(sys.executable, ["-m", "studio", "profile", "embed"])
        self._process = proc

    def _clusters_done(self, code: int, _status: Any) -> None:
        output = bytes(self._process.readAllStandardError()).decode(errors="replace")
        self._process = None
        self.embed_button.setEnabled(True)
        self.embed_button.setText(self.tr("Update taste clusters"))
        if code != 0:
            QMessageBox.warning(self, "Studio", self.tr("Updating taste clusters failed:\n{output}")
                                .format(output=output))
        # The child saved a profile with the new clusters; reopen ours from it.
        stale = self.studio.__dict__.pop("profile", None)
        if stale is not None:
            stale.close()
        self.refresh()

    def forget_everything(self) -> None:
        answer = QMessageBox.question(
            self, self.tr("Forget everything"),
            self.tr("Erase your whole history, the profile, embeddings and suggestion data? "
                    "Your images and texts in the library are kept."),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        removed = self.studio.history.erase()
        forget_all(self.studio.root)  # personal LoRAs were trained on the user's images
        self.refresh()
        QMessageBox.information(self, "Studio",
                                self.tr("Forgotten (%n file(s) erased).", "", len(removed)))


    # -- Train my style (docs/personalize.md) ------------------------------------------

    def open_training(self, source: str = "favourites") -> None:
        """Open the dialog; the images are chosen on the worker thread (a history scan)."""
        from studio.ui.train_dialog import TrainDialog, library_thumbnail

        stale = [c["name"] for c in list_loras(self.studio.root) if c.get("stale")]
        dialog = TrainDialog(library_thumbnail(self.studio.library),
                             name=stale[0] if stale else "my-style", parent=self)
        dialog.source_changed.connect(self._select)
        dialog.finished.connect(lambda code: self._training_chosen(dialog, code))
        self.train_dialog = dialog
        dialog.open()
        self._select(source)

    def _select(self, source: str) -> None:
        from studio.app.personalize import select_items

        def work() -> None:
            try:
                result: Any = select_items(self.studio, source)
            except Exception as exc:  # a damaged history is shown, never raised into Qt
                result = exc
            self._described.selection.emit(source, result)

        self._pool.submit(work)

    def _selection_ready(self, source: str, result: Any) -> None:
        dialog = self.train_dialog
        if dialog is None or dialog.source.currentData() != source:
            return  # closed, or another source was chosen meanwhile
        if isinstance(result, Exception):
            dialog.summary.setText(self.tr("Your images cannot be read: {error}")
                                   .format(error=result))
            return
        dialog.set_items(result.items, result.unrecorded)

    def _training_chosen(self, dialog: Any, code: int) -> None:
        self.train_dialog = None
        if code != QDialog.DialogCode.Accepted:
            return
        from studio.app.personalize import training_request

        items, name, steps = dialog.items(), dialog.name.text().strip(), dialog.steps.value()
        source = dialog.source.currentData()

        def work() -> None:
            try:  # writes the manifest and queues: off the UI thread
                request = training_request(self.studio, items, name=name, steps=steps,
                                           source=source)
                result: Any = self.studio.submit_quietly(request)
            except Exception as exc:
                result = exc
            self._described.submitted.emit(result)

        self._pool.submit(work)

    def _training_submitted(self, result: Any) -> None:
        if isinstance(result, Exception):
            QMessageBox.warning(self, "Studio", self.tr("Training cannot start: {error}")
                                .format(error=result))
            return
        self.train_button.setToolTip(self.tr("Training is in the queue; its progress shows "
                                             "there"))


def personal_lora_lines(root: Any) -> list[str]:
    """The page's lines about the user's personal LoRAs (stale ones offer a retrain)."""
    lines = []
    for card in list_loras(root):
        line = (f"Personal LoRA {card['name']}: learned from {card.get('images', '?')} of your "
                f"images on {card.get('base_model', '?')} ({str(card.get('date', ''))[:10]}); "
                f"use it with loras={card['name']}:0.8")
        if card.get("stale"):
            line += ". Stale: one of its images was forgotten; retrain it with Train my style"
        lines.append(line)
    return lines
