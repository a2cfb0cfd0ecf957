"""Audio playback through one long-lived sounddevice stream (issue #11).

The stream's callback runs on PortAudio's real-time thread, so it never allocates
memory, takes a lock, logs or touches Qt: it copies frames from a buffer made in
``load`` into the device's buffer. The other methods, called from the UI thread,
only swap references the callback reads (the buffer, a seek request, flags), each
one assignment, so neither side waits for the other. A UI timer reads
``position``.

Without PortAudio ``import sounddevice`` raises OSError; without an output device
opening a stream raises ``PortAudioError``. Both become ``PlaybackUnavailable``
with one plain sentence; generation and export never import this module.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from studio.api import ParamError, StudioError
from studio.api.audio import as_samples

log = logging.getLogger(__name__)

NO_DEVICE = "Audio playback is unavailable: no output device was found. Export still works."
NO_PORTAUDIO = ("Audio playback is unavailable: the PortAudio library is not installed. "
                "Export still works.")


class PlaybackUnavailable(StudioError):
    """Sound cannot be played here (no PortAudio, no output device)."""


class Stream(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def close(self) -> None: ...


#: ``(rate, channels, device, callback) -> Stream``; the callback takes
#: ``(outdata, frames, time, status)`` as sounddevice calls it.
StreamFactory = Callable[[int, int, "str | None", Callable[..., None]], Stream]


def sounddevice_stream(rate: int, channels: int, device: str | None,
                       callback: Callable[..., None]) -> Stream:
    """Open (not start) a float32 sounddevice output stream, or raise PlaybackUnavailable."""
    try:
        import sounddevice
    except (OSError, ImportError):
        raise PlaybackUnavailable(NO_PORTAUDIO) from None
    try:
        return sounddevice.OutputStream(samplerate=rate, channels=channels, dtype="float32",
                                        device=device, callback=callback)
    except sounddevice.PortAudioError:
        raise PlaybackUnavailable(NO_DEVICE) from None
    except ValueError:  # the device in the settings is not there (unplugged, renamed)
        raise PlaybackUnavailable(
            f"Audio playback is unavailable: the output device {device!r} was not found. "
            "Export still works.") from None


_EMPTY = np.zeros((0, 1), dtype=np.float32)


class Player:
    """Plays one clip at a time: load, play, pause, seek, loop, stop.

    The stream opens on the first ``load`` and stays open (paused, it plays zeros);
    a clip with another rate or channel count reopens it. ``device`` is a name, or
    part of one, as sounddevice lists them (``Settings.audio_output_device``).
    """

    def __init__(self, device: str | None = None,
                 stream_factory: StreamFactory = sounddevice_stream) -> None:
        self.device = device
        self._factory = stream_factory
        self._stream: Any = None
        self._format: tuple[int, int] | None = None
        # What the callback reads; each is replaced by one assignment, never mutated.
        self._buffer: np.ndarray = _EMPTY
        self._rate = 1
        self._seek: tuple[int, int] = (0, 0)  # (request number, frame)
        self._playing = False
        self._loop = False
        # Owned by the callback; read by ``position``.
        self._frame = 0
        self._seen_seek = 0

    @classmethod
    def from_settings(cls, settings: Any,
                      stream_factory: StreamFactory = sounddevice_stream) -> Player:
        """A player on the output device the settings name (the default when None)."""
        return cls(settings.audio_output_device, stream_factory)

    # -- the UI side --------------------------------------------------------------------

    def load(self, samples: Any, rate: int) -> None:
        """Make ``samples`` (frames, channels) the clip, paused at its start.

        Raises PlaybackUnavailable when no stream can be opened.
        """
        buffer = np.ascontiguousarray(as_samples(samples))
        if isinstance(rate, bool) or not isinstance(rate, (int, np.integer)) or rate <= 0:
            raise ParamError(f"the sample rate must be a positive whole number, got {rate!r}")
        rate = int(rate)
        self._playing = False
        if self._format != (rate, buffer.shape[1]):
            self.close()
            stream = self._factory(rate, buffer.shape[1], self.device, self.callback)
            self._stream, self._format = stream, (rate, buffer.shape[1])
            self._buffer, self._rate = buffer, rate
            self._request_seek(0)
            try:
                stream.start()
            except Exception as exc:  # PortAudioError, or the device went away
                self.close()
                raise PlaybackUnavailable(NO_DEVICE) from exc
        else:
            self._buffer, self._rate = buffer, rate
            self._request_seek(0)

    def play(self) -> None:
        """Play from the position; from the start when the clip had ended."""
        if self._frame >= len(self._buffer) and self._seen_seek == self._seek[0]:
            self._request_seek(0)
        self._playing = True

    def pause(self) -> None:
        self._playing = False

    def stop(self) -> None:
        """Pause and go back to the start."""
        self._playing = False
        self._request_seek(0)

    def seek(self, seconds: float) -> None:
        """Go to ``seconds`` (clamped to the clip), playing or not."""
        frame = round(max(0.0, float(seconds)) * self._rate)
        self._request_seek(min(frame, len(self._buffer)))

    def set_loop(self, loop: bool) -> None:
        self._loop = bool(loop)

    @property
    def loop(self) -> bool:
        return self._loop

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def duration(self) -> float:
        return len(self._buffer) / self._rate

    @property
    def position(self) -> float:
        """Seconds into the clip; a pending seek reads as done."""
        serial, frame = self._seek
        return (frame if serial != self._seen_seek else self._frame) / self._rate

    def close(self) -> None:
        """Stop and close the stream (a later ``load`` opens a new one)."""
        self._playing = False
        stream, self._stream, self._format = self._stream, None, None
        if stream is None:
            return
        for step in (stream.stop, stream.close):
            try:
                step()
            except Exception as exc:  # a device that went away cannot be stopped
                log.debug("closing the audio stream: %s", exc)

    def _request_seek(self, frame: int) -> None:
        self._seek = (self._seek[0] + 1, frame)

    # -- the real-time side -------------------------------------------------------------

    def callback(self, outdata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        """Fill ``outdata`` (frames, channels): the stream calls this on its own thread."""
        buffer = self._buffer
        serial, frame = self._seek
        if serial != self._seen_seek:
            self._frame, self._seen_seek = frame, serial
        if not self._playing or buffer.shape[1] != outdata.shape[1]:
            outdata.fill(0)
            return
        end = len(buffer)
        pos = min(self._frame, end)
        done = 0
        while done < frames:
            take = min(frames - done, end - pos)
            if take <= 0:
                if self._loop and end:
                    pos = 0
                    continue
                outdata[done:].fill(0)
                self._playing = False  # the clip ended
                break
            outdata[done:done + take] = buffer[pos:pos + take]
            done += take
            pos += take
        self._frame = pos
