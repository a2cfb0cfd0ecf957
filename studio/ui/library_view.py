"""The library browser: thumbnails, search, favourite, rate, delete with undo."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QIcon, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

THUMB = 128


class LibraryView(QWidget):
    #: emitted with an Artifact when the user opens one
    opened = Signal(object)
    #: emitted with (Artifact, task) to start from an image: img2img, variations, upscale
    startFrom = Signal(object, str)

    def __init__(self, library: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self._undo: list[str] = []
        self.search = QLineEdit(placeholderText="Search prompts and texts…")
        self.search.textChanged.connect(self.refresh)
        self.undo_button = QPushButton("Undo delete")
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self.undo_delete)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.undo_button)
        self.grid = QListWidget()
        self.grid.setViewMode(QListWidget.ViewMode.IconMode)
        self.grid.setIconSize(QSize(THUMB, THUMB))
        self.grid.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.grid.setUniformItemSizes(True)
        self.grid.setWordWrap(True)
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._menu)
        self.grid.itemDoubleClicked.connect(
            lambda item: self.opened.emit(self.library.get(item.data(Qt.ItemDataRole.UserRole)))
        )
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.grid)
        self.refresh()

    def refresh(self) -> None:
        self.grid.clear()
        for art in self.library.list(search=self.search.text() or None, limit=200):
            label = ("★ " if art.favourite else "") + (art.prompt or art.text or "")[:40]
            item = QListWidgetItem(_icon_for(art, self.library), label)
            item.setData(Qt.ItemDataRole.UserRole, art.id)
            item.setToolTip(art.prompt or (art.text or "")[:400])
            self.grid.addItem(item)

    def _selected_id(self) -> str | None:
        item = self.grid.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _menu(self, pos: Any) -> None:
        aid = self._selected_id()
        if aid is None:
            return
        art = self.library.get(aid)
        menu = QMenu(self)
        if art.kind == "image":
            for task, label in (("variations", "Make variations"),
                                ("img2img", "Use as input image"),
                                ("upscale", "Upscale 2x")):
                action = QAction(label, menu)
                action.triggered.connect(lambda _=False, t=task: self.startFrom.emit(art, t))
                menu.addAction(action)
            menu.addSeparator()
        fav = QAction("Remove favourite" if art.favourite else "Favourite", menu)
        fav.triggered.connect(lambda: self._act(self.library.set_favourite, aid,
                                                not art.favourite))
        menu.addAction(fav)
        keep = QAction("Keep", menu)
        keep.triggered.connect(lambda: self._act(self.library.keep, aid))
        menu.addAction(keep)
        rate = menu.addMenu("Rate")
        for n in range(1, 6):
            action = QAction("★" * n, rate)
            action.triggered.connect(lambda _=False, n=n: self._act(self.library.rate, aid, n))
            rate.addAction(action)
        delete = QAction("Delete", menu)
        delete.triggered.connect(lambda: self.delete(aid))
        menu.addAction(delete)
        menu.exec(self.grid.viewport().mapToGlobal(pos))

    def _act(self, fn: Any, *args: Any) -> None:
        fn(*args)
        self.refresh()

    def delete(self, artifact_id: str) -> None:
        self.library.trash(artifact_id)
        self._undo.append(artifact_id)
        self.undo_button.setEnabled(True)
        self.refresh()

    def undo_delete(self) -> None:
        if self._undo:
            self.library.restore(self._undo.pop())
        self.undo_button.setEnabled(bool(self._undo))
        self.refresh()


def _icon_for(art: Any, library: Any) -> QIcon:
    if art.kind == "image":
        thumb = library.thumbnail_path(art.id)
        pix = QPixmap(str(thumb) if thumb.exists() else art.path)
        if not pix.isNull():
            return QIcon(pix.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                    Qt.TransformationMode.SmoothTransformation))
    return QIcon.fromTheme("text-x-generic")
