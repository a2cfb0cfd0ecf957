"""What the studio believes about the user, in plain words, with the privacy controls."""

from __future__ import annotations

import html
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)


class _Described(QObject):
    ready = Signal(object)  # list of lines


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
        buttons = QHBoxLayout()
        buttons.addWidget(self.state, 1)
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.embed_button)
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
                lines = self.studio.profile.describe()
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
        self.refresh()
        QMessageBox.information(self, "Studio",
                                self.tr("Forgotten (%n file(s) erased).", "", len(removed)))

