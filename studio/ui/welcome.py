"""The first-run welcome: one model per modality for this machine, with a Download each.

Shown while no model that needs downloading is here for the installed generators,
until the user dismisses it (remembered in the window's state). The GPU's memory
is read on a worker thread (``nvidia-smi`` takes a process start).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from studio.app.model_catalog import (
    Recommendation,
    anything_downloaded,
    declared_bytes,
    format_size,
    gpu_memory_bytes,
    recommend,
)
from studio.app.pack_i18n import PackTexts
from studio.app.ui_state import UiState
from studio.ui import i18n
from studio.ui.download_row import DownloadRow

_NOT_READ = object()
_NAMES = {"image": QT_TRANSLATE_NOOP("WelcomePage", "Images"),
          "text": QT_TRANSLATE_NOOP("WelcomePage", "Writing"),
          "music": QT_TRANSLATE_NOOP("WelcomePage", "Music"),
          "video": QT_TRANSLATE_NOOP("WelcomePage", "Video")}


def should_welcome(generators: Iterable[Any], state: UiState | None,
                   extra_refs: Iterable[str] = ()) -> bool:
    """Whether to show the welcome: not dismissed, and nothing downloaded yet."""
    if state is not None and state.welcome_dismissed:
        return False
    return not anything_downloaded(list(generators), extra_refs)


class WelcomePage(QWidget):
    """The welcome page; ``dismissed`` fires once the user closes it for good."""

    dismissed = Signal()
    #: emitted with a modality when the user asks to try a model that works now
    tryNow = Signal(str)
    #: emitted with a model ref once its download finished
    downloaded = Signal(str)

    def __init__(self, host: Any, state: UiState | None = None,
                 preferred: dict[str, str] | None = None, gpu_bytes: Any = _NOT_READ,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.state = state
        self.preferred = dict(preferred or {})
        self.rows: dict[str, tuple[Recommendation, DownloadRow | None]] = {}
        self._row_widgets: list[QWidget] = []
        #: modality -> its "works now" button, for models already here
        self.ready: dict[str, QPushButton] = {}
        self._pool: ThreadPoolExecutor | None = None
        title = QLabel("<h2>{}</h2>".format(html.escape(self.tr("Welcome to Studio"))))
        self.intro = QLabel(self.tr("No model is downloaded yet. Looking at this computer's "
                                    "graphics memory…"))
        self.intro.setWordWrap(True)
        self.grid = QGridLayout()
        self.grid.setColumnStretch(1, 1)
        self.dismiss_button = QPushButton(self.tr("Dismiss"))
        self.dismiss_button.setToolTip(self.tr("Close this page; it is not shown again"))
        self.dismiss_button.setAccessibleName(self.tr("Dismiss the welcome page"))
        self.dismiss_button.clicked.connect(self.dismiss)
        footer = QLabel(self.tr("Models are saved in the Hugging Face cache, shared with other "
                                "tools. Any other model works too: type its repo id, folder or "
                                "file in the Model box."))
        footer.setWordWrap(True)
        footer.setStyleSheet("color: palette(placeholder-text)")
        inner = QWidget()
        body = QVBoxLayout(inner)
        body.addWidget(title)
        body.addWidget(self.intro)
        body.addLayout(self.grid)
        body.addWidget(footer)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.dismiss_button)
        body.addLayout(buttons)
        body.addStretch(1)
        inner.setMaximumWidth(760)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        if gpu_bytes is _NOT_READ:
            # Polled from the UI thread rather than signalled from the worker: the page
            # may be gone (dismissed) by the time the answer comes.
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-welcome")
            self._measuring = self._pool.submit(gpu_memory_bytes)
            self._poll = QTimer(self)
            self._poll.setInterval(50)
            self._poll.timeout.connect(self._measured)
            self._poll.start()
        else:
            self.show_for_gpu(gpu_bytes)

    def _measured(self) -> None:
        if not self._measuring.done():
            return
        self._poll.stop()
        try:
            gpu_bytes = self._measuring.result()
        except Exception:  # a probe that failed is a machine without a known GPU
            gpu_bytes = None
        self.show_for_gpu(gpu_bytes)

    def show_for_gpu(self, gpu_bytes: int | None) -> None:
        """Fill in one recommendation per modality for ``gpu_bytes`` of GPU memory."""
        machine = (self.tr("a GPU with {size}").format(size=format_size(gpu_bytes)) if gpu_bytes
                   else self.tr("no GPU found: models run on the CPU, slowly for images and "
                                "video"))
        self.intro.setText(self.tr("No model is downloaded yet. Here is one model per kind of "
                                   "work that suits this computer ({machine}).")
                           .format(machine=machine))
        for widget in self._row_widgets:
            widget.deleteLater()
        self._row_widgets.clear()
        self.rows.clear()
        self.ready.clear()
        recs = recommend(self.host.generators.values(), gpu_bytes, self.preferred)
        for row, rec in enumerate(recs):
            self._add_row(row, rec)

    def _add_row(self, row: int, rec: Recommendation) -> None:
        m = rec.model
        texts = PackTexts(self.host, i18n.language())
        tr = texts.for_generator(rec.generator)
        size = format_size(declared_bytes(m)) if m.size_gb else self.tr("size unknown")
        kind = (self.tr(_NAMES[rec.modality]) if rec.modality in _NAMES
                else texts.modality(rec.modality).title())
        name = QLabel(f"<b>{html.escape(kind)}</b>")
        name.setAlignment(Qt.AlignmentFlag.AlignTop)
        text = (f"{html.escape(tr(m.name) if m.name else m.ref)} &middot; {size}<br>"
                f"<span style='color:palette(placeholder-text)'>{html.escape(rec.why)}"
                f"{'; ' + html.escape(tr(m.note)) if m.note else ''}</span>")
        info = QLabel(text)
        info.setWordWrap(True)
        self.grid.addWidget(name, row, 0)
        self.grid.addWidget(info, row, 1)
        self._row_widgets += [name, info]
        download: DownloadRow | None = None
        if rec.available:
            ready = QPushButton(self.tr("Works now: try it"))
            ready.setToolTip(self.tr("This model is already on this computer; nothing to "
                                     "download"))
            ready.setAccessibleName(self.tr("Try {model} now").format(model=m.name or m.ref))
            ready.clicked.connect(lambda _=False, mod=rec.modality: self.tryNow.emit(mod))
            self.ready[rec.modality] = ready
            self._row_widgets.append(ready)
            self.grid.addWidget(ready, row, 2, Qt.AlignmentFlag.AlignTop)
        else:
            download = DownloadRow()
            download.show_for(m.ref)
            download.label.setText(
                self.tr("{size} to download").format(size=size) if m.size_gb else "")
            download.finished.connect(lambda ref, r=row: self._downloaded(ref, r))
            self.grid.addWidget(download, row, 2, Qt.AlignmentFlag.AlignTop)
            self._row_widgets.append(download)
        self.rows[rec.modality] = (rec, download)

    def _downloaded(self, ref: str, row: int) -> None:
        done = QLabel(html.escape(self.tr("Downloaded: {ref}").format(ref=ref)))
        self.grid.addWidget(done, row, 2, Qt.AlignmentFlag.AlignTop)
        self._row_widgets.append(done)
        self.downloaded.emit(ref)

    def dismiss(self) -> None:
        if self.state is not None:
            self.state.welcome_dismissed = True
            self.state.try_save()
        self.dismissed.emit()

    def shutdown(self, wait: bool = True) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait)
