"""The image canvas: zoom, pan, fit and 1:1, a batch as a grid, before/after compare,
image info and actions, and the inpaint mask painted over the image.

Zoom is measured in device pixels per image pixel, so 1:1 is crisp at any scale
factor (at 2x the view's transform is 0.5). Files are decoded on a worker thread;
the UI thread only turns the decoded QImage into a pixmap.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QObject,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QDesktopServices,
    QGuiApplication,
    QIcon,
    QImage,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QGraphicsLineItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSlider,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.ui.mask_painter import MaskItem, MaskPainter, mask_toolbar

MIN_ZOOM, MAX_ZOOM = 0.02, 64.0
#: From this zoom on (device pixels per image pixel) pixels are drawn as squares.
NEAREST_FROM = 3.0
ZOOM_STEP = 1.25
THUMB = 192
#: The "Send to" menu: (label, task); img2video is routed to the video modality.
SEND_TASKS = ((QT_TRANSLATE_NOOP("Canvas", "img2img"), "img2img"),
              (QT_TRANSLATE_NOOP("Canvas", "Inpaint"), "inpaint"),
              (QT_TRANSLATE_NOOP("Canvas", "Upscale"), "upscale"),
              (QT_TRANSLATE_NOOP("Canvas", "Video (img2video)"), "img2video"))


class CanvasView(QGraphicsView):
    """One image (or a live preview) with the compare overlay and the mask on top."""

    zoomChanged = Signal(float)

    def __init__(self, mask: MaskPainter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setBackgroundBrush(QColor(42, 42, 46))
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setMinimumSize(320, 320)
        self.image_item = QGraphicsPixmapItem()
        self.image_item.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        self.scene().addItem(self.image_item)
        # The "before" image shows left of the split: a clipping rectangle holds it.
        self.before_clip = QGraphicsRectItem()
        self.before_clip.setFlag(QGraphicsRectItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        self.before_clip.setPen(QPen(Qt.PenStyle.NoPen))
        self.before_item = QGraphicsPixmapItem(self.before_clip)
        self.split_line = QGraphicsLineItem()
        pen = QPen(QColor(255, 255, 255), 2)
        pen.setCosmetic(True)
        self.split_line.setPen(pen)
        for item in (self.before_clip, self.split_line):
            item.setVisible(False)
            self.scene().addItem(item)
        self.mask = mask
        self.mask_item = MaskItem(mask)
        self.mask_item.setVisible(False)
        self.scene().addItem(self.mask_item)
        mask.settingsChanged.connect(self._mask_settings)
        self._cursor_at: QPointF | None = None  # the brush outline's centre, in the image
        self.painting = False
        self.fitted = True
        self.split = 0.5
        self._zoom_target = 1.0
        self._pan_from: QPointF | None = None
        self._space = False
        self._update_sampling()

    # -- content ----------------------------------------------------------------------

    def has_image(self) -> bool:
        return not self.image_item.pixmap().isNull()

    def set_pixmap(self, pixmap: QPixmap) -> None:
        self.image_item.setPixmap(pixmap)
        self.setSceneRect(QRectF(pixmap.rect()))
        self._layout_compare()
        if self.fitted:
            self.fit()
        self.viewport().update()

    def set_before(self, pixmap: QPixmap | None) -> None:
        """Show ``pixmap`` left of the split (None: compare off), stretched to the image."""
        on = pixmap is not None and not pixmap.isNull()
        if on:
            self.before_item.setPixmap(pixmap)
        self.before_clip.setVisible(on)
        self.split_line.setVisible(on)
        self._layout_compare()

    def comparing(self) -> bool:
        return self.before_clip.isVisible()

    def set_split(self, fraction: float) -> None:
        self.split = min(1.0, max(0.0, fraction))
        self._layout_compare()

    def _layout_compare(self) -> None:
        size = self.image_item.pixmap().size()
        before = self.before_item.pixmap().size()
        if before.width() and before.height():
            # A parent of another size (an upscale's source) is compared at the output's.
            sx, sy = size.width() / before.width(), size.height() / before.height()
            self.before_item.setTransform(self.before_item.transform().fromScale(sx, sy))
        x = size.width() * self.split
        self.before_clip.setRect(QRectF(0, 0, x, size.height()))
        self.split_line.setLine(x, 0, x, size.height())

    # -- zoom and pan -----------------------------------------------------------------

    def zoom(self) -> float:
        """Device pixels per image pixel."""
        return self.transform().m11() * self.devicePixelRatioF()

    def set_zoom(self, zoom: float) -> None:
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        self._zoom_target = zoom
        scale = zoom / self.devicePixelRatioF()
        self.setTransform(self.transform().fromScale(scale, scale))
        self.fitted = False
        self._update_sampling()

    def zoom_by(self, factor: float) -> None:
        self.set_zoom(self.zoom() * factor)

    def actual_size(self) -> None:
        """1:1: one image pixel on one device pixel."""
        self.set_zoom(1.0)

    def fit(self) -> None:
        self.fitted = True
        if self.has_image():
            self.fitInView(self.image_item, Qt.AspectRatioMode.KeepAspectRatio)
        self._update_sampling()

    def _update_sampling(self) -> None:
        zoom = self.zoom()
        # Smooth when zoomed out; square pixels when far in. At exactly 1:1 a plain
        # copy is both crisp and exact, even on a half-pixel offset.
        nearest = zoom >= NEAREST_FROM or abs(zoom - 1.0) < 1e-6
        mode = (Qt.TransformationMode.FastTransformation if nearest
                else Qt.TransformationMode.SmoothTransformation)
        for item in (self.image_item, self.before_item):
            item.setTransformationMode(mode)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, not nearest)
        self.mask_item.preview_feather(self.transform().m11())
        self.zoomChanged.emit(zoom)

    def _mask_settings(self) -> None:
        self.mask_item.preview_feather(self.transform().m11())
        self.viewport().update()

    def event(self, event: Any) -> bool:  # Qt override
        if event.type() == QEvent.Type.DevicePixelRatioChange:
            # Moved to a screen of another scale: 1:1 stays one image pixel per device pixel.
            if self.fitted:
                self.fit()
            else:
                self.set_zoom(self._zoom_target)
        return super().event(event)

    def wheelEvent(self, event: Any) -> None:  # Qt override: the wheel zooms, as in Krita
        delta = event.angleDelta().y()
        if not delta:
            super().wheelEvent(event)
            return
        self.zoom_by(1.0015 ** delta)
        event.accept()

    def resizeEvent(self, event: Any) -> None:  # Qt override: a fitted image stays fitted
        super().resizeEvent(event)
        if self.fitted:
            self.fit()

    def keyPressEvent(self, event: Any) -> None:  # Qt override: space + drag pans
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: Any) -> None:  # Qt override
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self._pan_from = None
            self._set_tool_cursor()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: Any) -> None:  # Qt override: pan or paint
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (
                button == Qt.MouseButton.LeftButton and self._space):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        if button == Qt.MouseButton.LeftButton and self.painting:
            self.mask.begin_stroke(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: Any) -> None:  # Qt override
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            h, v = self.horizontalScrollBar(), self.verticalScrollBar()
            h.setValue(h.value() - round(delta.x()))
            v.setValue(v.value() - round(delta.y()))
            event.accept()
            return
        if self.painting:
            at = self.mapToScene(event.position().toPoint())
            self._cursor_at = at
            self.viewport().update()  # the brush outline follows the pointer
            if event.buttons() & Qt.MouseButton.LeftButton:
                self.mask.stroke_to(at)
                event.accept()
                return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: Any) -> None:  # Qt override
        if self._pan_from is not None and event.button() in (
                Qt.MouseButton.MiddleButton, Qt.MouseButton.LeftButton):
            self._pan_from = None
            self._set_tool_cursor()
            event.accept()
            return
        if self.painting and event.button() == Qt.MouseButton.LeftButton:
            self.mask.end_stroke()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def _set_tool_cursor(self) -> None:
        shape = (Qt.CursorShape.OpenHandCursor if self._space else
                 Qt.CursorShape.CrossCursor if self.painting else Qt.CursorShape.ArrowCursor)
        self.viewport().setCursor(shape)

    def set_painting(self, on: bool) -> None:
        self.painting = on
        self.mask_item.setVisible(on)
        self.setMouseTracking(on)
        self._cursor_at = None
        self._set_tool_cursor()
        self.viewport().update()

    def leaveEvent(self, event: Any) -> None:  # Qt override: no brush outline outside
        self._cursor_at = None
        self.viewport().update()
        super().leaveEvent(event)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # Qt override
        if self.painting and self._cursor_at is not None:
            r = self.mask.brush_size / 2
            for colour, width in ((QColor(0, 0, 0, 160), 3), (QColor(255, 255, 255), 1)):
                pen = QPen(colour, width)
                pen.setCosmetic(True)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(self._cursor_at, r, r)
        if not self.has_image():
            painter.save()
            painter.resetTransform()
            painter.setPen(QColor(170, 170, 176))
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter,
                             self.tr("Your images appear here"))
            painter.restore()


class _Decoded(QObject):
    ready = Signal(int, object)  # (request number, list of QImage or None per path)


def _decode(paths: list[str | None], thumb: int = 0) -> list[QImage | None]:
    out: list[QImage | None] = []
    for path in paths:
        image = QImage(path) if path else QImage()
        if image.isNull():
            out.append(None)
            continue
        if thumb:
            image = image.scaled(thumb, thumb, Qt.AspectRatioMode.KeepAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)
        out.append(image)
    return out


class Canvas(QWidget):
    """Shows the live preview while a job runs, then the result (a grid for a batch)."""

    #: emitted with (Artifact, task) for Send to img2img / inpaint / upscale / img2video
    sendTo = Signal(object, str)
    #: a one-line message for the status bar
    status = Signal(str)

    def __init__(self, library: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        #: a task id in the user's language (the window sets the packs' catalogues)
        self.task_name: Callable[[str], str] = lambda task: task
        self.artifacts: list[Any] = []
        self.current: Any = None
        self.loading: Future | None = None
        self._request_no = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-canvas")
        self._decoded = _Decoded()
        self._decoded.ready.connect(self._on_decoded)
        self._pending: dict[int, Any] = {}
        self._before: QPixmap | None = None
        self._closed = False
        self._paint_when_loaded: str | None = None

        self.mask = MaskPainter(self)
        self.view = CanvasView(self.mask)
        self.grid = QListWidget()
        self.grid.setAccessibleName(self.tr("Outputs of the job"))
        self.grid.setViewMode(QListWidget.ViewMode.IconMode)
        self.grid.setIconSize(QSize(THUMB, THUMB))
        self.grid.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.grid.setMovement(QListWidget.Movement.Static)
        self.grid.setSpacing(8)
        # Fixed cells: thumbnails arrive after the items, and must not overlap then.
        self.grid.setGridSize(QSize(THUMB + 16, THUMB + 28))
        self.grid.setUniformItemSizes(True)
        self.grid.itemClicked.connect(lambda item: self.show_one(self.grid.row(item)))
        self.grid.itemActivated.connect(lambda item: self.show_one(self.grid.row(item)))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 1000)
        self.slider.setValue(500)
        self.slider.setToolTip(self.tr("Drag to compare: the parent on the left, "
                                        "this output on the right"))
        self.slider.setAccessibleName(self.tr("Compare split"))
        self.slider.valueChanged.connect(lambda v: self.view.set_split(v / 1000))
        self.slider.setVisible(False)
        self.info = QLabel()
        self.info.setAccessibleName(self.tr("Image details"))
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self._make_actions()
        self.toolbar = self._make_toolbar()
        self.mask_bar = mask_toolbar(self.mask, self)
        self.mask_bar.setVisible(False)

        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(self.view, 1)
        page_layout.addWidget(self.slider)
        self.stack = QStackedWidget()
        self.stack.addWidget(page)
        self.stack.addWidget(self.grid)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.mask_bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.info)
        self._update_actions()

    # -- actions ----------------------------------------------------------------------

    def _action(self, text: str, slot: Any, tip: str = "", shortcut: str = "") -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip or text)
        if shortcut:
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        zoom_in_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.ZoomIn)
        self.fit_action = self._action(self.tr("Fit"), self.view.fit,
                                       self.tr("Fit the image in the view"), "Ctrl+0")
        self.actual_size_action = self._action(
            self.tr("Actual size"), self.view.actual_size,
            self.tr("One image pixel on one screen pixel"), "Ctrl+1")
        self.actual_size_action.setIconText("1:1")
        self.zoom_in_action = self._action(
            self.tr("Zoom in"), lambda: self.view.zoom_by(ZOOM_STEP), "", "Ctrl+=")
        self.zoom_in_action.setIconText("+")
        self.zoom_out_action = self._action(
            self.tr("Zoom out"), lambda: self.view.zoom_by(1 / ZOOM_STEP), "", "Ctrl+-")
        self.zoom_out_action.setIconText("\u2212")
        # Ctrl++ as the platform spells it, and Ctrl+= where + needs Shift.
        self.zoom_in_action.setShortcuts([*zoom_in_keys, QKeySequence("Ctrl+=")])
        for action in self.mask.actions():
            # Single keys (B, E) must act only while the canvas has the focus.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        self.grid_action = self._action(self.tr("Batch"), self.show_grid,
                                        self.tr("Back to all outputs of the job"))
        self.compare_action = self._action(
            self.tr("Compare"), self.set_compare,
            self.tr("Compare with the image this one was made from"))
        self.compare_action.setCheckable(True)
        self.copy_action = self._action(self.tr("Copy"), self.copy,
                                        self.tr("Copy the image to the clipboard"))
        self.save_as_action = self._action(self.tr("Save as…"), lambda: self.save_as(),
                                           self.tr("Save a copy of the file, with its metadata"))
        self.open_folder_action = self._action(self.tr("Open folder"), self.open_folder,
                                               self.tr("Show the file in its folder"))
        self.send_actions: dict[str, QAction] = {}
        for label, task in SEND_TASKS:
            self.send_actions[task] = self._action(
                self.tr(label), lambda _=False, t=task: self.send_to(t),
                self.tr("Start {task} from this image").format(task=self.tr(label)))
        self.mask_action = self._action(self.tr("Paint mask"), self.set_painting,
                                        self.tr("Paint the parts inpaint should repaint"))
        self.mask_action.setCheckable(True)
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAccessibleName(self.tr("Zoom"))
        self.view.zoomChanged.connect(lambda z: self.zoom_label.setText(f" {z * 100:.0f}% "))
        self.zoom_label.setText(f" {self.view.zoom() * 100:.0f}% ")

    def _make_toolbar(self) -> QToolBar:
        bar = QToolBar(self.tr("Canvas"), self)
        for action in (self.fit_action, self.actual_size_action, self.zoom_out_action,
                       self.zoom_in_action):
            bar.addAction(action)
        bar.addWidget(self.zoom_label)
        bar.addSeparator()
        bar.addAction(self.grid_action)
        bar.addAction(self.compare_action)
        bar.addSeparator()
        for action in (self.copy_action, self.save_as_action, self.open_folder_action):
            bar.addAction(action)
        send = QToolButton()
        send.setText(self.tr("Send to"))
        send.setAccessibleName(self.tr("Send to"))
        send.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(send)
        for action in self.send_actions.values():
            menu.addAction(action)
        send.setMenu(menu)
        self.send_button = send
        bar.addWidget(send)
        bar.addSeparator()
        bar.addAction(self.mask_action)
        for action in bar.actions():
            button = bar.widgetForAction(action)
            if button is not None and action.text():
                # What the button shows ("1:1", the zoom signs) is not a name to say.
                button.setAccessibleName(action.text())
        return bar

    def _update_actions(self) -> None:
        has_image = self.view.has_image() and self.stack.currentIndex() == 0
        on_file = self.current is not None and bool(self.current.path)
        for action in (self.fit_action, self.actual_size_action, self.zoom_in_action,
                       self.zoom_out_action, self.copy_action):
            action.setEnabled(has_image)
        for action in (self.save_as_action, self.open_folder_action, self.mask_action,
                       *self.send_actions.values()):
            action.setEnabled(on_file)
        self.send_button.setEnabled(on_file)
        self.grid_action.setEnabled(len(self.artifacts) > 1)
        self.compare_action.setEnabled(on_file and bool(self.current.parent)
                                       and self.library is not None)

    # -- showing ----------------------------------------------------------------------

    def show_pixmap(self, pixmap: QPixmap) -> None:
        """Show a picture that is not (yet) a library file, e.g. a live preview."""
        self._request_no += 1  # a preview wins over a file still being decoded
        self.current = None
        self._show_single(pixmap)

    def show_preview(self, pixmap: QPixmap) -> None:
        """A running job's preview; the mask being painted is not taken away for it."""
        if not self.mask_action.isChecked():
            self.show_pixmap(pixmap)

    def show_results(self, arts: list[Any]) -> None:
        """A finished job's images; while a mask is painted they only get a mention."""
        if self.mask_action.isChecked():
            self.status.emit(self.tr("%n new image(s) in the library", "", len(arts)))
            return
        self.show_artifacts(arts)

    def show_artifact(self, art: Any) -> None:
        self.show_artifacts([art])

    def show_artifacts(self, arts: list[Any]) -> None:
        """Show the outputs of one job: one image alone, several as a grid."""
        arts = [a for a in arts if a.kind == "image"]
        if not arts:
            return
        self.artifacts = arts
        if len(arts) == 1:
            self.show_one(0)
            return
        self._request_no += 1
        self.current = None
        self.grid.clear()
        blank = QPixmap(THUMB, THUMB)
        blank.fill(QColor(0, 0, 0, 0))  # holds the cell's size until the thumbnail comes
        for art in arts:
            item = QListWidgetItem(QIcon(blank),
                                   self.tr("seed {seed}").format(seed=art.seed)
                                   if art.seed is not None else art.id)
            item.setToolTip(art.prompt)
            self.grid.addItem(item)
        self.stack.setCurrentWidget(self.grid)
        self.info.setText(f"{len(arts)} images: click one to view it alone")
        paths = [self._thumb_path(a) for a in arts]
        self._load(paths, ("grid", arts), thumb=THUMB)
        self._update_actions()

    def show_one(self, index: int) -> None:
        """View output ``index`` of the batch alone."""
        art = self.artifacts[index]
        self.current = art
        parent = self._parent(art)
        self._load([art.path, parent.path if parent is not None else None], ("one", art))
        self.info.setText(self._describe(art, None))
        self._update_actions()

    def is_loading(self) -> bool:
        """True while a file asked for is still being decoded."""
        return bool(self._pending)

    def show_grid(self) -> None:
        if len(self.artifacts) > 1:
            self.show_artifacts(self.artifacts)

    def _thumb_path(self, art: Any) -> str:
        if self.library is not None:
            thumb = self.library.thumbnail_path(art.id)
            if Path(thumb).is_file():
                return str(thumb)
        return art.path

    def _parent(self, art: Any) -> Any:
        if not art.parent or self.library is None:
            return None
        try:
            return self.library.get(art.parent)
        except Exception:  # a parent deleted for good: there is nothing to compare with
            return None

    def _load(self, paths: list[str | None], what: Any, thumb: int = 0) -> None:
        if self._closed:
            return  # a job's result arriving while the window closes
        self._request_no += 1
        number = self._request_no
        self._pending = {number: what}
        self.loading = self._pool.submit(
            lambda: self._decoded.ready.emit(number, _decode(paths, thumb)))

    def _on_decoded(self, number: int, images: list[QImage | None]) -> None:
        what = self._pending.pop(number, None)
        if what is None or number != self._request_no:
            return  # the user moved on meanwhile
        kind, target = what
        if kind == "grid":
            for row, image in enumerate(images):
                item = self.grid.item(row)
                if item is not None and image is not None:
                    item.setIcon(QIcon(QPixmap.fromImage(image)))
            return
        image, before = images
        if image is None:
            # Not the previous picture under this one's name: Save as would copy another.
            self.current = None
            self._show_single(QPixmap())
            self.status.emit(self.tr("{path} cannot be read as an image").format(path=target.path))
            return
        self._show_single(QPixmap.fromImage(image), keep_current=True)
        self._before = QPixmap.fromImage(before) if before is not None else None
        self.info.setText(self._describe(target, image.size()))
        if self.compare_action.isChecked():
            self.set_compare(True)
        owned = self.mask.owner is not None and self.mask.owner.id == target.id
        wanted = self._paint_when_loaded == target.id
        self._paint_when_loaded = None
        self.set_painting(self.mask_action.isChecked() and (owned or wanted))

    def _show_single(self, pixmap: QPixmap, keep_current: bool = False) -> None:
        if not keep_current:
            self._before = None
            self.compare_action.setChecked(False)
            self.set_compare(False)
            self.mask_action.setChecked(False)
            self.set_painting(False)
            self.info.clear()
        self.stack.setCurrentIndex(0)
        self.view.set_pixmap(pixmap)
        self._update_actions()

    def _describe(self, art: Any, size: QSize | None) -> str:
        parts = []
        if art.prompt:
            parts.append(art.prompt)
        seed = QCoreApplication.translate("Canvas", "seed {seed}")
        facts = [seed.format(seed=art.seed) if art.seed is not None else "",
                 art.model or art.generator, self.task_name(art.task) if art.task else "",
                 f"{size.width()}\u00d7{size.height()}" if size is not None else ""]
        parts.append(" \u00b7 ".join(f for f in facts if f))
        return "\n".join(p for p in parts if p)

    # -- compare, mask ----------------------------------------------------------------

    def set_compare(self, on: bool) -> None:
        """Split the view between this output (right) and its parent (left)."""
        on = bool(on) and self._before is not None
        self.view.set_before(self._before if on else None)
        self.slider.setVisible(on)
        self.compare_action.setChecked(on)

    def set_painting(self, on: bool) -> None:
        """Turn mask painting on the current output on or off (a new mask when it is new)."""
        on = bool(on) and self.current is not None and self.view.has_image()
        if on and (self.mask.owner is None or self.mask.owner.id != self.current.id
                   or self.mask.size() != self.view.image_item.pixmap().size()):
            self.mask.reset(self.view.image_item.pixmap().size(), owner=self.current)
        self.view.set_painting(on)
        self.mask_bar.setVisible(on)
        if self.mask_action.isChecked() != on:
            self.mask_action.setChecked(on)

    def follow_task(self, needs_mask: bool) -> None:
        """The panel's task changed: one that takes a mask gets the brush on the shown image."""
        if needs_mask and self.current is not None and self.mask_action.isEnabled() \
                and not self.view.painting:
            self.paint_mask_on(self.current)

    def paint_mask_on(self, art: Any) -> None:
        """Show ``art`` and start painting its inpaint mask (once it is decoded)."""
        self.mask_action.setChecked(True)
        if self.current is None or self.current.id != art.id or self._pending:
            self._paint_when_loaded = art.id
            if self.current is None or self.current.id != art.id:
                self.show_artifact(art)
            return
        self.set_painting(True)

    def mask_inputs(self, image: str | None) -> dict[str, str]:
        """The "image" and "mask" inputs for a painted mask, or {} when none applies.

        ``image`` is the image input the user gave (None: the painted image is used);
        a mask painted on another image is not sent with it.
        """
        owner = self.mask.owner
        if owner is None or self.mask.is_empty():
            return {}
        if image and image not in (f"artifact:{owner.id}", owner.path):
            return {}
        folder = self._data_root() / "cache" / "masks"
        try:
            path = self.mask.save(folder)
        except OSError as exc:
            self.status.emit(self.tr("The painted mask could not be saved in {folder}: {error}")
                             .format(folder=folder, error=exc.strerror or exc))
            return {}
        return {"image": image or f"artifact:{owner.id}", "mask": str(path)}

    def _data_root(self) -> Path:
        root = getattr(self.library, "root", None)
        if root is not None:
            return Path(root)
        from studio.app.paths import data_dir

        return data_dir()

    # -- file actions -----------------------------------------------------------------

    def copy(self) -> None:
        if self.view.has_image():
            QGuiApplication.clipboard().setImage(self.view.image_item.pixmap().toImage())
            self.status.emit(self.tr("Image copied"))

    def save_as(self, target: str | None = None) -> Path | None:
        """Copy the file (its metadata with it) to ``target``, asking where when None."""
        if self.current is None:
            return None
        source = Path(self.current.path)
        if target is None:
            target, _ = QFileDialog.getSaveFileName(
                self, self.tr("Save as"), str(Path.home() / source.name),
                self.tr("Image (*{suffix})").format(suffix=source.suffix))
            if not target:
                return None
        path = Path(target)
        if path.suffix.lower() != source.suffix.lower():
            # The bytes are copied, not re-encoded: the name must say what they are.
            path = path.with_name(path.name + source.suffix)
        from studio.app.exports import write_export

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_export(path, source.read_bytes())
        except OSError as exc:
            self.status.emit(self.tr("Could not save {path}: {error}")
                             .format(path=path, error=exc.strerror or exc))
            return None
        self.status.emit(self.tr("Saved {path}").format(path=path))
        return path

    def open_folder(self) -> None:
        if self.current is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.current.path).parent)))

    def send_to(self, task: str) -> None:
        if self.current is not None:
            self.sendTo.emit(self.current, task)

    def shutdown(self) -> None:
        self._closed = True
        self._pending.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
