"""Download a hub model from the window: progress, cancel, resume on the next try.

The download runs as ``studio models download`` in a child process, so a stall or
a cancel never touches the window, and a stopped download resumes next time.
"""

from __future__ import annotations

import sys
from typing import Any, ClassVar

from PySide6.QtCore import QProcess, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from studio.app.models import HUB_ID, is_downloaded


class DownloadRow(QWidget):
    #: emitted with the model ref once its download finished
    finished = Signal(str)
    #: model ref -> what its last failed download said (a gated repo, no space, offline),
    #: so the panel can give the real reason before queueing
    failures: ClassVar[dict[str, str]] = {}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ref = ""
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #b26a00")
        self.button = QPushButton(self.tr("Download"))
        self.button.setAccessibleName(self.tr("Download the model"))
        self.button.clicked.connect(self._toggle)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self._process: QProcess | None = None
        self.hide()

    def show_for(self, ref: str) -> None:
        """Show the row when ``ref`` is a hub model that is not downloaded yet."""
        if self._process is not None:
            return  # a download is running: keep showing it
        self.ref = ref
        needed = bool(ref) and bool(HUB_ID.match(ref)) and not is_downloaded(ref)
        failure = self.failures.get(ref)
        self.label.setText(
            self.tr("The last download of {ref} failed: {error}").format(ref=ref, error=failure)
            if failure else self.tr("{ref} is not downloaded yet.").format(ref=ref))
        self.button.setText(self.tr("Download"))
        self.button.setAccessibleName(self.tr("Download {ref}").format(ref=ref))
        self.setVisible(needed)

    def _toggle(self) -> None:
        if self._process is not None:
            self._process.kill()  # partial files stay; the next download resumes them
            return
        proc = QProcess(self)
        proc.readyReadStandardError.connect(self._progress)
        proc.finished.connect(self._done)
        proc.start(sys.executable, ["-m", "studio", "models", "download", self.ref])
        self._process = proc
        self._failure = ""
        self.button.setText(self.tr("Cancel"))
        self.button.setAccessibleName(self.tr("Cancel the download of {ref}").format(ref=self.ref))
        self.label.setText(self.tr("Downloading {ref}…").format(ref=self.ref))

    def _progress(self) -> None:
        text = bytes(self._process.readAllStandardError()).decode(errors="replace")
        # tqdm redraws its bar with carriage returns: the last piece is the current state.
        last = [p.strip() for p in text.replace("\r", "\n").split("\n") if p.strip()]
        for line in last:
            if line.startswith("studio: "):
                self._failure = line[len("studio: "):]  # the CLI's one-line reason
        if last:
            self.label.setText(last[-1][:160])

    def _done(self, code: int, _status: Any) -> None:
        self._process = None
        if code == 0 and is_downloaded(self.ref):
            self.failures.pop(self.ref, None)
            self.hide()
            self.finished.emit(self.ref)
            return
        self.button.setText(self.tr("Download"))
        self.button.setAccessibleName(self.tr("Download {ref}").format(ref=self.ref))
        failure = getattr(self, "_failure", "")
        if failure:
            self.failures[self.ref] = failure
            self.label.setText(self.tr("The download of {ref} failed: {error}")
                               .format(ref=self.ref, error=failure))
        else:
            self.label.setText(self.tr("The download of {ref} stopped; Download resumes it.")
                               .format(ref=self.ref))
