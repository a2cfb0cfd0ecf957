"""Files dropped on the main window: an image restores its settings, a folder is imported.

Reading a file and importing a folder both run on worker threads; results come back
to the GUI thread as queued signals (the pattern of ``bridge.EngineBridge``), so the
window keeps answering while a thousand images are read.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressBar, QPushButton

from studio.api import CancelToken, StudioError


def dropped_paths(mime: Any) -> list[Path]:
    """The local files and folders a drag carries (web links and text are not ours)."""
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class DropHandler(QObject):
    """Owns the drop workers of one window; ``handle(mime)`` is the whole interface."""

    restored = Signal(object, object)  # (path, FileMetadata) on the GUI thread
    unreadable = Signal(object, str)  # (path, the one-line problem)
    importProgress = Signal(int, int, str)  # done, total, file name
    importDone = Signal(object)  # ImportSummary
    importFailed = Signal(str)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self._threads: list[threading.Thread] = []
        self._cancel: CancelToken | None = None
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(220)
        self.bar.setFormat(self.tr("Importing %v/%m"))
        self.bar.setAccessibleName(self.tr("Import progress"))
        self.cancel_button = QPushButton(self.tr("Cancel import"))
        self.cancel_button.clicked.connect(self.cancel_import)
        for widget in (self.bar, self.cancel_button):
            window.statusBar().addPermanentWidget(widget)
            widget.hide()
        # Explicitly queued: the workers emit from their own threads.
        queued = Qt.ConnectionType.QueuedConnection
        self.restored.connect(self._on_restored, queued)
        self.unreadable.connect(self._on_unreadable, queued)
        self.importProgress.connect(self._on_progress, queued)
        self.importDone.connect(self._on_import_done, queued)
        self.importFailed.connect(self._on_import_failed, queued)

    # -- entry point ------------------------------------------------------------

    def accepts(self, mime: Any) -> bool:
        return bool(dropped_paths(mime))

    def handle(self, mime: Any) -> bool:
        """Act on a drop; returns whether it carried anything to act on."""
        paths = dropped_paths(mime)
        if not paths:
            return False
        folders = [p for p in paths if p.is_dir()]
        if folders:
            self.start_import(folders[0])
        else:
            self.restore_from(paths[0])
        return True

    # -- one image: its settings into the generate panel ---------------------------

    def restore_from(self, path: Path) -> None:
        self.window.statusBar().showMessage(self.tr("Reading {name}…").format(name=path.name))
        self._spawn("studio-drop-read", self._read, path)

    def _read(self, path: Path) -> None:
        from studio.app.library_import import read_metadata

        try:
            meta = read_metadata(path)
        except StudioError as exc:
            self.unreadable.emit(path, str(exc))
        except Exception as exc:
            # A file from elsewhere can break a reader in unforeseen ways: say so.
            self.unreadable.emit(path, f"{path.name} could not be read ({exc})")
        else:
            self.restored.emit(path, meta)

    def _on_restored(self, path: Path, meta: Any) -> None:
        request = meta.request
        if not request.generator:
            # Another tool's checkpoint name is not a model Studio can load: keep the
            # panel's model rather than one that would fail at Generate.
            request = request.replace(model="")
        self.window.panel.load_request(request)
        from studio.app.library_import import tool_name

        tool = tool_name(meta.tool)
        # English needs its article; a translation may word both alike.
        text = (self.tr("Settings restored from an {tool} image") if tool[:1].lower() in "aeiou"
                else self.tr("Settings restored from a {tool} image"))
        self.window.statusBar().showMessage(text.format(tool=tool), 10000)

    def _on_unreadable(self, path: Path, problem: str) -> None:
        self.window.statusBar().showMessage(
            self.tr("No settings restored: {problem}").format(problem=problem), 12000)

    # -- a folder: imported into the library -------------------------------------

    @property
    def importing(self) -> bool:
        return self._cancel is not None

    def start_import(self, folder: Path) -> None:
        if self.importing:
            self.window.statusBar().showMessage(
                self.tr("An import is already running: wait for it or cancel it"), 8000)
            return
        self._cancel = CancelToken()
        self.bar.setRange(0, 0)  # busy until the folder is listed
        self.bar.show()
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.window.statusBar().showMessage(self.tr("Importing {folder}…").format(folder=folder))
        self._spawn("studio-import", self._import, folder, self._cancel)

    def cancel_import(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()
            self.cancel_button.setEnabled(False)

    def _import(self, folder: Path, cancel: CancelToken) -> None:
        from studio.app.library_import import import_folder

        def progress(done: int, total: int, path: Path) -> None:
            self.importProgress.emit(done, total, path.name)

        try:
            summary = import_folder(self.window.studio, folder, progress=progress,
                                    cancel=cancel)
        except StudioError as exc:
            self.importFailed.emit(str(exc))
        except Exception as exc:
            self.importFailed.emit(f"the import stopped: {type(exc).__name__}: {exc}")
        else:
            self.importDone.emit(summary)

    def _on_progress(self, done: int, total: int, name: str) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)

    def _on_import_done(self, summary: Any) -> None:
        self._finish()
        if summary.cancelled:
            text = self.tr("Import cancelled: %n new image(s) of {seen}, {duplicates} already "
                           "in the library", "", summary.imported)
        else:
            text = self.tr("Imported: %n new image(s) of {seen}, {duplicates} already in the "
                           "library", "", summary.imported)
        text = text.format(seen=summary.seen, duplicates=summary.duplicates)
        if summary.skipped:
            text += self.tr(", %n skipped", "", len(summary.skipped))
            if summary.no_metadata:
                text += self.tr(" ({count} without generation metadata)").format(
                    count=summary.no_metadata)
        self.window.statusBar().showMessage(text, 20000)
        self.window.library.refresh()
        self.window.suggestions.set_context()  # the profile learned from the imports
        self.window.profile.refresh()

    def _on_import_failed(self, message: str) -> None:
        self._finish()
        self.window.statusBar().showMessage(
            self.tr("Import failed: {message}").format(message=message), 20000)
        self.window.library.refresh()

    def _finish(self) -> None:
        self._cancel = None
        self.bar.hide()
        self.cancel_button.hide()

    # -- threads ------------------------------------------------------------------

    def _spawn(self, name: str, target: Any, *args: Any) -> None:
        self._threads = [t for t in self._threads if t.is_alive()]
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop an import at the next file and wait for the workers (the window closes)."""
        self.cancel_import()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []
