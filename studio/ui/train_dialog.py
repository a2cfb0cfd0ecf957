"""The "Train my style" dialog: which images, their captions (editable), name and steps.

It only shows and edits: choosing the images (a history scan) runs on the profile
page's worker thread, and the training itself is an engine job in the queue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.app.personalize import DEFAULT_NAME, MIN_IMAGES, SOURCES, TrainingItem

THUMB_PX = 48
_SOURCE_LABELS = {"favourites": QT_TRANSLATE_NOOP("TrainDialog", "Favourites"),
                  "kept": QT_TRANSLATE_NOOP("TrainDialog", "Kept"),
                  "rated>=4": QT_TRANSLATE_NOOP("TrainDialog", "Rated 4 or 5")}


class TrainDialog(QDialog):
    """``source_changed(source)`` asks the page for another selection (``set_items``)."""

    source_changed = Signal(str)

    def __init__(self, thumbnail: Any = None, name: str = DEFAULT_NAME,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Train my style"))
        self._thumbnail = thumbnail or (lambda item: None)
        self._items: list[TrainingItem] = []
        self.summary = QLabel(self.tr("Finding your images…"))
        self.summary.setWordWrap(True)
        self.source = QComboBox()
        for key in SOURCES:
            self.source.addItem(self.tr(_SOURCE_LABELS[key]), key)
        self.source.currentIndexChanged.connect(
            lambda _i: self.source_changed.emit(self.source.currentData()))
        self.name = QLineEdit(name)
        self.name.setAccessibleName(self.tr("LoRA name"))
        self.steps = QSpinBox()
        self.steps.setRange(50, 20000)
        self.steps.setSingleStep(50)
        self.steps.setValue(500)
        form = QFormLayout()
        form.addRow(self.tr("Images"), self.source)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Training steps"), self.steps)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([self.tr("Image"), self.tr("Caption (editable)")])
        self.table.setAccessibleName(self.tr("Training images and their captions"))
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, THUMB_PX + 16)
        self.table.setIconSize(QSize(THUMB_PX, THUMB_PX))
        self.table.verticalHeader().setDefaultSectionSize(THUMB_PX + 6)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        note = QLabel(self.tr("Training runs on this computer, in the queue; your images "
                              "never leave it. Images made in incognito or while recording "
                              "was paused are not used."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #666")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.train_button = self.buttons.addButton(
            self.tr("Train"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.train_button.setEnabled(False)
        self.resize(640, 480)

    def set_items(self, items: list[TrainingItem], unrecorded: int = 0) -> None:
        self._items = list(items)
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            image = QTableWidgetItem()
            image.setToolTip(item.id)
            image.setFlags(image.flags() & ~Qt.ItemFlag.ItemIsEditable)
            pixmap = self._thumbnail(item)
            if pixmap is not None and not pixmap.isNull():
                image.setIcon(QIcon(pixmap))
            self.table.setItem(row, 0, image)
            self.table.setItem(row, 1, QTableWidgetItem(item.caption))
        n = len(items)
        text = self.tr("Images that qualify: {n}.").format(n=n)
        if unrecorded:
            text += " " + self.tr("Left out, made or chosen while recording was off: {n}.") \
                .format(n=unrecorded)
        if n < MIN_IMAGES:
            text += " " + self.tr("Training needs at least {need} images, you have {n}.") \
                .format(need=MIN_IMAGES, n=n)
        self.summary.setText(text)
        self.train_button.setEnabled(n >= MIN_IMAGES)

    def items(self) -> list[TrainingItem]:
        """The images with the captions as edited."""
        out = []
        for row, item in enumerate(self._items):
            cell = self.table.item(row, 1)
            out.append(TrainingItem(item.id, item.path, cell.text() if cell else item.caption))
        return out


def library_thumbnail(library: Any) -> Any:
    """A ``thumbnail(item)`` reading the library's small thumbnails (never the full image)."""

    def thumbnail(item: TrainingItem) -> QPixmap | None:
        path = Path(library.thumbnail_path(item.id))
        if not path.is_file():
            return None
        return QPixmap(str(path)).scaled(THUMB_PX, THUMB_PX, Qt.AspectRatioMode.KeepAspectRatio,
                                         Qt.TransformationMode.SmoothTransformation)

    return thumbnail
