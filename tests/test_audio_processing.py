"""studio.api.audio on synthetic signals (issue #11)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy import signal

from studio.api import ParamError, audio

RATE = 48000

# ITU-R BS.1770-4 K-weighting at 48 kHz, as printed in the standard (tables 1 and 2).
_SHELF = ([1.53512485958697, -2.69169618940638, 1.19839281085285],
          [1.0, -1.69065929318241, 0.73248077421585])
_HIGHPASS = ([1.0, -2.0, 1.0], [1.0, -1.99004745483398, 0.99007225036621])


def sine(freq: float, seconds: float = 3.0, amp: float = 1.0, rate: int = RATE,
         channels: int = 1) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    wave = amp * np.sin(2 * np.pi * freq * t)
    return np.repeat(wave[:, None], channels, axis=1).astype(np.float32)


def bs1770_sine_lufs(freq: float, amp: float, channels: int = 1) -> float:
    """The loudness the standard gives a steady sine: -0.691 + 10 log10(sum G z)."""
    _, shelf = signal.freqz(*_SHELF, worN=[freq], fs=RATE)
    _, highpass = signal.freqz(*_HIGHPASS, worN=[freq], fs=RATE)
    mean_square = abs(shelf[0] * highpass[0]) ** 2 * amp**2 / 2
    return -0.691 + 10 * np.log10(channels * mean_square)


def true_peak_scipy(x: np.ndarray) -> float:
    """dBTP measured independently of the module: scipy's polyphase 4x oversampling."""
    up = signal.resample_poly(x.astype(np.float64), 4, 1, axis=0)
    return 20 * np.log10(max(np.abs(up).max(), np.abs(x).max()))


def peak_frequency(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x[:, 0] * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[spectrum.argmax()])


# -- shape contract -------------------------------------------------------------------


def test_import_loads_no_heavy_library() -> None:
    code = ("import sys, studio.api.audio; "
            "print([m for m in ('torch', 'torchaudio', 'pyloudnorm', 'scipy') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_functions_return_new_float32_arrays_and_leave_the_input_alone() -> None:
    x = sine(440, 1.0, 0.5, channels=2)
    before = x.copy()
    results = [
        audio.resample(x, RATE, 44100), audio.fade(x, RATE, 0.1, 0.1),
        audio.trim_silence(x, RATE), audio.loop_crossfade(x, RATE),
        audio.normalize_loudness(x, RATE), audio.process(x, RATE, fade_in=0.1, loop=True),
    ]
    for y in results:
        assert y.dtype == np.float32 and y.ndim == 2 and y.shape[1] == 2
        assert not np.shares_memory(x, y)
    np.testing.assert_array_equal(x, before)


def test_mono_vector_is_read_as_one_channel() -> None:
    assert audio.fade(np.ones(100), RATE, 0.001).shape == (100, 1)


def test_integer_pcm_is_scaled_and_numpy_numbers_are_numbers() -> None:
    pcm = np.array([[-32768], [16384], [0]], dtype=np.int16)
    np.testing.assert_array_equal(audio.as_samples(pcm)[:, 0], [-1.0, 0.5, 0.0])
    y = audio.fade(np.ones((100, 1)), np.int64(RATE), fade_in=np.float32(0.001))
    assert y[0, 0] == 0 and y[-1, 0] == 1
    with pytest.raises(ParamError):
        audio.as_samples(np.array([[1]], dtype=np.uint8))


@pytest.mark.parametrize("bad", [np.zeros((2, 2, 2)), [[np.nan]], "loud"])
def test_bad_samples_are_refused_in_one_line(bad: object) -> None:
    with pytest.raises(ParamError) as err:
        audio.fade(bad, RATE)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("rate", [0, -8000, 44100.5, True])
def test_bad_rate_is_refused(rate: object) -> None:
    with pytest.raises(ParamError, match="rate"):
        audio.resample(sine(440, 0.1), rate, 48000)  # type: ignore[arg-type]


# -- resampling -----------------------------------------------------------------------


def test_sine_keeps_its_peak_frequency_through_resampling() -> None:
    x = sine(440, 2.0, 0.5, rate=44100)
    at_48k = audio.resample(x, 44100, 48000)
    at_32k = audio.resample(at_48k, 48000, 32000)
    assert len(at_48k) == 96000 and len(at_32k) == 64000
    # 2 s of signal: FFT bins are 0.5 Hz apart.
    for y, rate in ((x, 44100), (at_48k, 48000), (at_32k, 32000)):
        assert abs(peak_frequency(y, rate) - 440) <= 0.5
    # And the level is kept (the passband of the resampler is flat at 440 Hz).
    mid = at_32k[8000:-8000]
    assert np.abs(mid).max() == pytest.approx(0.5, abs=0.01)


# -- fades, trim, loop ----------------------------------------------------------------


def test_fades_start_and_end_at_zero_and_leave_the_middle() -> None:
    x = np.ones((RATE, 2), dtype=np.float32)
    y = audio.fade(x, RATE, fade_in=0.1, fade_out=0.2)
    assert np.all(y[0] == 0) and np.all(y[-1] == 0)
    n_in, n_out = 4800, 9600
    assert np.all(np.diff(y[:n_in, 0]) > 0) and np.all(np.diff(y[-n_out:, 0]) < 0)
    np.testing.assert_array_equal(y[n_in:-n_out], x[n_in:-n_out])
    # Sine (equal-power) curve: half-way through the fade the gain is sin(pi/4).
    assert y[n_in // 2, 0] == pytest.approx(np.sin(np.pi / 4), abs=1e-6)


def test_fade_longer_than_the_clip_covers_it() -> None:
    y = audio.fade(np.ones((100, 1)), RATE, fade_in=10.0)
    assert y[0, 0] == 0 and np.all(np.diff(y[:, 0]) > 0)


def test_trim_removes_leading_and_trailing_silence_only() -> None:
    tone = sine(440, 0.5, 0.5)
    gap = np.zeros((RATE // 4, 1), dtype=np.float32)
    hiss = np.full((RATE // 2, 1), 1e-4, dtype=np.float32)  # -80 dBFS: silence
    x = np.concatenate([hiss, tone, gap, tone, gap])
    y = audio.trim_silence(x, RATE)
    inner = np.concatenate([tone, gap, tone])
    nonzero = np.flatnonzero(np.abs(inner[:, 0]) > 1e-3)
    np.testing.assert_array_equal(y, inner[nonzero[0]:nonzero[-1] + 1])
    assert len(y) >= len(inner) - 4  # only the sine's own zero crossings went


def test_trim_of_pure_silence_is_empty() -> None:
    y = audio.trim_silence(np.zeros((RATE, 2)), RATE)
    assert y.shape == (0, 2)


def test_looped_clip_has_no_step_at_the_wrap() -> None:
    # 441.3 Hz does not fit a whole number of periods in the clip: the raw wrap jumps.
    x = sine(441.3, 2.0, 0.5, channels=2)
    raw_step = np.abs(x[-1] - x[0]).max()
    typical = np.abs(np.diff(x, axis=0)).mean()
    assert raw_step > 10 * typical
    y = audio.loop_crossfade(x, RATE, 0.05)
    assert len(y) == len(x) - 2400
    wrap = np.abs(y[-1] - y[0]).max()
    biggest = np.abs(np.diff(x, axis=0)).max()
    assert wrap <= biggest * 1.001
    # Across the whole looped clip no neighbour pair jumps more than the sine can.
    looped = np.concatenate([y, y[:10]])
    assert np.abs(np.diff(looped, axis=0)).max() <= biggest * 1.05


def test_loop_crossfade_too_long_for_the_clip_is_refused() -> None:
    with pytest.raises(ParamError, match="too short"):
        audio.loop_crossfade(sine(440, 0.05), RATE, 0.05)


# -- loudness -------------------------------------------------------------------------


def test_loudness_matches_the_ebu_tech_3341_stereo_reference() -> None:
    # EBU Tech 3341, test 1: a stereo 1 kHz (997 Hz) sine at -23.0 dBFS reads -23.0 LUFS.
    # dBFS there is AES17's: a sine whose peak is full scale is 0 dBFS, so each channel's
    # peak is 10^(-23/20). Per channel the mean square is A^2/2; two channels with G = 1
    # sum to A^2; K-weighting adds +0.69 dB near 1 kHz, which the -0.691 offset cancels.
    x = sine(997, 10.0, 10 ** (-23 / 20), channels=2)
    assert audio.loudness_lufs(x, RATE) == pytest.approx(-23.0, abs=0.1)


def test_full_scale_1khz_mono_sine_reads_minus_3_01() -> None:
    # BS.1770-4: a 0 dBFS 1 kHz sine on one channel reads -3.01 LKFS.
    assert audio.loudness_lufs(sine(1000, 5.0), RATE) == pytest.approx(-3.01, abs=0.1)


@pytest.mark.parametrize(("freq", "amp"), [(5000, 1.0), (10000, 1.0), (100, 0.01)])
def test_loudness_follows_the_standard_filter_on_loud_and_quiet_audio(freq: float,
                                                                      amp: float) -> None:
    expected = bs1770_sine_lufs(freq, amp)
    assert audio.loudness_lufs(sine(freq, 5.0, amp), RATE) == pytest.approx(expected, abs=0.1)


def test_torchaudio_loudness_under_reads_loud_audio_that_ours_gets_right() -> None:
    # Why pyloudnorm: torchaudio clamps the K-weighted signal to [-1, 1], and above
    # 2 kHz the weighting lifts a full-scale sine past 1 (issue #11).
    import torch
    import torchaudio.functional as F

    x = sine(5000, 5.0)
    expected = bs1770_sine_lufs(5000, 1.0)
    theirs = F.loudness(torch.from_numpy(x.T.copy()), RATE).item()
    ours = audio.loudness_lufs(x, RATE)
    assert expected - theirs > 1.0
    assert abs(ours - expected) < 0.1


def test_loudness_of_silence_and_short_clips() -> None:
    assert audio.loudness_lufs(np.zeros((RATE, 1)), RATE) == float("-inf")
    short = sine(1000, 0.2, 10 ** (-20 / 20))  # under one 400 ms block
    assert audio.loudness_lufs(short, RATE) == pytest.approx(
        bs1770_sine_lufs(1000, 10 ** (-20 / 20)), abs=0.2)


def noise(seconds: float, level_db: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((round(seconds * RATE), 2)) * 10 ** (level_db / 20)
            ).astype(np.float32)


def drums(seconds: float = 4.0) -> np.ndarray:
    """Sharp decaying clicks over a quiet bed: a high crest factor, as drums have."""
    n = round(seconds * RATE)
    x = noise(seconds, -40, seed=1)
    hit = np.exp(-np.arange(2400) / 200.0) * np.sin(2 * np.pi * 180 * np.arange(2400) / RATE)
    for start in range(0, n - 2400, RATE // 4):
        x[start:start + 2400] += 0.9 * hit[:, None].astype(np.float32)
    return x


@pytest.mark.parametrize(("name", "x"), [
    ("quiet sine", sine(440, 3.0, 0.003, channels=2)),
    ("quiet noise", noise(3.0, -50)),
    ("loud square", np.sign(sine(110, 3.0, 1.0, channels=2)) * 0.99),
    ("loud noise", np.clip(noise(3.0, -3), -1, 1)),
])
@pytest.mark.parametrize("target", [-14.0, -23.0])
def test_normalization_lands_on_target_under_the_true_peak_ceiling(
        name: str, x: np.ndarray, target: float) -> None:
    y = audio.normalize_loudness(x, RATE, target, true_peak_db=-1.0)
    assert audio.loudness_lufs(y, RATE) == pytest.approx(target, abs=0.5), name
    assert true_peak_scipy(y) <= -1.0, name


def test_limiter_holds_inter_sample_peaks_under_the_ceiling() -> None:
    # A sine at fs/4 with a 45 degree phase has samples at 0.707 of its true peak:
    # a sample-peak limiter would let it through 3 dB too hot.
    t = np.arange(RATE * 2)
    x = np.sin(2 * np.pi * t / 4 + np.pi / 4)[:, None].astype(np.float32) * 0.5
    x = np.concatenate([x, drums(2.0)[:, :1] * 0.1])
    y = audio.normalize_loudness(x, RATE, -8.0, true_peak_db=-1.0)
    assert true_peak_scipy(y) <= -1.0
    assert audio.true_peak_db(y, RATE) <= -1.0


@pytest.mark.parametrize(("make", "target"), [(drums, -14.0), (lambda: noise(3.0, -30), -6.0)])
def test_limited_clips_still_reach_the_target(make, target: float) -> None:
    # Both need the limiter: the plain gain would put their peaks over 0 dBTP.
    x = make()
    gained = x * 10 ** ((target - audio.loudness_lufs(x, RATE)) / 20)
    assert true_peak_scipy(gained) > 0.0
    y = audio.normalize_loudness(x, RATE, target, true_peak_db=-1.0)
    assert true_peak_scipy(y) <= -1.0
    assert audio.loudness_lufs(y, RATE) == pytest.approx(target, abs=0.5)


def test_normalizing_silence_returns_silence() -> None:
    y = audio.normalize_loudness(np.zeros((RATE, 2)), RATE)
    assert not y.any()


@pytest.mark.parametrize("kwargs", [{"target_lufs": 3.0}, {"true_peak_db": 1.0},
                                    {"target_lufs": float("nan")}])
def test_bad_loudness_targets_are_refused(kwargs: dict) -> None:
    with pytest.raises(ParamError):
        audio.normalize_loudness(sine(440, 1.0), RATE, **kwargs)


# -- the chain ------------------------------------------------------------------------


def test_process_order_fades_survive_normalization_and_loop_shortens() -> None:
    x = sine(441.3, 3.0, 0.05, channels=2)
    y = audio.process(x, RATE, loudness=-14.0, fade_in=0.2, fade_out=0.2, loop=True)
    assert len(y) == len(x) - 2400
    assert not y[0].any() and not y[-1].any()
    assert audio.loudness_lufs(y, RATE) == pytest.approx(-14.0, abs=0.5)


def test_process_without_loudness_keeps_the_raw_level() -> None:
    x = sine(440, 1.0, 0.05)
    np.testing.assert_array_equal(audio.process(x, RATE, loudness=None), x)


def test_process_trim_first() -> None:
    x = np.concatenate([np.zeros((RATE, 1), np.float32), sine(440, 1.0, 0.5)])
    assert len(audio.process(x, RATE, loudness=None, trim=True)) < RATE + 10


# -- images ---------------------------------------------------------------------------


@pytest.mark.parametrize("make", [audio.waveform_image, audio.spectrogram_image])
@pytest.mark.parametrize(("width", "height"), [(800, 120), (37, 11), (1, 1)])
def test_images_have_the_asked_size_and_are_not_blank(make, width: int, height: int) -> None:
    x = np.concatenate([sine(440, 1.0, 0.5), noise(1.0, -20)[:, :1]])
    image = make(x, RATE, width, height)
    assert image.size == (width, height) and image.mode == "RGB"
    if width * height > 1:
        assert len(np.unique(np.asarray(image).reshape(-1, 3), axis=0)) > 1


def test_spectrogram_shows_a_tone_at_its_height() -> None:
    low = np.asarray(audio.spectrogram_image(sine(200, 1.0, 0.5), RATE, 100, 200))
    high = np.asarray(audio.spectrogram_image(sine(8000, 1.0, 0.5), RATE, 100, 200))
    brightest_row = lambda img: int(img.sum(axis=(1, 2)).argmax())  # noqa: E731
    assert brightest_row(high) < brightest_row(low)  # row 0 is the top


@pytest.mark.parametrize("make", [audio.waveform_image, audio.spectrogram_image])
@pytest.mark.parametrize("rate", [8000, 22050, 44100])
def test_images_of_empty_silent_and_tiny_clips(make, rate: int) -> None:
    for x in (np.zeros((0, 1)), np.zeros((rate, 2)), sine(440, 0.001, rate=rate)):
        assert make(x, rate, 64, 32).size == (64, 32)


def test_bad_image_size_is_refused() -> None:
    with pytest.raises(ParamError, match="width"):
        audio.waveform_image(sine(440, 0.1), RATE, 0, 10)
