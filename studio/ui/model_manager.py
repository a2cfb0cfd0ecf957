"""The model manager: the models on this machine with their sizes; delete one, add a
folder or a single file (issue #14).

The list is read on a worker (a large Hugging Face cache takes a while to measure).
A delete asks first and names what goes: the model's folder in the Hugging Face
cache, or the file or folder in the user's model folders.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.app.model_catalog import MODEL_FILES, cached_repos, format_size, local_models
from studio.app.models import hf_hub_cache
from studio.ui.background import Background

COLUMNS = 3  # model, where it is, size
CACHE = "Hugging Face cache"  # a row's "where" (its label is translated when shown)


def cache_folder(repo: str, cache: Path | None = None) -> Path:
    """The Hugging Face cache's folder of ``repo`` (``models--org--name``)."""
    return (cache or hf_hub_cache()) / ("models--" + repo.replace("/", "--"))


def scan(folders: list[str]) -> list[tuple[str, str, int]]:
    """(ref, where, bytes) of every model: the Hugging Face cache, then the folders."""
    rows = [(ref, CACHE, size) for ref, size in cached_repos().items()]
    rows += [(ref, "file" if Path(ref).is_file() else "folder", size)
             for ref, size in local_models(folders).items()]
    return rows


def delete_model(ref: str, where: str) -> str:
    """Delete a model from the disk; returns what went, in words."""
    if where == CACHE:
        shutil.rmtree(cache_folder(ref))
        return _tr("Deleted {} from the Hugging Face cache").format(ref)
    target = Path(ref)
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()
    return _tr("Deleted {}").format(target)


def _tr(text: str) -> str:
    return QCoreApplication.translate("ModelManager", text)


class ModelManager(QDialog):
    def __init__(self, studio: Any, parent: QWidget | None = None,
                 on_change: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self.studio = studio
        self.setWindowTitle(self.tr("Models"))
        self.setObjectName("model-manager")
        self.work = Background(self)
        #: called after a model was added or deleted (the window rescans its pickers)
        self.on_change = on_change
        #: asks before a delete; a test replaces it
        self.confirm: Callable[[str], bool] = self._ask
        self.rows: list[tuple[str, str, int]] = []

        self.table = QTableWidget(0, COLUMNS)
        self.table.setAccessibleName(self.tr("Models on this machine"))
        self.table.setHorizontalHeaderLabels([self.tr("Model"), self.tr("Where"), self.tr("Size")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.total = QLabel(self.tr("Reading the models…"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Model manager message"))
        self.delete_button = QPushButton(self.tr("Delete…"))
        self.delete_button.setAccessibleName(self.tr("Delete the selected model from the disk"))
        self.delete_button.clicked.connect(lambda: self.delete_selected())
        self.add_folder_button = QPushButton(self.tr("Add folder…"))
        self.add_folder_button.clicked.connect(lambda: self.add_folder())
        self.add_file_button = QPushButton(self.tr("Add file…"))
        self.add_file_button.clicked.connect(lambda: self.add_file())
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (self.delete_button, self.add_folder_button, self.add_file_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.total)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(640, 420)
        self.refresh()

    # -- the list -----------------------------------------------------------------------

    def refresh(self) -> None:
        folders = list(self.studio.settings.model_dirs)
        self.work.run("models-scan", lambda: scan(folders), self._show)

    def _show(self, rows: Any, error: str) -> None:
        if error:
            self.total.setText(self.tr("The models cannot be listed: {}").format(error))
            return
        self.rows = sorted(rows, key=lambda r: (r[1] != CACHE, r[0].lower()))
        places = {CACHE: self.tr("Hugging Face cache"), "file": self.tr("file"),
                  "folder": self.tr("folder")}
        self.table.setRowCount(0)
        for ref, where, size in self.rows:
            row = self.table.rowCount()
            self.table.insertRow(row)
            for col, text in enumerate((ref, places.get(where, where), format_size(size))):
                item = QTableWidgetItem(text)
                if col == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
        total = sum(r[2] for r in self.rows)
        n = len(self.rows)
        self.total.setText(self.tr("No model on disk yet") if n == 0 else
                           self.tr("1 model, {} on disk").format(format_size(total)) if n == 1
                           else self.tr("{} models, {} on disk").format(n, format_size(total)))
        self._selection_changed()

    def selected(self) -> tuple[str, str, int] | None:
        rows = {i.row() for i in self.table.selectedItems()}
        return self.rows[min(rows)] if rows else None

    def _selection_changed(self) -> None:
        self.delete_button.setEnabled(self.selected() is not None and not self.work.busy)

    # -- delete --------------------------------------------------------------------------

    def _ask(self, text: str) -> bool:
        answer = QMessageBox.question(self, self.tr("Delete model"), text,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def delete_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        ref, where, size = chosen
        what = str(cache_folder(ref)) if where == CACHE else ref
        if not self.confirm(self.tr(
                "Delete {ref} ({size})?\n\n{path} is removed from the disk; a model from the "
                "hub can be downloaded again.").format(ref=ref, size=format_size(size),
                                                       path=what)):
            return
        self.delete_button.setEnabled(False)
        self.message.setText(self.tr("Deleting {}…").format(ref))
        self.work.run("models-delete", lambda: self._delete(ref, where), self._deleted)

    def _delete(self, ref: str, where: str) -> str:
        try:
            return delete_model(ref, where)
        except OSError as exc:
            return self.tr("Not deleted: {} ({})").format(ref, exc.strerror or exc)

    def _deleted(self, text: Any, error: str) -> None:
        self.message.setText(self.tr("Not deleted: {}").format(error) if error else text)
        settings = self.studio.settings
        gone = [d for d in settings.model_dirs if not Path(d).expanduser().exists()]
        if gone:  # a registered single file that was deleted leaves the list too
            settings.model_dirs = [d for d in settings.model_dirs if d not in gone]
            self._save()
        self._changed()

    # -- add -------------------------------------------------------------------------------

    def add_folder(self, folder: str | None = None) -> None:
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, self.tr("A folder with models"))
        if folder:
            self._add(folder)

    def add_file(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, self.tr("A model file"), "", self.tr("Model weights") + " (" + " ".join(
                    f"*{s}" for s in MODEL_FILES) + ")")
        if not path:
            return
        if Path(path).suffix.lower() not in MODEL_FILES:
            self.message.setText(self.tr("Not added: {} is not a model file ({})").format(
                Path(path).name, ", ".join(MODEL_FILES)))
            return
        self._add(path)

    def _add(self, path: str) -> None:
        target = Path(path).expanduser()
        if not target.exists():
            self.message.setText(self.tr("Not added: {} does not exist").format(target))
            return
        settings = self.studio.settings
        if str(target) in settings.model_dirs:
            self.message.setText(self.tr("{} is already listed").format(target))
            return
        settings.model_dirs = [*settings.model_dirs, str(target)]
        if self._save():
            self.message.setText(self.tr("Added {}").format(target))
            self._changed()
        else:
            settings.model_dirs = [d for d in settings.model_dirs if d != str(target)]

    def _save(self) -> bool:
        try:
            self.studio.save_settings()
        except OSError as exc:
            self.message.setText(
                self.tr("Not saved: the settings cannot be written ({})").format(exc))
            return False
        return True

    def _changed(self) -> None:
        self.refresh()
        rescan_pickers(self.parent(), self.studio.settings.model_dirs)
        if self.on_change:
            self.on_change()


def rescan_pickers(window: Any, folders: list[str]) -> None:
    """The window's model pickers list the folders as they are now."""
    picker_scan = getattr(window, "model_scan", None)
    if picker_scan is not None:
        picker_scan.folders = list(folders)
        picker_scan.rescan()
