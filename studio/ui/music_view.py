"""The music workspace: a result or a library clip with its waveform, played and exported.

Decoding a file and drawing its waveform run on a worker thread; the UI thread
only swaps the finished picture in. Sound goes through ``studio.app.playback``'s
``Player``, whose callback never touches Qt: a timer reads ``Player.position``.
While a music job runs, the audio it has made so far (its progress previews) is
drawn and can be played before the job ends (issue #13).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
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
from studio.app.playback import NO_DEVICE, NO_PORTAUDIO, PlaybackUnavailable, Player

#: Pixels of the drawn waveform: wide enough to stay sharp on a 2x screen.
WAVE_SIZE = (2048, 256)
#: How often the position label and the playhead follow the player (milliseconds).
TICK_MS = 40
SLIDER_STEPS = 1000
AUDIO_SUFFIXES = (".flac", ".wav")


def clock(seconds: float) -> str:
    """``m:ss.s``: tenths matter for the short clips generators make."""
    seconds = max(0.0, seconds)
    minutes, rest = divmod(seconds, 60.0)
    return f"{int(minutes)}:{rest:04.1f}"


@dataclass(frozen=True)
class _Decoded:
    token: int
    path: str
    samples: Any = None
    rate: int = 0
    wave: Any = None  # (H, W, 3) uint8
    error: str = ""
    ready: bool = False  # the player holds it
    unplayable: str = ""  # why the player cannot play anything here
    position: float = 0.0  # where a preview that grew was playing


class _Signals(QObject):
    decoded = Signal(object)  # _Decoded: a file
    drawn = Signal(object)  # _Decoded: a running job's preview
    said = Signal(str)  # a line for the message area (export done or failed)


def _decode(token: int, path: str) -> _Decoded:
    import soundfile

    from studio.api.audio import waveform_image

    try:
        samples, rate = soundfile.read(path, dtype="float32", always_2d=True)
    except (OSError, RuntimeError) as exc:  # soundfile's LibsndfileError is a RuntimeError
        error = QCoreApplication.translate("MusicView", "{name} cannot be played ({error})")
        return _Decoded(token, path, error=error.format(name=Path(path).name, error=exc))
    if len(samples) == 0:
        error = QCoreApplication.translate("MusicView", "{name} holds no sound")
        return _Decoded(token, path, error=error.format(name=Path(path).name))
    return _Decoded(token, path, samples, int(rate), _wave(samples, int(rate), waveform_image))


def _wave(samples: Any, rate: int, draw: Any) -> Any:
    return np.ascontiguousarray(np.asarray(draw(samples, rate, *WAVE_SIZE)))


def export_audio(source: Path, out: Path) -> Path:
    """Write the clip at ``source`` to ``out`` (.flac or .wav), keeping its tags.

    The same format is a byte copy; the other one is re-encoded with the studio
    metadata the source carries, so ``--from-file`` still reads it.
    """
    from studio.api import Output, RequestError
    from studio.app import writers
    from studio.app.exports import write_export

    fmt = out.suffix.lower()
    if fmt not in AUDIO_SUFFIXES:
        raise RequestError(f"{out.name}: music is saved as .flac or .wav")
    if not out.parent.is_dir():
        raise RequestError(f"the folder {out.parent} does not exist")
    try:
        if fmt == source.suffix.lower():
            data = source.read_bytes()
        else:
            data = _reencode(source, fmt.lstrip("."), Output, writers)
        write_export(out, data)
    except OSError as exc:
        raise RequestError(f"{out} cannot be written ({exc.strerror or exc})") from None
    return out


def _reencode(source: Path, fmt: str, output_type: Any, writers: Any) -> bytes:
    import soundfile

    from studio.app.metadata import read_file_metadata

    samples, rate = soundfile.read(str(source), dtype="float32", always_2d=True)
    try:
        meta = read_file_metadata(source).raw
    except StudioError:  # a clip from elsewhere: its sound, without studio tags
        meta = {}
    return writers.encode(output_type("audio", (samples, int(rate)), {"format": fmt}), meta)[0]


class WaveformView(QWidget):
    """The clip's waveform with the part played shaded; a click or drag seeks."""

    #: where the user clicked or dragged to, 0 (start) to 1 (end)
    seekRequested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self._scaled: QPixmap | None = None  # the image at the widget's size, made once
        self.fraction = 0.0
        self.placeholder = self.tr("Music you make or open from the library appears here")
        self.setMinimumHeight(96)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName(self.tr("Waveform"))
        self.setToolTip(self.tr("Click or drag to move the playhead"))

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(640, 180)

    def set_wave(self, image: QImage | None) -> None:
        self.image = image
        self._scaled = None
        self.update()

    def _pixmap(self) -> QPixmap:
        """The waveform scaled to the widget: smooth-scaling the 2048-pixel image took
        4 ms, at every move of the playhead (issue #14)."""
        ratio = self.devicePixelRatioF()
        size = QSize(round(self.width() * ratio), round(self.height() * ratio))
        if self._scaled is None or self._scaled.size() != size:
            scaled = self.image.scaled(size, Qt.AspectRatioMode.IgnoreAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation)
            self._scaled = QPixmap.fromImage(scaled)
            self._scaled.setDevicePixelRatio(ratio)
        return self._scaled

    def set_fraction(self, fraction: float) -> None:
        self.fraction = min(1.0, max(0.0, fraction))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        rect = QRectF(self.rect())
        painter.fillRect(rect, QColor(24, 24, 28))
        if self.image is None:
            painter.setPen(QColor(200, 200, 210))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.placeholder)
            return
        painter.drawPixmap(0, 0, self._pixmap())
        x = rect.left() + self.fraction * rect.width()
        painter.fillRect(QRectF(rect.left(), rect.top(), x - rect.left(), rect.height()),
                         QColor(255, 255, 255, 40))
        painter.setPen(QPen(QColor(255, 170, 60), 2))
        painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self._seek_to(event.position().x())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # Qt override: drag to scrub
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._seek_to(event.position().x())

    def _seek_to(self, x: float) -> None:
        if self.image is not None and self.width() > 0:
            self.seekRequested.emit(min(1.0, max(0.0, x / self.width())))


class MusicView(QWidget):
    """Plays one clip: the finished result, a library item, or a running job's preview."""

    def __init__(self, settings: Any = None, player: Player | None = None,
                 engine: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine = engine  # tells how long a running job's clip will be
        self.player = player or (Player.from_settings(settings) if settings is not None
                                 else Player())
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-music")
        self._signals = _Signals()
        self._signals.decoded.connect(self._decoded)
        self._signals.drawn.connect(self._drawn)
        self._signals.said.connect(self._say)
        self._closed = False
        self._token = 0
        self.path: Path | None = None  # the file shown; None for a preview
        self._loaded = False  # the player holds the clip shown
        self._want_play = False  # what the user asked for, kept across a preview's growth
        self._duration = 0.0  # of the clip shown, known even when nothing can play it
        self.unavailable = ""  # why sound cannot be played here, once known
        # The running job's audio so far.
        self._job_id = ""
        self._preview: np.ndarray | None = None
        self._preview_rate = 0
        self._expected = 0.0  # seconds the running job asked for, when it says
        self._wave_busy = False
        self._wave_again = False

        self.title = QLabel(self.tr("No music yet"))
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.waveform = WaveformView()
        self.waveform.seekRequested.connect(self.seek_fraction)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setAccessibleName(self.tr("Position"))
        self.slider.sliderMoved.connect(lambda v: self.seek_fraction(v / SLIDER_STEPS))
        style = self.style()
        self.play_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay),
                                       self.tr("Play"))
        self.play_button.clicked.connect(self.play_pause)
        self.stop_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaStop),
                                       self.tr("Stop"))
        self.stop_button.clicked.connect(self.stop)
        self.loop_button = QPushButton(self.tr("Loop"))
        self.loop_button.setCheckable(True)
        self.loop_button.toggled.connect(self.set_loop)
        self.time = QLabel(f"{clock(0)} / {clock(0)}")
        save_icon = style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton)
        self.save_button = QPushButton(save_icon, self.tr("Save as…"))
        self.save_button.setToolTip(
            self.tr("Save a copy as FLAC or WAV; its tags and settings stay"))
        self.save_button.clicked.connect(self.save_as)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)

        controls = QHBoxLayout()
        for widget in (self.play_button, self.stop_button, self.loop_button):
            controls.addWidget(widget)
        controls.addSpacing(12)
        controls.addWidget(self.time)
        controls.addStretch(1)
        controls.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.waveform, 1)
        layout.addWidget(self.slider)
        layout.addLayout(controls)
        layout.addWidget(self.message)

        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self._sync_controls()

    # -- opening ------------------------------------------------------------------

    def open_file(self, path: str | Path, title: str = "") -> Future | None:
        """Show and load the FLAC/WAV at ``path``; decoding runs off the UI thread."""
        if self._closed:
            return None
        self._token += 1
        self._preview, self._wave_again = None, False  # a preview drawing must not follow
        self._want_play = False
        self.player.pause()
        self.path, self._loaded, self._duration = Path(path), False, 0.0
        self.title.setText(title or self.path.name)
        self.message.setText(self.tr("Loading…"))
        self._sync_controls()
        token = self._token

        def work() -> None:
            try:
                result = _decode(token, str(path))
                if not result.error:
                    result = self._hand_to_player(result, keep_place=False)
            except Exception as exc:  # a bad file is reported in the view, never raised into Qt
                result = _Decoded(token, str(path), error=self.tr(
                                  "{name} cannot be played ({error})").format(
                                  name=Path(path).name, error=exc))
            self._signals.decoded.emit(result)

        return self._pool.submit(work)

    def _decoded(self, result: _Decoded) -> None:
        if result.token != self._token or self._closed:
            return  # another clip was opened meanwhile
        if result.error:
            self.message.setText(result.error)
            return
        self._show_clip(result)
        self.message.setText(self.unavailable)

    def _hand_to_player(self, result: _Decoded, keep_place: bool) -> _Decoded:
        """Load the clip into the player, on the worker thread: copying a long clip
        and opening the device take longer than the UI may wait (70 ms for 3 minutes)."""
        position = self.player.position if keep_place else 0.0
        try:
            self.player.load(result.samples, result.rate)
        except PlaybackUnavailable as exc:
            return replace(result, unplayable=str(exc))
        except StudioError as exc:
            return replace(result, error=str(exc))
        return replace(result, ready=True, position=position)

    def _show_clip(self, result: _Decoded) -> None:
        self.waveform.set_wave(_qimage(result.wave))
        self._duration = len(result.samples) / result.rate
        self._loaded = result.ready
        if result.unplayable or result.ready:  # a device plugged in since plays again
            self.unavailable = _unplayable_words(result.unplayable)
        if result.ready:
            if result.position:
                self.player.seek(result.position)
            if self._want_play:
                self.player.play()
                self.timer.start()
        self._sync_controls()
        self._show_position()

    # -- transport ----------------------------------------------------------------

    def play_pause(self) -> None:
        if not self._loaded:
            return
        if self.player.playing:
            self.player.pause()
        else:
            self.player.play()
            self.timer.start()
        self._want_play = self.player.playing
        self._sync_controls()
        self._show_position()

    def stop(self) -> None:
        self._want_play = False
        if self._loaded:
            self.player.stop()
        self._sync_controls()
        self._show_position()

    def seek_fraction(self, fraction: float) -> None:
        """Go to ``fraction`` (0 to 1) of the clip, playing or not."""
        if self._loaded:
            self.player.seek(min(1.0, max(0.0, fraction)) * self.player.duration)
            self._show_position()

    def set_loop(self, loop: bool) -> None:
        self.player.set_loop(loop)
        if self.loop_button.isChecked() != loop:
            self.loop_button.setChecked(loop)

    def _tick(self) -> None:
        self._show_position()
        if not self.player.playing:
            self.timer.stop()  # the clip ended
            # A preview that ran out goes on when more of it arrives.
            self._want_play = self._want_play and self.path is None and bool(self._job_id)
            self._sync_controls()

    def _show_position(self) -> None:
        duration = self.player.duration if self._loaded else self._duration
        position = min(self.player.position, duration) if self._loaded else 0.0
        self.time.setText(f"{clock(position)} / {clock(duration)}")
        fraction = position / duration if duration else 0.0
        self.waveform.set_fraction(fraction)
        if not self.slider.isSliderDown():
            self.slider.blockSignals(True)
            self.slider.setValue(round(fraction * SLIDER_STEPS))
            self.slider.blockSignals(False)

    def _sync_controls(self) -> None:
        playing = self._loaded and self.player.playing
        style = self.style()
        pixmaps = QStyle.StandardPixmap
        icon = pixmaps.SP_MediaPause if playing else pixmaps.SP_MediaPlay
        self.play_button.setIcon(style.standardIcon(icon))
        self.play_button.setText(self.tr("Pause") if playing else self.tr("Play"))
        for widget in (self.play_button, self.stop_button, self.slider):
            widget.setEnabled(self._loaded)
        self.loop_button.setEnabled(not self.unavailable)
        self.save_button.setEnabled(self.path is not None)

    # -- a running job -------------------------------------------------------------

    def on_event(self, event: Any) -> None:
        """Follow a music job: steps, its audio so far, then the finished clip."""
        if self._closed:
            return
        if event.kind == "progress":
            if event.job_id != self._job_id:
                self._job_id, self._preview, self._preview_rate = event.job_id, None, 0
                self._expected = self._requested_seconds(event.job_id)
            audio = getattr(event, "audio", None)
            whole = audio is not None  # the field holds everything made so far
            if audio is None and isinstance(event.preview, tuple) and len(event.preview) == 2:
                audio = event.preview
            steps = (self.tr("step {step}/{total}").format(step=event.step, total=event.total)
                     if event.total else self.tr("starting"))
            so_far = self._add_audio(audio, whole) if audio is not None else ""
            self.message.setText(self.tr("Making music: {steps}{so_far}")
                                 .format(steps=steps, so_far=so_far))
        elif event.kind == "done":
            clips = [a for a in event.artifacts if getattr(a, "kind", "") == "audio"]
            self._job_id = ""
            if clips:
                self.open_file(clips[0].path, getattr(clips[0], "prompt", "") or "")
        elif event.kind in ("failed", "cancelled", "interrupted") and event.job_id == self._job_id:
            self._job_id = ""
            ended = {"failed": self.tr("The music job failed"),
                     "cancelled": self.tr("The music job cancelled"),
                     "interrupted": self.tr("The music job interrupted")}[event.kind]
            self.message.setText(f"{ended}: {event.error}" if event.error else ended)

    def _add_audio(self, audio: Any, whole: bool) -> str:
        from studio.api.audio import as_samples

        try:
            samples, rate = audio
            samples = as_samples(samples)
            rate = int(rate)
        except (TypeError, ValueError, StudioError):
            return ""  # a preview this view cannot read: steps still show
        if rate <= 0 or len(samples) == 0:
            return ""
        current = self._preview
        # Two shapes of preview reach here: MusicGen sends each finished window (the
        # clip grows), diffusion models send the whole clip refined. A preview as long
        # as the clip asked for is the whole clip; without a length asked for, one as
        # long as all that came before replaces it.
        if self._expected:
            whole = whole or abs(len(samples) / rate - self._expected) <= 0.02 * self._expected
        elif current is not None:
            whole = whole or len(samples) == len(current)
        if (whole or current is None or rate != self._preview_rate
                or samples.shape[1] != current.shape[1]):
            self._preview = samples
        else:
            self._preview = np.concatenate([current, samples])
        self._preview_rate = rate
        self._show_preview()
        return self.tr(", {time} so far").format(time=clock(len(self._preview) / rate))

    def _requested_seconds(self, job_id: str) -> float:
        try:
            seconds = self.engine.job(job_id).request.params.get("duration")
        except (AttributeError, KeyError):
            return 0.0
        ok = isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds > 0
        return float(seconds) if ok else 0.0

    def _show_preview(self) -> None:
        """Draw the preview off the UI thread; one drawing at a time, the newest wins."""
        if self._wave_busy:
            self._wave_again = True
            return
        self._wave_busy, self._wave_again = True, False
        self._token += 1
        token, samples, rate = self._token, self._preview, self._preview_rate
        keep_place = self.path is None and self._loaded  # the preview grows under the playhead

        def work() -> None:
            from studio.api.audio import waveform_image

            try:
                result = _Decoded(token, "", samples, rate, _wave(samples, rate, waveform_image))
                result = self._hand_to_player(result, keep_place)
            except Exception as exc:  # reported in the view, never raised into Qt
                error = self.tr("The preview cannot be drawn ({error})").format(error=exc)
                result = _Decoded(token, "", error=error)
            self._signals.drawn.emit(result)

        self._pool.submit(work)

    def _drawn(self, result: _Decoded) -> None:
        self._wave_busy = False
        if self._closed:
            return
        if result.token == self._token and not result.error:
            # The preview replaces what is shown; playing goes on where it was.
            self.path = None
            self.title.setText(self.tr("Preview of the running job"))
            self._show_clip(result)
            if result.unplayable and self.unavailable not in self.message.text():
                self.message.setText(f"{self.message.text()}\n{self.unavailable}")
        if self._wave_again and self._preview is not None:
            self._show_preview()

    # -- export -------------------------------------------------------------------

    def save_as(self) -> None:
        if self.path is None:
            return
        suffix = self.path.suffix.lower()
        filters = [self.tr("FLAC audio (*.flac)"), self.tr("WAV audio (*.wav)")]
        chosen = filters[1] if suffix == ".wav" else filters[0]
        name, picked = QFileDialog.getSaveFileName(
            self, self.tr("Save music as"), str(Path.home() / self.path.name), ";;".join(filters),
            chosen)
        if not name:
            return
        out = Path(name)
        if not out.suffix:
            out = out.with_suffix(".wav" if picked == filters[1] else ".flac")
        self.save_to(out)

    def save_to(self, out: str | Path) -> Future | None:
        """Export the clip shown to ``out`` off the UI thread; the result is said below."""
        if self.path is None or self._closed:
            return None
        source, out = self.path, Path(out)
        self.message.setText(self.tr("Saving {name}…").format(name=out.name))

        def work() -> None:
            try:
                written = export_audio(source, out)
                self._signals.said.emit(self.tr("Saved {path}").format(path=written))
            except StudioError as exc:
                self._signals.said.emit(str(exc))
            except Exception as exc:  # reported in the view, never raised into Qt
                self._signals.said.emit(self.tr("{name} cannot be saved ({error})")
                                        .format(name=out.name, error=exc))

        return self._pool.submit(work)

    def _say(self, text: str) -> None:
        if not self._closed:
            extra = f"\n{self.unavailable}" if self.unavailable else ""
            self.message.setText(text + extra)

    def shutdown(self) -> None:
        """Stop the sound and the worker (the window is closing)."""
        self._closed = True
        self.timer.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.player.close()


def _qimage(pixels: Any) -> QImage:
    height, width = pixels.shape[:2]
    return QImage(pixels.data, width, height, width * 3, QImage.Format.Format_RGB888).copy()


__all__ = ["MusicView", "WaveformView", "clock", "export_audio"]


def _unplayable_words(reason: str) -> str:
    """The playback layer's known reasons in the user's language; others as given."""
    known = {
        NO_DEVICE: QCoreApplication.translate(
            "MusicView", "Audio playback is unavailable: no output device was found. "
            "Export still works."),
        NO_PORTAUDIO: QCoreApplication.translate(
            "MusicView", "Audio playback is unavailable: the PortAudio library is not "
            "installed. Export still works."),
    }
    return known.get(reason, reason)
