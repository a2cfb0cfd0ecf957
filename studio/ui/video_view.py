"""The video workspace: a result or a library clip played frame by frame.

The clip is decoded once with PyAV (``studio.api.video``) on a worker thread; the
UI thread only turns the frame on screen into an image. Playing follows the
clip's own frame rate by the clock, so a slow paint skips frames instead of
slowing the clip down. A frame is exported through ``studio.app.frame_export``,
so the PNG carries the clip's settings (issue #13).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QElapsedTimer,
    QObject,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from studio.api import StudioError
from studio.ui.bridge import pil_to_pixmap

#: Used when a file does not say its frame rate.
DEFAULT_FPS = Fraction(24)
#: Decoded frames kept in memory at most (a minute of 1080p is 9 GB).
MAX_CLIP_BYTES = 2 << 30


def timecode(seconds: float) -> str:
    """``m:ss.ss``: a frame of a 24 fps clip is 0.04 s."""
    seconds = max(0.0, seconds)
    minutes, rest = divmod(seconds, 60.0)
    return f"{int(minutes)}:{rest:05.2f}"


@dataclass(frozen=True)
class _Decoded:
    token: int
    path: str
    frames: Any = None  # (T, H, W, 3) uint8
    fps: Fraction = DEFAULT_FPS
    error: str = ""


class _Signals(QObject):
    decoded = Signal(object)  # _Decoded
    said = Signal(str)


def _decode(token: int, path: str) -> _Decoded:
    name = Path(path).name
    try:
        frames, fps = read_frames(Path(path))
    except OSError as exc:
        error = QCoreApplication.translate("VideoView", "{name} cannot be read ({error})")
        return _Decoded(token, path, error=error.format(name=name, error=exc.strerror or exc))
    except Exception as exc:  # PyAV's errors for a damaged or foreign file, an empty clip
        error = QCoreApplication.translate("VideoView", "{name} cannot be played ({error})")
        return _Decoded(token, path, error=error.format(name=name, error=exc))
    return _Decoded(token, path, frames, fps if fps > 0 else DEFAULT_FPS)


def read_frames(path: Path) -> tuple[list[Any], Fraction]:
    """Every frame of an MP4/WebM as ``(H, W, 3)`` uint8 arrays, and the exact rate.

    A list, not one stacked array as ``studio.api.video.read_video`` returns:
    stacking copies the whole clip in one call that holds the GIL, which stalled
    the UI thread for 100-200 ms on a 5 s clip at 1024x576.
    """
    if path.suffix.lower() in (".gif", ".webp"):
        return _read_animation(path)
    import av

    frames: list[Any] = []
    size = 0
    with av.open(str(path)) as container:
        if not container.streams.video:
            raise ValueError(QCoreApplication.translate(
                "VideoView", "the file holds no video stream"))
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = Fraction(stream.average_rate) if stream.average_rate else Fraction(0)
        for frame in container.decode(stream):
            frames.append(frame.to_ndarray(format="rgb24"))
            size += frames[-1].nbytes
            if size > MAX_CLIP_BYTES:
                raise ValueError(_too_long(len(frames), frame.width, frame.height))
    if not frames:
        raise ValueError(QCoreApplication.translate("VideoView", "the clip has no frames"))
    return frames, rate


def _too_long(frames: int, width: int, height: int) -> str:
    return QCoreApplication.translate(
        "VideoView", "it is too long to play here (over {frames} frames of {width}x{height}); "
        "Save as still works").format(frames=frames, width=width, height=height)


def _read_animation(path: Path) -> tuple[list[Any], Fraction]:
    """An animated GIF or WebP through PIL (FFmpeg cannot decode animated WebP)."""
    import numpy as np
    from PIL import Image, ImageSequence

    frames: list[Any] = []
    duration = 0
    with Image.open(path) as image:
        for frame in ImageSequence.Iterator(image):
            frames.append(np.asarray(frame.convert("RGB")))
            duration = duration or frame.info.get("duration") or 0  # known once decoded
            if len(frames) * frames[0].nbytes > MAX_CLIP_BYTES:
                raise ValueError(_too_long(len(frames), image.width, image.height))
    # Both formats store whole milliseconds per frame; the first frame's stands for all.
    return frames, Fraction(1000, max(1, round(duration or 100)))


def save_copy(source: Path, out: Path) -> Path:
    """Copy the clip to ``out`` (same format: its tags and settings stay)."""
    from studio.api import RequestError
    from studio.app.exports import write_export

    if out.suffix.lower() != source.suffix.lower():
        raise RequestError(f"{out.name}: this clip is saved as {source.suffix} "
                           "(the same format, so its settings stay)")
    if not out.parent.is_dir():
        raise RequestError(f"the folder {out.parent} does not exist")
    try:
        write_export(out, source.read_bytes())
    except OSError as exc:
        raise RequestError(f"{out} cannot be written ({exc.strerror or exc})") from None
    return out


class FrameView(QWidget):
    """One frame, as large as fits, its aspect kept, sharp at any device pixel ratio."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.placeholder = self.tr("Videos you make or open from the library appear here")
        self.setMinimumSize(240, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a click on it, then arrow keys

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(640, 400)

    def set_image(self, image: QImage | None) -> None:
        self.image = image
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        rect = QRectF(self.rect())
        painter.fillRect(rect, QColor(16, 16, 18))
        if self.image is None or self.image.isNull():
            painter.setPen(QColor(200, 200, 210))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.placeholder)
            return
        size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRectF(0, 0, size.width(), size.height())
        target.moveCenter(rect.center())
        painter.drawImage(target, self.image)


class VideoView(QWidget):
    """Plays one clip: scrubber, play/pause at its frame rate, frame steps, export."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-video")
        self._signals = _Signals()
        self._signals.decoded.connect(self._decoded)
        self._signals.said.connect(self._say)
        self._closed = False
        self._token = 0
        self.path: Path | None = None
        self.frames: Any = None
        self.fps: Fraction = DEFAULT_FPS
        self.index = 0
        self._job_id = ""
        self._clock = QElapsedTimer()
        self._start_index = 0

        self.title = QLabel(self.tr("No video yet"))
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.screen_view = FrameView()
        self.scrubber = QSlider(Qt.Orientation.Horizontal)
        self.scrubber.setAccessibleName(self.tr("Frame"))
        self.scrubber.valueChanged.connect(self._scrubbed)
        style = self.style()
        pixmaps = QStyle.StandardPixmap
        self.back_button = QPushButton(self.tr("◂ Frame"))
        self.back_button.setToolTip(self.tr("One frame back (Left)"))
        self.back_button.setAccessibleName(self.tr("One frame back"))
        self.back_button.clicked.connect(lambda: self.step(-1))
        self.play_button = QPushButton(style.standardIcon(pixmaps.SP_MediaPlay), self.tr("Play"))
        self.play_button.clicked.connect(self.play_pause)
        self.forward_button = QPushButton(self.tr("Frame ▸"))
        self.forward_button.setToolTip(self.tr("One frame forward (Right)"))
        self.forward_button.setAccessibleName(self.tr("One frame forward"))
        self.forward_button.clicked.connect(lambda: self.step(1))
        self.position = QLabel()
        self.export_button = QPushButton(self.tr("Export frame as PNG…"))
        self.export_button.setToolTip(self.tr("The PNG carries the clip's prompt and settings"))
        self.export_button.clicked.connect(self.export_frame)
        self.save_button = QPushButton(style.standardIcon(pixmaps.SP_DialogSaveButton),
                                       self.tr("Save as…"))
        self.save_button.clicked.connect(self.save_as)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)

        controls = QHBoxLayout()
        for widget in (self.back_button, self.play_button, self.forward_button):
            controls.addWidget(widget)
        controls.addSpacing(12)
        controls.addWidget(self.position)
        controls.addStretch(1)
        controls.addWidget(self.export_button)
        controls.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.screen_view, 1)
        layout.addWidget(self.scrubber)
        layout.addLayout(controls)
        layout.addWidget(self.message)

        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self._sync_controls()

    @property
    def frame_count(self) -> int:
        return 0 if self.frames is None else len(self.frames)

    # -- opening ------------------------------------------------------------------

    def open_file(self, path: str | Path, title: str = "") -> Future | None:
        """Show the MP4/WebM at ``path``; it is decoded off the UI thread."""
        if self._closed:
            return None
        self._token += 1
        self.pause()
        self.path = Path(path)
        self.frames, self.index = None, 0
        self.title.setText(title or self.path.name)
        self.message.setText(self.tr("Loading…"))
        self._sync_controls()
        token = self._token

        def work() -> None:
            self._signals.decoded.emit(_decode(token, str(path)))

        return self._pool.submit(work)

    def _decoded(self, result: _Decoded) -> None:
        if result.token != self._token or self._closed:
            return
        if result.error:
            self.message.setText(result.error)
            return
        self.frames, self.fps = result.frames, result.fps
        self.message.setText("")
        self.scrubber.blockSignals(True)
        self.scrubber.setRange(0, self.frame_count - 1)
        self.scrubber.blockSignals(False)
        self.show_frame(0)
        self._sync_controls()

    # -- frames -------------------------------------------------------------------

    def show_frame(self, index: int) -> None:
        if self.frames is None:
            return
        self.index = min(max(0, index), self.frame_count - 1)
        pixels = self.frames[self.index]
        height, width = pixels.shape[:2]
        self.screen_view.set_image(QImage(pixels.data, width, height, width * 3,
                                          QImage.Format.Format_RGB888).copy())
        if self.scrubber.value() != self.index:
            self.scrubber.blockSignals(True)
            self.scrubber.setValue(self.index)
            self.scrubber.blockSignals(False)
        rate = float(self.fps)
        self.position.setText(
            self.tr("Frame {index} of {count}  ·  {time} / {length}").format(
                index=self.index + 1, count=self.frame_count,
                time=timecode(self.index / rate), length=timecode(self.frame_count / rate)))

    def step(self, frames: int) -> None:
        """Pause and move ``frames`` frames (negative: back)."""
        self.pause()
        self.show_frame(self.index + frames)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt override: keys of a player
        actions = {Qt.Key.Key_Left: lambda: self.step(-1), Qt.Key.Key_Right: lambda: self.step(1),
                   Qt.Key.Key_Space: self.play_pause}
        action = actions.get(Qt.Key(event.key()))
        if action is None or self.frames is None:
            super().keyPressEvent(event)
            return
        action()
        event.accept()

    def _scrubbed(self, value: int) -> None:
        if self.timer.isActive():
            self._clock.restart()
            self._start_index = value
        self.show_frame(value)

    # -- playing ------------------------------------------------------------------

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def play_pause(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if self.frames is None:
            return
        if self.index >= self.frame_count - 1:
            self.show_frame(0)  # from the start when the clip had ended
        self._start_index = self.index
        self._clock.start()
        self.timer.setInterval(max(1, round(1000 / float(self.fps))))
        self.timer.start()
        self._sync_controls()

    def pause(self) -> None:
        self.timer.stop()
        self._sync_controls()

    def _tick(self) -> None:
        index = self._start_index + int(self._clock.elapsed() * self.fps / 1000)
        if index >= self.frame_count - 1:
            self.show_frame(self.frame_count - 1)
            self.pause()
            return
        if index != self.index:
            self.show_frame(index)

    def _sync_controls(self) -> None:
        loaded = self.frames is not None
        pixmaps = QStyle.StandardPixmap
        icon = pixmaps.SP_MediaPause if self.playing else pixmaps.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))
        self.play_button.setText(self.tr("Pause") if self.playing else self.tr("Play"))
        for widget in (self.back_button, self.play_button, self.forward_button, self.scrubber,
                       self.export_button):
            widget.setEnabled(loaded)
        self.save_button.setEnabled(self.path is not None)
        if not loaded:
            self.position.setText("")

    # -- a running job -------------------------------------------------------------

    def on_event(self, event: Any) -> None:
        """Follow a video job: its previews and steps, then the finished clip."""
        if self._closed:
            return
        if event.kind == "progress":
            self._job_id = event.job_id
            if event.preview is not None and hasattr(event.preview, "convert"):
                self.pause()
                self._token += 1  # a clip still loading would replace the preview
                self.path, self.frames = None, None
                self.title.setText(self.tr("Preview of the running job"))
                self.screen_view.set_image(pil_to_pixmap(event.preview).toImage())
                self._sync_controls()
            steps = (self.tr("step {step}/{total}").format(step=event.step, total=event.total)
                     if event.total else self.tr("starting"))
            self.message.setText(self.tr("Making video: {steps}").format(steps=steps))
        elif event.kind == "done":
            clips = [a for a in event.artifacts if getattr(a, "kind", "") == "video"]
            self._job_id = ""
            if clips:
                self.open_file(clips[0].path, getattr(clips[0], "prompt", "") or "")
        elif event.kind in ("failed", "cancelled", "interrupted") and event.job_id == self._job_id:
            self._job_id = ""
            ended = {"failed": self.tr("The video job failed"),
                     "cancelled": self.tr("The video job cancelled"),
                     "interrupted": self.tr("The video job interrupted")}[event.kind]
            self.message.setText(f"{ended}: {event.error}" if event.error else ended)

    # -- export -------------------------------------------------------------------

    def export_frame(self) -> None:
        if self.path is None or self.frames is None:
            return
        index = self.index
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export frame as PNG"),
            str(Path.home() / f"{self.path.stem}-frame{index}.png"), self.tr("PNG image (*.png)"))
        if name:
            out = Path(name)
            self.export_frame_to(out if out.suffix else out.with_suffix(".png"), index)

    def export_frame_to(self, out: str | Path, index: int | None = None) -> Future | None:
        """Write frame ``index`` (default: the one shown) as a PNG with the clip's settings."""
        if self.path is None or self._closed:
            return None
        source, out = self.path, Path(out)
        index = self.index if index is None else index
        self.message.setText(self.tr("Exporting frame {index}…").format(index=index + 1))

        def work() -> None:
            from studio.app.frame_export import export_frame

            try:
                written = export_frame(source, index, out)
                self._signals.said.emit(self.tr("Saved frame {index} to {path}")
                                        .format(index=index + 1, path=written))
            except StudioError as exc:
                self._signals.said.emit(str(exc))
            except Exception as exc:  # reported in the view, never raised into Qt
                self._signals.said.emit(self.tr("The frame cannot be exported ({error})")
                                        .format(error=exc))

        return self._pool.submit(work)

    def save_as(self) -> None:
        if self.path is None:
            return
        suffix = self.path.suffix.lower()
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save video as"), str(Path.home() / self.path.name),
            self.tr("{format} video (*{suffix})").format(format=suffix.lstrip(".").upper(),
                                                         suffix=suffix))
        if name:
            out = Path(name)
            self.save_to(out if out.suffix else out.with_suffix(suffix))

    def save_to(self, out: str | Path) -> Future | None:
        """Copy the clip to ``out`` off the UI thread; the result is said below."""
        if self.path is None or self._closed:
            return None
        source, out = self.path, Path(out)
        self.message.setText(self.tr("Saving {name}…").format(name=out.name))

        def work() -> None:
            try:
                self._signals.said.emit(self.tr("Saved {path}").format(path=save_copy(source, out)))
            except StudioError as exc:
                self._signals.said.emit(str(exc))
            except Exception as exc:  # reported in the view, never raised into Qt
                self._signals.said.emit(self.tr("{name} cannot be saved ({error})")
                                        .format(name=out.name, error=exc))

        return self._pool.submit(work)

    def _say(self, text: str) -> None:
        if not self._closed:
            self.message.setText(text)

    def shutdown(self) -> None:
        """Stop playing and the worker (the window is closing)."""
        self._closed = True
        self.timer.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)


__all__ = ["FrameView", "VideoView", "save_copy", "timecode"]
