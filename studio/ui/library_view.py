"""The library browser: thumbnails with ratings, filters, sort, bulk actions, lineage.

The grid is a ``QListView`` over a list model: Qt asks only the visible tiles for
their picture, and each picture is read and scaled on a worker thread, so opening a
library of thousands of items paints at once and fills in as thumbnails arrive.
Files drag out to the file manager as URLs; files dropped in go to the window's
drop handler (settings restored from their metadata, folders imported).
"""

from __future__ import annotations

import collections
import datetime as dt
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractListModel,
    QCoreApplication,
    QDate,
    QMimeData,
    QModelIndex,
    QObject,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QIcon,
    QImage,
    QImageReader,
    QKeySequence,
    QPainter,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QStyledItemDelegate,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.api import StudioError
from studio.ui.actions import view_action
from studio.ui.drop import dropped_paths

THUMB = 128
#: Tiles listed at most; the filters narrow a larger library down.
LIMIT = 5000
#: Tiles listed on the UI thread (a few screens); the rest come from a worker.
FIRST_PAGE = 120

# Labels in English, translated where shown (QT_TRANSLATE_NOOP marks them for lupdate).
KINDS = ((QT_TRANSLATE_NOOP("LibraryView", "All kinds"), None),
         (QT_TRANSLATE_NOOP("LibraryView", "Images"), "image"),
         (QT_TRANSLATE_NOOP("LibraryView", "Writing"), "text"),
         (QT_TRANSLATE_NOOP("LibraryView", "Music"), "audio"),
         (QT_TRANSLATE_NOOP("LibraryView", "Video"), "video"))
RATINGS = ((QT_TRANSLATE_NOOP("LibraryView", "Any rating"), None),
           *((f"{'★' * n} or more", n) for n in range(1, 6)))
DATES = (QT_TRANSLATE_NOOP("LibraryView", "Any time"),
         QT_TRANSLATE_NOOP("LibraryView", "Today"),
         QT_TRANSLATE_NOOP("LibraryView", "Past 7 days"),
         QT_TRANSLATE_NOOP("LibraryView", "Past 30 days"),
         QT_TRANSLATE_NOOP("LibraryView", "Past year"),
         QT_TRANSLATE_NOOP("LibraryView", "Between…"))
ORDERS = ((QT_TRANSLATE_NOOP("LibraryView", "Newest first"), "newest"),
          (QT_TRANSLATE_NOOP("LibraryView", "Oldest first"), "oldest"),
          (QT_TRANSLATE_NOOP("LibraryView", "Highest rated"), "rating"))
_GLYPH = {"text": "¶", "audio": "♪", "video": "▶"}


def stars(rating: int | None) -> str:
    """"★★★☆☆" for 3; empty when unrated."""
    return "★" * rating + "☆" * (5 - rating) if rating else ""


def tile_label(art: Any) -> str:
    head = " ".join(x for x in (("♥" if art.favourite else ""), stars(art.rating)) if x)
    words = (art.prompt or art.text or Path(art.path).name).strip().replace("\n", " ")
    words = words if len(words) <= 36 else words[:35] + "…"
    return f"{head}\n{words}" if head else words


def placeholder(kind: str) -> QPixmap:
    """A plain tile for what has no thumbnail (text, music, a picture still loading)."""
    pix = QPixmap(THUMB, THUMB)
    pix.fill(QColor("#ececf3"))
    glyph = _GLYPH.get(kind)
    if glyph:
        painter = QPainter(pix)
        painter.setPen(QColor("#8a86a8"))
        font = QFont()
        font.setPixelSize(THUMB // 2)
        painter.setFont(font)
        painter.drawText(pix.rect(), Qt.AlignmentFlag.AlignCenter, glyph)
        painter.end()
    return pix


def read_thumbnail(path: str) -> QImage:
    """Read and scale an image to a tile, on any thread (QImage, not QPixmap)."""
    if not path:
        return QImage()
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (size.width() > THUMB or size.height() > THUMB):
        reader.setScaledSize(size.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if not image.isNull() and (image.width() > THUMB or image.height() > THUMB):
        image = image.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return image


class ThumbnailLoader(QObject):
    """Reads thumbnails on one worker thread, most recently asked for first."""

    loaded = Signal(str, QImage)  # (artifact id, image; null when unreadable)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._wanted: collections.OrderedDict[str, tuple[str, str]] = \
            collections.OrderedDict()
        self._cv = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None

    def request(self, artifact_id: str, thumb: str, path: str) -> None:
        """Read ``thumb`` if it exists, else ``path``."""
        with self._cv:
            if self._stopped:
                return
            self._wanted[artifact_id] = (thumb, path)
            self._wanted.move_to_end(artifact_id)  # the tile on screen now wins
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="studio-thumbs",
                                                daemon=True)
                self._thread.start()
            self._cv.notify()

    def forget(self) -> None:
        """Drop requests not started (the grid shows other items now)."""
        with self._cv:
            self._wanted.clear()

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._wanted and not self._stopped:
                    self._cv.wait()
                if self._stopped:
                    return
                artifact_id, (thumb, path) = self._wanted.popitem(last=True)
            try:
                image = read_thumbnail(thumb if Path(thumb).exists() else path)
            except Exception:  # an unreadable file is a plain tile, never a crash
                image = QImage()
            self.loaded.emit(artifact_id, image)

    def stop(self) -> None:
        with self._cv:
            self._stopped = True
            self._wanted.clear()
            self._cv.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=5)


class LibraryModel(QAbstractListModel):
    """The artifacts shown; thumbnails are asked for when Qt first paints a tile."""

    def __init__(self, library: Any, loader: ThumbnailLoader) -> None:
        super().__init__()
        self.library = library
        self.loader = loader
        self.arts: list[Any] = []
        self._row: dict[str, int] = {}
        self._pixmaps: dict[str, QPixmap] = {}
        self._asked: set[str] = set()
        self._placeholders = {k: placeholder(k) for k in ("image", "text", "audio", "video")}
        loader.loaded.connect(self._loaded, Qt.ConnectionType.QueuedConnection)
        #: thumbnails asked for (the laziness is measured by it)
        self.requests = 0

    def extend(self, arts: list[Any]) -> None:
        if not arts:
            return
        first = len(self.arts)
        self.beginInsertRows(QModelIndex(), first, first + len(arts) - 1)
        self.arts.extend(arts)
        self._row.update({a.id: first + i for i, a in enumerate(arts)})
        self.endInsertRows()

    def set_artifacts(self, arts: list[Any]) -> None:
        self.beginResetModel()
        self.arts = list(arts)
        self._row = {a.id: i for i, a in enumerate(self.arts)}
        self._asked &= set(self._row)  # asked and still shown: the answer is on its way
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(self.arts)

    def artifact(self, row: int) -> Any:
        return self.arts[row]

    def row_of(self, artifact_id: str) -> int | None:
        return self._row.get(artifact_id)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        art = self.arts[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return tile_label(art)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._picture(art)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [art.prompt or (art.text or "")[:400] or Path(art.path).name]
            if art.rating:
                lines.append(QCoreApplication.translate("LibraryView", "Rated {stars}")
                             .format(stars=stars(art.rating)))
            if art.favourite:
                lines.append(QCoreApplication.translate("LibraryView", "Favourite"))
            return "\n".join(lines)
        if role == Qt.ItemDataRole.UserRole:
            return art.id
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return tile_label(art).replace("\n", ", ")
        return None

    def _picture(self, art: Any) -> QPixmap:
        pix = self._pixmaps.get(art.id)
        if pix is not None:
            return pix
        kind = art.kind if art.kind in self._placeholders else "image"
        if art.kind != "text" and art.id not in self._asked:
            self._asked.add(art.id)
            self.requests += 1
            # Which file to read (the small JPEG, else the picture) is the worker's
            # question too: even a stat per tile adds up on a slow disk. Music and
            # video have a thumbnail (waveform, poster frame) or keep their glyph.
            self.loader.request(art.id, str(self.library.thumbnail_path(art.id)),
                                art.path if art.kind == "image" else "")
        return self._placeholders[kind]

    def _loaded(self, artifact_id: str, image: QImage) -> None:
        if not image.isNull():
            self._pixmaps[artifact_id] = QPixmap.fromImage(image)
        row = self._row.get(artifact_id)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list"]

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        """The files of the dragged tiles, as the file manager takes them."""
        mime = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        paths = [self.arts[r].path for r in rows if Path(self.arts[r].path).exists()]
        mime.setUrls([QUrl.fromLocalFile(p) for p in paths])
        return mime


class _TileDelegate(QStyledItemDelegate):
    """Every tile the same size, with room for two lines: the stars and the prompt.

    With uniform sizes Qt measures the first tile only; a one-line first label
    would elide every other tile to one line.
    """

    def sizeHint(self, option: Any, index: QModelIndex) -> QSize:
        lines = option.fontMetrics.lineSpacing() * 2
        return QSize(THUMB + 28, THUMB + 12 + lines)


class LibraryGrid(QListView):
    """The tiles; files dragged in from outside are handed on (``filesDropped``)."""

    filesDropped = Signal(object)  # the QMimeData, valid during the call only

    def __init__(self) -> None:
        super().__init__()
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 36, THUMB + 52))
        self.setItemDelegate(_TileDelegate(self))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)  # one size hint for all: no per-tile decode to lay out
        # Thousands of tiles are laid out a batch per event-loop turn, not in one freeze.
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(200)
        self.setWordWrap(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

    def count(self) -> int:
        return self.model().rowCount() if self.model() is not None else 0

    def _outside(self, event: Any) -> bool:
        return event.source() is not self and bool(dropped_paths(event.mimeData()))

    def dragEnterEvent(self, event: Any) -> None:  # Qt override
        if self._outside(event):
            event.acceptProposedAction()
        else:
            event.ignore()  # our own tiles dropped on ourselves: nothing to do

    def dragMoveEvent(self, event: Any) -> None:  # Qt override
        if self._outside(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: Any) -> None:  # Qt override
        if not self._outside(event):
            event.ignore()
            return
        event.acceptProposedAction()
        self.filesDropped.emit(event.mimeData())


class LibraryView(QWidget):
    #: emitted with an Artifact when the user opens one
    opened = Signal(object)
    #: emitted with (Artifact, task) to start from an image: img2img, variations, upscale
    startFrom = Signal(object, str)
    #: files dropped on the grid from outside (a QMimeData, valid during the call)
    filesDropped = Signal(object)
    #: one line for the status bar
    message = Signal(str)
    _exported = Signal(str)
    _listed = Signal(int, object)  # (refresh number, the whole list or an exception)

    def __init__(self, library: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self._undo: list[list[str]] = []
        self.loader = ThumbnailLoader(self)
        self.model = LibraryModel(library, self.loader)
        self._threads: list[threading.Thread] = []
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-library")
        self._generation = 0
        self._closed = False
        self._listed.connect(self._on_listed, Qt.ConnectionType.QueuedConnection)

        self.search = QLineEdit(placeholderText=self.tr("Search prompts and texts…"))
        self.search.setAccessibleName(self.tr("Search the library"))
        self.search.setClearButtonEnabled(True)
        self.kind = QComboBox()
        for label, value in KINDS:
            self.kind.addItem(self.tr(label), value)
        self.kind.setAccessibleName(self.tr("Kind"))
        self.favourites = QCheckBox(self.tr("♥ only"))
        self.favourites.setToolTip(self.tr("Show favourites only"))
        self.favourites.setAccessibleName(self.tr("Show favourites only"))
        self.rating = QComboBox()
        for label, value in RATINGS:
            text = self.tr(label) if value is None else self.tr("{stars} or more").format(
                stars="★" * value)
            self.rating.addItem(text, value)
        self.rating.setAccessibleName(self.tr("Rating"))
        self.dates = QComboBox()
        for label in DATES:
            self.dates.addItem(self.tr(label), label)  # the English label is the key
        self.dates.setAccessibleName(self.tr("Date"))
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-7))
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.hide()
        self.date_from.setAccessibleName(self.tr("From date"))
        self.date_to.setAccessibleName(self.tr("To date"))
        self.order = QComboBox()
        for label, value in ORDERS:
            self.order.addItem(self.tr(label), value)
        self.order.setAccessibleName(self.tr("Sort"))
        # Two rows: in one, the search field was squeezed to nothing beside the docks.
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(QLabel(self.tr("Sort:")))
        search_row.addWidget(self.order)
        filters = QHBoxLayout()
        for w in (self.kind, self.favourites, self.rating, self.dates, self.date_from,
                  self.date_to):
            filters.addWidget(w)
        filters.addStretch(1)
        self.search.textChanged.connect(self.refresh)
        for combo in (self.kind, self.rating, self.order):
            combo.currentIndexChanged.connect(self.refresh)
        self.favourites.toggled.connect(self.refresh)
        self.dates.currentIndexChanged.connect(self._dates_changed)
        self.date_from.dateChanged.connect(self.refresh)
        self.date_to.dateChanged.connect(self.refresh)

        self.grid = LibraryGrid()
        self.grid.setModel(self.model)
        self.grid.customContextMenuRequested.connect(self._menu)
        self.grid.setAccessibleName(self.tr("Library items"))
        # Enter, or a double click (a single one where the desktop opens items so).
        self.grid.activated.connect(lambda index: self.opened.emit(self.model.artifact(
            index.row())))
        self.grid.filesDropped.connect(self.filesDropped)
        self.grid.selectionModel().selectionChanged.connect(self._selection_changed)
        self.grid.selectionModel().currentChanged.connect(lambda *_: self._show_lineage())

        self._build_actions()
        self.selected_label = QLabel()
        self.selected_label.setStyleSheet("color: #777")
        bulk = QHBoxLayout()
        bulk.addWidget(self.selected_label, 1)
        for act in (self.favourite_action, self.unfavourite_action):
            bulk.addWidget(_button(act))
        rate = QToolButton()
        rate.setText(self.tr("Rate"))
        rate.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        rate.setMenu(self.rate_menu)
        rate.setAccessibleName(self.tr("Rate the selected items"))
        self.rate_button = rate
        bulk.addWidget(rate)
        for act in (self.export_action, self.delete_action):
            bulk.addWidget(_button(act))
        self.undo_button = _button(self.undo_action)
        self.undo_button.setText(self.tr("Undo delete"))
        bulk.addWidget(self.undo_button)

        self.lineage_bar = QWidget()
        self.lineage_bar.setMinimumHeight(46)  # room for the 32 px thumbnails of the lineage
        self.lineage = QHBoxLayout(self.lineage_bar)
        self.lineage.setContentsMargins(0, 0, 0, 0)
        self.lineage_label = QLabel()
        self.lineage_label.setStyleSheet("color: #777")
        self.lineage.addWidget(self.lineage_label)
        self.lineage.addStretch(1)
        self.lineage_buttons: list[QToolButton] = []

        layout = QVBoxLayout(self)
        layout.addLayout(search_row)
        layout.addLayout(filters)
        layout.addLayout(bulk)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.lineage_bar)
        self._exported.connect(self.message)
        self.refresh()

    # -- actions ------------------------------------------------------------------------

    def _build_actions(self) -> None:
        def action(text: str, slot: Any, shortcut: Any = None) -> QAction:
            return view_action(self, text, slot, shortcut)

        self.open_action = action(self.tr("Open"), lambda: [self.opened.emit(a)
                                                   for a in self.selected()[:1]])
        self.favourite_action = action(self.tr("Favourite"), lambda: self.set_favourite(True))
        self.unfavourite_action = action(self.tr("Remove favourite"),
                                         lambda: self.set_favourite(False))
        self.rate_menu = QMenu(self.tr("Rate"), self)
        self.rate_actions = []
        for n in range(1, 6):
            act = action("★" * n, lambda _=False, n=n: self.rate_selected(n), f"Ctrl+{n}")
            act.setToolTip(self.tr("Rate %n star(s)", "", n))
            self.rate_menu.addAction(act)
            self.rate_actions.append(act)
        self.export_action = action(self.tr("Export…"), self._export_dialog)
        self.delete_action = action(self.tr("Delete"), self.delete_selected,
                                    QKeySequence.StandardKey.Delete)
        self.undo_action = action(self.tr("Undo delete"), self.undo_delete,
                                  QKeySequence.StandardKey.Undo)
        self.undo_action.setEnabled(False)
        self.select_all_action = action(self.tr("Select all"), self.grid.selectAll,
                                        QKeySequence.StandardKey.SelectAll)
        self._selection_changed()

    def selected_ids(self) -> list[str]:
        rows = sorted(i.row() for i in self.grid.selectionModel().selectedIndexes())
        return [self.model.artifact(r).id for r in rows]

    def selected(self) -> list[Any]:
        rows = sorted(i.row() for i in self.grid.selectionModel().selectedIndexes())
        return [self.model.artifact(r) for r in rows]

    def _selection_changed(self, *_: Any) -> None:
        n = len(self.grid.selectionModel().selectedIndexes()) if hasattr(self, "grid") else 0
        shown = self.model.rowCount()
        if hasattr(self, "selected_label"):
            self.selected_label.setText(
                self.tr("{n} of {shown} selected").format(n=n, shown=shown) if n else
                self.tr("%n item", "", shown) if shown == 1 else self.tr("%n items", "", shown))
        for act in (self.open_action, self.favourite_action, self.unfavourite_action,
                    self.export_action, self.delete_action, *self.rate_actions):
            act.setEnabled(n > 0)
        if hasattr(self, "rate_button"):
            self.rate_button.setEnabled(n > 0)

    def _menu(self, pos: Any) -> None:
        index = self.grid.indexAt(pos)
        if not index.isValid():
            return
        if not self.grid.selectionModel().isSelected(index):
            self.grid.setCurrentIndex(index)
        arts = self.selected()
        menu = QMenu(self)
        if len(arts) == 1 and arts[0].kind == "image":
            art = arts[0]
            for task, label in (("variations", self.tr("Make variations")),
                                ("img2img", self.tr("Use as input image")),
                                ("upscale", self.tr("Upscale 2x"))):
                act = QAction(label, menu)
                act.triggered.connect(lambda _=False, t=task: self.startFrom.emit(art, t))
                menu.addAction(act)
            menu.addSeparator()
        if len(arts) == 1:
            menu.addAction(self.open_action)
            keep = QAction(self.tr("Keep"), menu)
            keep.triggered.connect(lambda: self._act(self.library.keep, arts[0].id))
            menu.addAction(keep)
        menu.addAction(self.favourite_action)
        menu.addAction(self.unfavourite_action)
        menu.addMenu(self.rate_menu)
        menu.addAction(self.export_action)
        menu.addAction(self.delete_action)
        menu.exec(self.grid.viewport().mapToGlobal(pos))

    def _act(self, fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        except StudioError as exc:
            self.message.emit(str(exc))
        self.refresh()

    # -- filters --------------------------------------------------------------------------

    def _dates_changed(self) -> None:
        between = self.dates.currentData() == "Between…"
        self.date_from.setVisible(between)
        self.date_to.setVisible(between)
        self.refresh()

    def date_range(self) -> tuple[float | None, float | None]:
        """(since, until) in epoch seconds for the date filter; None where open."""
        choice = self.dates.currentData()
        now = dt.datetime.now()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        days = {"Today": 0, "Past 7 days": 7, "Past 30 days": 30, "Past year": 365}
        if choice in days:
            return (midnight - dt.timedelta(days=days[choice])).timestamp(), None
        if choice == "Between…":
            start = self.date_from.date().toPython()
            end = self.date_to.date().toPython() + dt.timedelta(days=1)  # the whole last day
            return (dt.datetime.combine(start, dt.time()).timestamp(),
                    dt.datetime.combine(end, dt.time()).timestamp())
        return None, None

    def clear_filters(self) -> None:
        widgets = (self.search, self.kind, self.favourites, self.rating, self.dates)
        for w in widgets:
            w.blockSignals(True)
        self.search.clear()
        self.kind.setCurrentIndex(0)
        self.favourites.setChecked(False)
        self.rating.setCurrentIndex(0)
        self.dates.setCurrentIndex(0)
        for w in widgets:
            w.blockSignals(False)
        self.date_from.hide()
        self.date_to.hide()
        self.refresh()

    def refresh(self) -> None:
        """List what the filters select: the first page now, the rest from a worker.

        Reading 2,000 rows (and their JSON) took 150-400 ms on a busy machine: on the
        UI thread that is a visible freeze, so only the tiles of the first screens are
        read here and the rest arrive as one update.
        """
        self._generation += 1
        selected = set(self.selected_ids()) if self.model.rowCount() else set()
        filters = self._filters()
        try:
            arts = self.library.list(**filters, limit=FIRST_PAGE + 1)
        except StudioError as exc:
            arts = []
            self.message.emit(self.tr("The library cannot be listed: {error}").format(error=exc))
        self.loader.forget()
        self.model.set_artifacts(arts[:FIRST_PAGE])
        for aid in selected:
            self._select(aid, add=True)
        self._selection_changed()
        self._show_lineage()
        if len(arts) > FIRST_PAGE and not self._closed:
            generation = self._generation

            def rest() -> None:
                try:
                    more: Any = self.library.list(**filters, limit=LIMIT)
                except Exception as exc:  # shown as one line, never raised into Qt
                    more = exc
                self._listed.emit(generation, more)

            self._pool.submit(rest)

    def _filters(self) -> dict[str, Any]:
        since, until = self.date_range()
        return {"search": self.search.text().strip() or None, "kind": self.kind.currentData(),
                "favourites": self.favourites.isChecked(),
                "min_rating": self.rating.currentData(), "since": since, "until": until,
                "order": self.order.currentData()}

    def _on_listed(self, generation: int, arts: Any) -> None:
        if generation != self._generation or self._closed:
            return  # the filters changed since: a newer listing is on its way
        if isinstance(arts, Exception):
            self.message.emit(self.tr("The library cannot be listed: {error}").format(error=arts))
            return
        shown = [a.id for a in self.model.arts]
        if [a.id for a in arts[:len(shown)]] == shown:
            self.model.extend(arts[len(shown):])  # selection and scroll stay as they are
        else:
            selected = set(self.selected_ids())
            self.model.set_artifacts(arts)
            for aid in selected:
                self._select(aid, add=True)
        self._selection_changed()

    def count(self) -> int:
        return self.model.rowCount()

    # -- bulk actions -----------------------------------------------------------------------

    def set_favourite(self, on: bool) -> None:
        for aid in self.selected_ids():
            self.library.set_favourite(aid, on)
        self.refresh()

    def rate_selected(self, rating: int) -> None:
        for aid in self.selected_ids():
            self.library.rate(aid, rating)
        self.refresh()

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self._trash(ids)

    def delete(self, artifact_id: str) -> None:
        self._trash([artifact_id])

    def _trash(self, ids: list[str]) -> None:
        done = []
        for aid in ids:
            try:
                self.library.trash(aid)
            except StudioError as exc:
                self.message.emit(str(exc))
                continue
            done.append(aid)
        if done:
            self._undo.append(done)
            self.undo_action.setEnabled(True)
            self.message.emit(
                self.tr("Deleted %n item (Undo puts it back)", "", len(done)) if len(done) == 1
                else self.tr("Deleted %n items (Undo puts them back)", "", len(done)))
        self.refresh()

    def undo_delete(self) -> None:
        """Put back the last deleted batch (the files stay until the trash is emptied)."""
        if self._undo:
            for aid in self._undo.pop():
                self.library.restore(aid)
        self.undo_action.setEnabled(bool(self._undo))
        self.refresh()

    def _export_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export to folder")
        if folder:
            self.export_to(Path(folder))

    def export_to(self, folder: Path, ids: list[str] | None = None) -> threading.Thread:
        """Copy the files of ``ids`` (default: the selection) into ``folder``, off the UI thread.

        A name already there gets a number (``x-2.png``), so nothing is overwritten.
        """
        arts = [self.library.get(a) for a in ids] if ids is not None else self.selected()

        def work() -> None:
            copied, failed = 0, []
            for art in arts:
                src = Path(art.path)
                target = folder / src.name
                n = 2
                while target.exists():
                    target = folder / f"{src.stem}-{n}{src.suffix}"
                    n += 1
                try:
                    tmp = target.with_name(f".{target.name}.part")
                    shutil.copyfile(src, tmp)
                    tmp.replace(target)  # a half-copied file never has the real name
                    copied += 1
                except OSError as exc:
                    tmp.unlink(missing_ok=True)
                    failed.append(f"{src.name} ({exc.strerror or exc})")
            text = (self.tr("Exported %n file to {folder}", "", copied) if copied == 1 else
                    self.tr("Exported %n files to {folder}", "", copied)).format(folder=folder)
            if failed:
                text += self.tr("; not exported: {files}").format(files=", ".join(failed[:3]))
            self._exported.emit(text)

        thread = threading.Thread(target=work, name="studio-library-export", daemon=True)
        self._threads.append(thread)
        thread.start()
        return thread

    # -- lineage ---------------------------------------------------------------------------

    def _show_lineage(self) -> None:
        for button in self.lineage_buttons:
            self.lineage.removeWidget(button)
            button.deleteLater()
        self.lineage_buttons = []
        index = self.grid.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            self.lineage_label.setText("")
            return
        art = self.model.artifact(index.row())
        parent = None
        if art.parent:
            try:
                parent = self.library.get(art.parent)
            except StudioError:
                parent = None
        children = self.library.list(parent=art.id, limit=12, order="oldest")
        if parent is None and not children:
            self.lineage_label.setText(
                self.tr("Made from nothing in the library; nothing made from it"))
            return
        self.lineage_label.setText(self.tr("Made from:") if parent is not None
                                   else self.tr("Made from it:"))
        at = 1
        if parent is not None:
            self._lineage_button(parent, at, "parent")
            at += 1
            if children:
                label = QLabel("  " + self.tr("Made from it:"))
                label.setStyleSheet("color: #777")
                self.lineage.insertWidget(at, label)
                self.lineage_buttons.append(label)  # type: ignore[arg-type]
                at += 1
        for child in children:
            self._lineage_button(child, at, "child")
            at += 1

    def _lineage_button(self, art: Any, at: int, role: str) -> None:
        button = QToolButton()
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setIcon(QIcon(self.model._picture(art)))
        button.setIconSize(QSize(32, 32))
        words = (art.prompt or art.text or art.id)[:24]
        button.setText(words + ("…" if len(art.prompt or art.text or "") > 24 else ""))
        tip = (self.tr("Parent: {prompt}") if role == "parent"
               else self.tr("Made from this: {prompt}")).format(prompt=art.prompt or art.id)
        button.setToolTip(tip + (self.tr(" (deleted)") if art.trashed else ""))
        button.setAccessibleName((self.tr("Go to the parent {words}") if role == "parent"
                                  else self.tr("Go to the child {words}")).format(words=words))
        button.setProperty("artifact_id", art.id)
        button.clicked.connect(lambda _=False, aid=art.id: self.go_to(aid))
        self.lineage.insertWidget(at, button)
        self.lineage_buttons.append(button)

    def go_to(self, artifact_id: str) -> bool:
        """Select ``artifact_id``, clearing the filters if they hide it."""
        if self.model.row_of(artifact_id) is None:
            self.clear_filters()
        if self.model.row_of(artifact_id) is None:
            self.message.emit(self.tr("That item is in the trash or no longer in the library"))
            return False
        self._select(artifact_id)
        return True

    def _select(self, artifact_id: str, add: bool = False) -> None:
        row = self.model.row_of(artifact_id)
        if row is None:
            return
        index = self.model.index(row)
        sel = self.grid.selectionModel()
        flag = sel.SelectionFlag.Select if add else sel.SelectionFlag.ClearAndSelect
        if add:
            sel.select(index, flag)
        else:
            sel.setCurrentIndex(index, flag)
            self.grid.scrollTo(index)

    def shutdown(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.loader.stop()
        for thread in self._threads:
            thread.join(timeout=10)


def _button(action: QAction) -> QToolButton:
    button = QToolButton()
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button
