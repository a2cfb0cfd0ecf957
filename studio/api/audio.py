"""Audio helpers any pack may use: resampling, fades, trims, loops, loudness, images.

Samples are numpy ``float32`` arrays shaped ``(frames, channels)`` (mono is
``(frames, 1)``; a 1-D array is read as mono). Every function returns a new array
and leaves its input alone. Heavy libraries (torch, torchaudio, pyloudnorm, scipy)
load inside the functions, so importing this module stays cheap (issue #11).

Fades and the loop crossfade use sine (equal-power) curves: a fade then sounds even
to the ear, and the two halves of a crossfade of unrelated material keep their
summed power.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from studio.api.errors import ParamError

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "as_samples",
    "fade",
    "loop_crossfade",
    "loudness_lufs",
    "normalize_loudness",
    "process",
    "resample",
    "spectrogram_image",
    "trim_silence",
    "true_peak_db",
    "waveform_image",
]

#: Oversampling factor of the true-peak meter (ITU-R BS.1770-4, Annex 2).
TRUE_PEAK_OVERSAMPLING = 4

# The limiter aims this far under the asked ceiling, so that a meter with another
# interpolation filter (they differ by a few hundredths of a dB) still reads <= it.
_CEILING_MARGIN_DB = 0.05

# Rounds of gain-then-limit, and how close to the target loudness ends them.
_LIMIT_ROUNDS = 4
_LOUDNESS_TOLERANCE_LU = 0.1


def as_samples(samples: Any) -> np.ndarray:
    """Return ``samples`` as a new float32 ``(frames, channels)`` array, or raise ParamError.

    Signed integer PCM (int16, int32) is scaled to [-1, 1) as soundfile reads it.
    """
    try:
        raw = np.asarray(samples)
        if raw.dtype.kind == "i":
            array = raw.astype(np.float32) / np.float32(2 ** (raw.dtype.itemsize * 8 - 1))
        elif raw.dtype.kind in "fb":
            array = np.array(raw, dtype=np.float32)
        else:
            raise TypeError(raw.dtype)
    except (TypeError, ValueError):
        raise ParamError("audio samples must be an array of numbers (float, or signed PCM)"
                         ) from None
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[1] < 1:
        raise ParamError(f"audio samples must be shaped (frames, channels), got {array.shape}")
    if not np.isfinite(array).all():
        raise ParamError("audio samples contain NaN or infinity")
    return array


def _check_rate(rate: Any, name: str = "rate") -> int:
    if isinstance(rate, bool) or not isinstance(rate, (int, np.integer)) or rate <= 0:
        raise ParamError(f"{name} must be a positive whole number of Hz, got {rate!r}")
    return int(rate)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _check_seconds(value: Any, name: str) -> float:
    if not _is_number(value) or not math.isfinite(value) or value < 0:
        raise ParamError(f"{name} must be a number of seconds >= 0, got {value!r}")
    return float(value)


def _rise(n: int) -> np.ndarray:
    """A quarter sine from exactly 0 up towards 1 over ``n`` frames, shaped (n, 1)."""
    return np.sin(0.5 * np.pi * np.arange(n, dtype=np.float64) / n).astype(np.float32)[:, None]


# -- rate, fades, trims, loops --------------------------------------------------------


def resample(samples: Any, rate: int, new_rate: int) -> np.ndarray:
    """Resample to ``new_rate`` with torchaudio's windowed-sinc resampler."""
    x = as_samples(samples)
    rate = _check_rate(rate)
    new_rate = _check_rate(new_rate, "new_rate")
    if rate == new_rate or len(x) == 0:
        return x
    import torch
    import torchaudio.functional as F

    with torch.no_grad():
        y = F.resample(torch.from_numpy(np.ascontiguousarray(x.T)), rate, new_rate)
    return np.ascontiguousarray(y.numpy().T, dtype=np.float32)


def fade(samples: Any, rate: int, fade_in: float = 0.0, fade_out: float = 0.0) -> np.ndarray:
    """Fade in from silence and out to silence over the given seconds (sine curves).

    The first frame of a fade-in and the last frame of a fade-out are exactly zero.
    A fade longer than the clip covers the whole clip.
    """
    x = as_samples(samples)
    rate = _check_rate(rate)
    n_in = min(len(x), round(_check_seconds(fade_in, "fade_in") * rate))
    n_out = min(len(x), round(_check_seconds(fade_out, "fade_out") * rate))
    if n_in:
        x[:n_in] *= _rise(n_in)
    if n_out:
        x[len(x) - n_out:] *= _rise(n_out)[::-1]
    return x


def trim_silence(samples: Any, rate: int, threshold_db: float = -60.0) -> np.ndarray:
    """Cut the leading and trailing frames whose every channel is under ``threshold_db``.

    The threshold is in dB relative to full scale (1.0). Quiet passages inside the
    clip are kept. A clip that is silent throughout comes back empty (zero frames).
    """
    x = as_samples(samples)
    _check_rate(rate)
    if not _is_number(threshold_db) or math.isnan(threshold_db):
        raise ParamError(f"threshold_db must be a number, got {threshold_db!r}")
    level = 10.0 ** (threshold_db / 20.0)
    loud = np.flatnonzero(np.abs(x).max(axis=1) > level) if len(x) else np.empty(0, int)
    if len(loud) == 0:
        return x[:0].copy()
    return x[loud[0]:loud[-1] + 1].copy()


def loop_crossfade(samples: Any, rate: int, seconds: float = 0.05) -> np.ndarray:
    """Crossfade the clip's end into its start so that it loops without a click.

    The last ``seconds`` are faded out over the first ``seconds`` (which fade in),
    and then dropped: the clip comes back shorter by the crossfade. Played in a
    loop, its last frame is followed by the frame that followed it in the original
    clip, so the wrap has no step.
    """
    x = as_samples(samples)
    rate = _check_rate(rate)
    n = round(_check_seconds(seconds, "loop crossfade") * rate)
    if n == 0:
        return x
    if 2 * n > len(x):
        raise ParamError(f"the clip ({len(x) / rate:.3g} s) is too short for a "
                         f"{seconds:g} s loop crossfade: it needs at least {2 * n / rate:.3g} s")
    up = _rise(n)
    # The exact cosine, not the rise reversed: at frame 0 the tail must weigh 1 and
    # the head 0, so the wrap joins two frames that were neighbours.
    down = np.cos(0.5 * np.pi * np.arange(n, dtype=np.float64) / n).astype(np.float32)[:, None]
    out = x[:len(x) - n].copy()
    out[:n] = x[:n] * up + x[len(x) - n:] * down
    return out


# -- loudness -------------------------------------------------------------------------


def loudness_lufs(samples: Any, rate: int) -> float:
    """Integrated loudness per ITU-R BS.1770-4 (K-weighting, gating), in LUFS.

    Measured with pyloudnorm, which follows the standard without clamping (unlike
    ``torchaudio.functional.loudness``, which clips the filtered signal and so
    under-reads loud audio). A clip shorter than the 400 ms gating block is measured
    as one block. Silence reads ``-inf``.
    """
    x = as_samples(samples)
    rate = _check_rate(rate)
    if len(x) == 0:
        return float("-inf")
    if x.shape[1] > 5:
        raise ParamError(f"loudness is defined for up to 5 channels, got {x.shape[1]}")
    import warnings

    import pyloudnorm

    block = min(0.4, len(x) / rate)
    meter = pyloudnorm.Meter(rate, block_size=block)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyloudnorm warns about clipping: we allow >1.0
        return float(meter.integrated_loudness(x.astype(np.float64)))


def _oversampled_peaks(x: np.ndarray) -> np.ndarray:
    """Per frame, the highest absolute value of the 4x-oversampled signal around it."""
    if len(x) == 0:
        return np.zeros(0, dtype=np.float32)
    from scipy.signal import resample_poly

    # scipy's polyphase filter passes almost up to the old Nyquist frequency; a
    # gentler one (torchaudio's default roll-off) under-reads the overshoot of
    # bright, limited material by up to 0.7 dB.
    channels = resample_poly(np.ascontiguousarray(x.T), TRUE_PEAK_OVERSAMPLING, 1, axis=1)
    up = np.abs(channels[0])
    for channel in channels[1:]:  # a reduce over a short axis is ten times slower
        np.maximum(up, np.abs(channel), out=up)
    need = len(x) * TRUE_PEAK_OVERSAMPLING
    if len(up) < need:
        up = np.pad(up, (0, need - len(up)))
    peaks = up[:need].reshape(len(x), TRUE_PEAK_OVERSAMPLING).max(axis=1)
    # An inter-sample peak between two frames counts for both.
    peaks[:-1] = np.maximum(peaks[:-1], peaks[1:])
    return np.maximum(peaks, np.abs(x).max(axis=1))


def true_peak_db(samples: Any, rate: int) -> float:
    """The true peak in dBTP: the highest value of the signal oversampled 4x."""
    x = as_samples(samples)
    rate = _check_rate(rate)
    peak = float(_oversampled_peaks(x).max()) if len(x) else 0.0
    return 20.0 * math.log10(peak) if peak > 0 else float("-inf")


def _limit(x: np.ndarray, rate: int, ceiling: float) -> np.ndarray:
    """A look-ahead limiter: a smooth gain that keeps the true peak under ``ceiling``."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    # 5 ms look-ahead and hold: the gain starts falling before a peak arrives.
    reach = max(1, round(0.005 * rate))
    for _ in range(4):
        peaks = _oversampled_peaks(x)
        # float32 rounding leaves a peak a few millionths over: well inside the margin.
        if peaks.max() <= ceiling * 1.0001:
            return x
        need = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
        # The running minimum over +-reach, then a centred average over no more than
        # that reach: every averaged value is a minimum that includes the frame, so
        # the smoothed gain stays under what each frame needs.
        gain = minimum_filter1d(need, size=2 * reach + 1, mode="nearest")
        gain = uniform_filter1d(gain, size=reach, mode="nearest")
        x = x * gain.astype(np.float32)[:, None]
    peak = _oversampled_peaks(x).max()
    return x * np.float32(ceiling / peak) if peak > ceiling * 1.0001 else x


def normalize_loudness(samples: Any, rate: int, target_lufs: float = -14.0,
                       true_peak_db: float = -1.0) -> np.ndarray:
    """Set the integrated loudness to ``target_lufs``, then limit the true peak.

    The clip is scaled to the target, then a look-ahead limiter keeps its 4x
    oversampled (true) peak at or under ``true_peak_db``; what the limiter took off
    is made up and limited again (at most 12 dB beyond the plain gain). The ceiling
    wins: a clip that cannot reach the target under it comes back quieter. Silence
    is returned unchanged.
    """
    x = as_samples(samples)
    rate = _check_rate(rate)
    for name, value in (("target_lufs", target_lufs), ("true_peak_db", true_peak_db)):
        if not _is_number(value) or not math.isfinite(value):
            raise ParamError(f"{name} must be a number of dB, got {value!r}")
    if target_lufs > 0:
        raise ParamError(f"target loudness must be <= 0 LUFS, got {target_lufs:g}")
    if true_peak_db > 0:
        raise ParamError(f"true-peak ceiling must be <= 0 dBTP, got {true_peak_db:g}")
    current = loudness_lufs(x, rate)
    if not math.isfinite(current):
        return x
    ceiling = 10.0 ** ((true_peak_db - _CEILING_MARGIN_DB) / 20.0)
    # Limiting takes loudness away with the peaks, so the shortfall is made up and
    # limited again, a few rounds at most; the makeup is bounded so that a clip of
    # isolated spikes is not flattened into a wall.
    gain_db = target_lufs - current
    limited = x
    for _ in range(_LIMIT_ROUNDS):
        limited = _limit(x * np.float32(10.0 ** (gain_db / 20.0)), rate, ceiling)
        short = target_lufs - loudness_lufs(limited, rate)
        if short < _LOUDNESS_TOLERANCE_LU or gain_db + short > target_lufs - current + 12.0:
            break
        gain_db += short
    return limited


# -- the user-facing chain ------------------------------------------------------------


def process(samples: Any, rate: int, *, loudness: float | None = -14.0,
            fade_in: float = 0.0, fade_out: float = 0.0, loop: bool = False,
            trim: bool = False, loop_seconds: float = 0.05) -> np.ndarray:
    """Apply the post-processing a user asks for, always in this order.

    1. ``trim``: cut leading and trailing silence (under -60 dBFS).
    2. ``loop``: crossfade the end into the start (``loop_seconds``), so it loops.
    3. ``fade_in`` / ``fade_out`` in seconds.
    4. ``loudness``: normalize to this many LUFS with a -1 dBTP true-peak limit;
       ``None`` keeps the raw level.

    Loudness comes last so that it measures the clip as it will be heard; its gain
    and limiter only scale, so fades still start and end at zero.
    """
    x = as_samples(samples)
    rate = _check_rate(rate)
    if trim:
        x = trim_silence(x, rate)
    if loop:
        x = loop_crossfade(x, rate, loop_seconds)
    if fade_in or fade_out:
        x = fade(x, rate, fade_in, fade_out)
    if loudness is not None:
        x = normalize_loudness(x, rate, loudness)
    return x


# -- images ---------------------------------------------------------------------------

# Anchors of a dark-to-bright colour map (close to "magma"), interpolated in numpy.
_MAP_STOPS = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
_MAP_RGB = np.array([
    [0, 0, 4], [81, 18, 124], [183, 55, 121], [252, 137, 97], [252, 253, 191],
], dtype=np.float64)

_WAVE_BG = (24, 24, 28)
_WAVE_PEAK = (96, 160, 224)
_WAVE_RMS = (170, 210, 250)


def _check_size(width: Any, height: Any) -> tuple[int, int]:
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ParamError(f"image {name} must be a positive whole number, got {value!r}")
    return int(width), int(height)


def _colour_map(values: np.ndarray) -> np.ndarray:
    """Map values in [0, 1] to uint8 RGB."""
    v = np.clip(values, 0.0, 1.0)
    rgb = np.stack([np.interp(v, _MAP_STOPS, _MAP_RGB[:, c]) for c in range(3)], axis=-1)
    return rgb.round().astype(np.uint8)


def waveform_image(samples: Any, rate: int, width: int = 800,
                   height: int = 120) -> Image.Image:
    """An RGB picture of the clip scaled to its peak: per column, the range and the RMS."""
    from PIL import Image

    x = as_samples(samples)
    _check_rate(rate)
    width, height = _check_size(width, height)
    mono = x.mean(axis=1)
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[:] = _WAVE_BG
    mid = (height - 1) / 2.0
    if len(mono) == 0:
        image[round(mid), :] = _WAVE_PEAK
        return Image.fromarray(image, "RGB")
    starts = (np.arange(width) * len(mono)) // width
    low = np.minimum.reduceat(mono, starts)
    high = np.maximum.reduceat(mono, starts)
    counts = np.diff(np.append(starts, len(mono)))
    counts = np.maximum(counts, 1)
    rms = np.sqrt(np.add.reduceat(mono.astype(np.float64) ** 2, starts) / counts)
    rms = np.minimum(rms, np.maximum(np.abs(low), np.abs(high)))
    # Drawn to the clip's own peak, so a quiet clip is as legible as a loud one.
    scale = float(np.abs(mono).max()) or 1.0

    def rows(level: np.ndarray) -> np.ndarray:
        return np.clip(np.round(mid - level / scale * mid), 0, height - 1)

    y = np.arange(height)[:, None]
    top, bottom = rows(high), rows(low)  # at least one pixel per column
    image[(y >= top) & (y <= bottom)] = _WAVE_PEAK
    image[(y >= rows(rms)) & (y <= rows(-rms))] = _WAVE_RMS
    return Image.fromarray(image, "RGB")


def spectrogram_image(samples: Any, rate: int, width: int = 800,
                      height: int = 200) -> Image.Image:
    """An RGB mel spectrogram, log scaled over 80 dB, low frequencies at the bottom."""
    from PIL import Image

    x = as_samples(samples)
    rate = _check_rate(rate)
    width, height = _check_size(width, height)
    mono = x.mean(axis=1)
    n_fft = 2048 if rate >= 32000 else 1024 if rate >= 16000 else 512
    n_mels = 128 if rate >= 16000 else 64
    if len(mono) < n_fft:
        mono = np.pad(mono, (0, n_fft - len(mono)))
    # About two spectrum columns per pixel, but never a hop wider than the window.
    hop = int(min(n_fft, max(n_fft // 8, len(mono) // (2 * width))))
    import torch
    import torchaudio.transforms as T

    with torch.no_grad():
        mel = T.MelSpectrogram(sample_rate=rate, n_fft=n_fft, hop_length=hop, n_mels=n_mels,
                               f_max=rate / 2, power=2.0)(torch.from_numpy(mono))
        db = T.AmplitudeToDB(stype="power", top_db=80.0)(mel).numpy().astype(np.float64)
    if not np.isfinite(db).all() or db.max() - db.min() < 1e-6:
        levels = np.zeros_like(db)  # silence: the darkest colour everywhere
    else:
        levels = (db - db.max() + 80.0) / 80.0
    rgb = _colour_map(levels[::-1])  # row 0 is the top: highest mel band first
    return Image.fromarray(rgb, "RGB").resize((width, height), Image.Resampling.BILINEAR)
