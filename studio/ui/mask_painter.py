"""The inpaint mask: painted over the image on the canvas, sent with the request.

The mask is a grayscale image of the input image's size: white is repainted, black
kept (the convention diffusers' inpaint pipelines read). Strokes, clear and invert
are commands on a QUndoStack, so the window's undo can take them over.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QImage,
    QPainter,
    QPen,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QGraphicsBlurEffect,
    QGraphicsItem,
    QLabel,
    QSpinBox,
    QStyleOptionGraphicsItem,
    QToolBar,
    QWidget,
)

from studio.app.settings import write_atomic

#: The overlay's tint over the parts that will be repainted.
TINT = QColor(255, 40, 80, 150)
UNDO_LIMIT = 50


class _MaskEdit(QUndoCommand):
    """One change of the mask, kept as the region it touched, before and after.

    Only the region: fifty strokes on a 4096x4096 mask would otherwise hold 1.6 GB.
    """

    def __init__(self, painter: MaskPainter, text: str, rect: QRect, before: QImage,
                 after: QImage) -> None:
        super().__init__(text)
        self._painter, self._rect = painter, rect
        self._before, self._after = before, after

    def redo(self) -> None:
        self._painter._put(self._rect, self._after)

    def undo(self) -> None:
        self._painter._put(self._rect, self._before)


class MaskPainter(QObject):
    """The mask of one image, its brush settings and its undo stack."""

    #: emitted with the QRect of the mask that changed (a stroke segment, undo, clear...);
    #: a null QRect when the whole mask is new
    changed = Signal(QRect)
    #: emitted when the brush size or the feather changes
    settingsChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self.mask: QImage | None = None
        #: what the mask belongs to (the canvas puts the artifact here)
        self.owner: Any = None
        self._brush_size = 48
        self._feather = 0
        self._stroke_before: QImage | None = None
        self._stroke_rect = QRect()
        self._last: QPointF | None = None

        self.brush_action = QAction(self.tr("Brush"), self, checkable=True, checked=True)
        self.brush_action.setToolTip(self.tr("Paint the parts to repaint (B)"))
        self.brush_action.setShortcut("B")
        self.eraser_action = QAction(self.tr("Eraser"), self, checkable=True)
        self.eraser_action.setToolTip(self.tr("Erase from the mask (E)"))
        self.eraser_action.setShortcut("E")
        tools = QActionGroup(self)
        tools.addAction(self.brush_action)
        tools.addAction(self.eraser_action)
        self.clear_action = QAction(self.tr("Clear"), self)
        self.clear_action.setToolTip(self.tr("Clear the mask"))
        self.clear_action.triggered.connect(self.clear)
        self.invert_action = QAction(self.tr("Invert"), self)
        self.invert_action.setToolTip(self.tr("Repaint everything but the painted parts"))
        self.invert_action.triggered.connect(self.invert)
        self.undo_action = self.undo_stack.createUndoAction(self, self.tr("Undo"))
        self.redo_action = self.undo_stack.createRedoAction(self, self.tr("Redo"))

    @property
    def brush_size(self) -> int:
        """The brush's diameter in image pixels."""
        return self._brush_size

    @brush_size.setter
    def brush_size(self, value: int) -> None:
        self._brush_size = max(1, int(value))
        self.settingsChanged.emit()

    @property
    def feather(self) -> int:
        """How far (Gaussian radius, image pixels) the edge of the mask sent is blurred."""
        return self._feather

    @feather.setter
    def feather(self, value: int) -> None:
        self._feather = max(0, int(value))
        self.settingsChanged.emit()

    @property
    def erasing(self) -> bool:
        return self.eraser_action.isChecked()

    def actions(self) -> list[QAction]:
        return [self.brush_action, self.eraser_action, self.clear_action, self.invert_action,
                self.undo_action, self.redo_action]

    # -- the mask ---------------------------------------------------------------------

    def reset(self, size: QSize, owner: Any = None) -> None:
        """Start a blank mask of ``size`` for ``owner``; the old strokes cannot be undone."""
        mask = QImage(size, QImage.Format.Format_Grayscale8)
        mask.fill(0)
        self.owner = owner
        self.undo_stack.clear()
        self.mask = mask
        self.changed.emit(QRect())

    def _put(self, rect: QRect, region: QImage) -> None:
        assert self.mask is not None
        p = QPainter(self.mask)
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        p.drawImage(rect.topLeft(), region)
        p.end()
        self.changed.emit(rect)

    def is_empty(self) -> bool:
        """True when nothing would be repainted."""
        return self.mask is None or self._pil().getbbox() is None

    def size(self) -> QSize:
        return self.mask.size() if self.mask is not None else QSize()

    # -- painting ---------------------------------------------------------------------

    def begin_stroke(self, point: QPointF) -> None:
        if self.mask is None:
            return
        self._stroke_before = self.mask.copy()
        self._stroke_rect = QRect()
        self._last = QPointF(point)
        self._segment(point, point)

    def stroke_to(self, point: QPointF) -> None:
        if self._last is None:
            return
        self._segment(self._last, point)
        self._last = QPointF(point)

    def end_stroke(self) -> None:
        if self._stroke_before is None or self.mask is None:
            return
        before, self._stroke_before, self._last = self._stroke_before, None, None
        rect = self._stroke_rect.intersected(self.mask.rect())
        if rect.isEmpty():
            return  # a stroke wholly outside the image changes nothing
        name = self.tr("Erase") if self.erasing else self.tr("Brush stroke")
        self.undo_stack.push(_MaskEdit(self, name, rect, before.copy(rect), self.mask.copy(rect)))

    def stroke(self, points: Iterable[QPointF | tuple[float, float]]) -> None:
        """Paint one undoable stroke through ``points`` (image pixels) with the current tool."""
        pts = [p if isinstance(p, QPointF) else QPointF(*p) for p in points]
        if not pts:
            return
        self.begin_stroke(pts[0])
        for p in pts[1:]:
            self.stroke_to(p)
        self.end_stroke()

    def _segment(self, a: QPointF, b: QPointF) -> None:
        assert self.mask is not None
        value = 0 if self.erasing else 255
        pen = QPen(QColor(value, value, value), self.brush_size, Qt.PenStyle.SolidLine,
                   Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        p = QPainter(self.mask)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(pen)
        p.drawLine(a, b)
        p.end()
        reach = self.brush_size / 2 + 2  # the round cap and the antialiased edge
        rect = QRectF(a, b).normalized().adjusted(-reach, -reach, reach, reach).toAlignedRect()
        self._stroke_rect = self._stroke_rect.united(rect)
        self.changed.emit(rect.intersected(self.mask.rect()))

    def clear(self) -> None:
        self._replace(self.tr("Clear mask"), lambda m: m.fill(0))

    def invert(self) -> None:
        self._replace(self.tr("Invert mask"), lambda m: m.invertPixels())

    def _replace(self, name: str, change: Any) -> None:
        if self.mask is None:
            return
        after = self.mask.copy()
        change(after)
        self.undo_stack.push(_MaskEdit(self, name, self.mask.rect(), self.mask.copy(), after))

    # -- what is sent -----------------------------------------------------------------

    def image(self) -> Any:
        """The mask as sent: a PIL "L" image, its edge blurred by ``feather`` pixels."""
        from PIL import ImageFilter

        out = self._pil()
        if self.feather > 0:
            out = out.filter(ImageFilter.GaussianBlur(self.feather))
        return out

    def _pil(self) -> Any:
        from PIL import Image

        assert self.mask is not None
        w, h = self.mask.width(), self.mask.height()
        raw = bytes(self.mask.constBits())
        return Image.frombuffer("L", (w, h), raw, "raw", "L", self.mask.bytesPerLine(), 1).copy()

    def save(self, folder: Path) -> Path:
        """Write the mask as a PNG in ``folder`` (named by its content) and return its path."""
        buf = io.BytesIO()
        self.image().save(buf, format="PNG")
        data = buf.getvalue()
        path = Path(folder) / f"mask-{hashlib.sha256(data).hexdigest()[:16]}.png"
        if not path.exists():
            write_atomic(path, data)
        return path

    def overlay(self, rect: QRect | None = None) -> QImage:
        """The tint shown over the image where the mask is painted (in ``rect``, or all)."""
        assert self.mask is not None
        part = self.mask if rect is None else self.mask.copy(rect)
        tint = QImage(part.size(), QImage.Format.Format_ARGB32_Premultiplied)
        tint.fill(QColor(TINT.red(), TINT.green(), TINT.blue()))
        tint.setAlphaChannel(part)
        return tint


class MaskItem(QGraphicsItem):
    """Draws the painter's mask, tinted, over the image in the canvas scene."""

    def __init__(self, painter: MaskPainter) -> None:
        super().__init__()
        self._painter = painter
        self.overlay_image: QImage | None = None
        painter.changed.connect(self._refresh)
        # The feather previewed by Qt's blur while painting; the mask sent is blurred
        # exactly (PIL's Gaussian) when the request is built.
        self.blur = QGraphicsBlurEffect()
        self.blur.setBlurHints(QGraphicsBlurEffect.BlurHint.PerformanceHint)
        self.blur.setEnabled(False)
        self.setGraphicsEffect(self.blur)

    def preview_feather(self, view_scale: float) -> None:
        """Blur the overlay as the feather will (``view_scale``: view pixels per image pixel)."""
        # 1.5: Qt's radius against PIL's sigma, matched on a stroke's profile by eye and
        # by value (within about 20 levels of 255 at the edge).
        radius = self._painter.feather * view_scale * 1.5
        self.blur.setEnabled(radius > 0)
        self.blur.setBlurRadius(radius)

    def _refresh(self, rect: QRect) -> None:
        mask = self._painter.mask
        if mask is None or self.overlay_image is None or rect.isNull() \
                or self.overlay_image.size() != mask.size():
            self.prepareGeometryChange()
            self.overlay_image = self._painter.overlay() if mask is not None else None
            self.update()
            return
        if rect.isEmpty():
            return
        # Only the part a stroke touched: a whole 4096x4096 overlay per mouse move would
        # be 64 MB of work each time.
        p = QPainter(self.overlay_image)
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        p.drawImage(rect.topLeft(), self._painter.overlay(rect))
        p.end()
        self.update(QRectF(rect))

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self._painter.size().width(), self._painter.size().height())

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if self.overlay_image is not None:
            # The tint's opacity here, not on the item: with the blur effect on, an
            # item's opacity would be applied twice.
            painter.setOpacity(painter.opacity() * TINT.alphaF())
            painter.drawImage(0, 0, self.overlay_image)


def mask_toolbar(mask: MaskPainter, parent: QWidget | None = None) -> QToolBar:
    """Brush, eraser, size, feather, clear, invert, undo and redo in one row."""
    bar = QToolBar(QCoreApplication.translate("MaskPainter", "Mask"), parent)
    bar.addWidget(QLabel(QCoreApplication.translate("MaskPainter", " Mask: ")))
    bar.addAction(mask.brush_action)
    bar.addAction(mask.eraser_action)
    size = QSpinBox()
    size.setRange(1, 1024)
    size.setSuffix(QCoreApplication.translate("MaskPainter", " px"))
    size.setToolTip(QCoreApplication.translate("MaskPainter", "Brush size in image pixels"))
    size.setAccessibleName(QCoreApplication.translate("MaskPainter", "Brush size"))
    size.setObjectName("mask_size")
    size.valueChanged.connect(lambda v: setattr(mask, "brush_size", v))
    feather = QSpinBox()
    feather.setRange(0, 256)
    feather.setSuffix(QCoreApplication.translate("MaskPainter", " px"))
    feather.setToolTip(QCoreApplication.translate(
        "MaskPainter", "Feather: how far the mask's edge is blurred in the mask sent"))
    feather.setAccessibleName(QCoreApplication.translate("MaskPainter", "Feather"))
    feather.setObjectName("mask_feather")
    feather.valueChanged.connect(lambda v: setattr(mask, "feather", v))

    def show_settings() -> None:  # the painter may be changed from elsewhere (shortcuts)
        for spin, value in ((size, mask.brush_size), (feather, mask.feather)):
            if spin.value() != value:
                spin.setValue(value)

    show_settings()
    mask.settingsChanged.connect(show_settings)
    bar.addWidget(QLabel(QCoreApplication.translate("MaskPainter", " Size ")))
    bar.addWidget(size)
    bar.addWidget(QLabel(QCoreApplication.translate("MaskPainter", " Feather ")))
    bar.addWidget(feather)
    bar.addSeparator()
    for action in (mask.clear_action, mask.invert_action, mask.undo_action, mask.redo_action):
        bar.addAction(action)
    return bar
