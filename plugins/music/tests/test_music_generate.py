"""MusicGen on a tiny random model: lengths, windows, joins, determinism, continue."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from studio_music.testing import TINY_WINDOW_S

from studio.api import Cancelled


def _samples(loaded, seconds, seed=1, prompt="lofi piano", params=None, events=None):
    from studio_music.musicgen import decode_codes, make_codes

    def progress(step, total, preview=None, text=None, audio=None):
        if events is not None:
            events.append((step, total, audio))

    codes = make_codes(loaded, prompt, seconds, params or {}, seed, progress)
    return decode_codes(loaded, codes)


@pytest.mark.parametrize("seconds", [0.5, 3.0, TINY_WINDOW_S + 2.5])
def test_duration_within_one_frame(loaded_tiny, seconds):
    samples = _samples(loaded_tiny, seconds)
    hop = loaded_tiny.rate / loaded_tiny.frame_rate
    assert abs(samples.shape[0] - seconds * loaded_tiny.rate) <= hop


def test_same_seed_same_samples_bit_for_bit(loaded_tiny):
    first = _samples(loaded_tiny, TINY_WINDOW_S + 0.5, seed=5)
    again = _samples(loaded_tiny, TINY_WINDOW_S + 0.5, seed=5)
    other = _samples(loaded_tiny, 0.5, seed=6)
    assert np.array_equal(first, again)
    assert not np.array_equal(first[:other.shape[0]], other)


def test_progress_counts_frames(loaded_tiny):
    events = []
    seconds = TINY_WINDOW_S + 1.0
    _samples(loaded_tiny, seconds, events=events)
    total = round(seconds * loaded_tiny.frame_rate)
    steps = [s for s, _t, _p in events]
    assert steps == sorted(steps) and steps[-1] == total
    assert {t for _s, t, _p in events} == {total}


def _flux(samples, n_fft=512, hop=128):
    x = samples.mean(axis=1)
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop] * np.hanning(n_fft)
    mag = np.abs(np.fft.rfft(frames, axis=1))
    mag /= mag.sum(axis=1, keepdims=True) + 1e-12
    return np.sqrt((np.diff(mag, axis=0) ** 2).sum(axis=1)), hop


def _join_score(samples, join_sample):
    """Spectral flux around a join over the 95th percentile of the clip's flux elsewhere."""
    flux, hop = _flux(samples)
    centre = join_sample // hop
    near = slice(max(0, centre - 4), centre + 4)
    rest = np.delete(flux, np.arange(flux.shape[0])[near])
    return flux[near].max() / np.percentile(rest, 95)


def test_window_join_has_no_seam(loaded_tiny):
    from studio_music.musicgen import decode_codes, make_codes

    codes = make_codes(loaded_tiny, "lofi piano", TINY_WINDOW_S + 2.0, {}, 3,
                       lambda *a, **k: None)
    samples = decode_codes(loaded_tiny, codes)
    window = loaded_tiny.window
    join = window * 320
    assert _join_score(samples, join) < 2.0
    # The measure does see a seam: the same codes decoded window by window and glued.
    glued = np.concatenate([decode_codes(loaded_tiny, codes[..., :window]),
                            decode_codes(loaded_tiny, codes[..., window:])])
    assert _join_score(glued, join) > 4.0


def test_cancel_inside_a_window_stops_at_that_step(loaded_tiny):
    from studio_music.musicgen import make_codes

    seen = []

    def progress(step, total, preview=None, text=None, audio=None):
        seen.append(step)
        if step == 7:
            raise Cancelled()

    with pytest.raises(Cancelled):
        make_codes(loaded_tiny, "calm", 2.0, {}, 1, progress)
    assert max(seen) == 7
    # The model is usable after a cancel (the codec's decode is restored).
    assert _samples(loaded_tiny, 0.5).shape[0] == loaded_tiny.rate // 2


def test_stereo_checkpoint_makes_two_channels(tiny_stereo):
    from studio_music.musicgen import load_musicgen

    from studio.api import LoadPlan

    loaded = load_musicgen(str(tiny_stereo), LoadPlan())
    samples = _samples(loaded, TINY_WINDOW_S + 0.5)
    assert samples.shape == ((TINY_WINDOW_S + 0.5) * loaded.rate, 2)
    assert not np.array_equal(samples[:, 0], samples[:, 1])


def test_continue_extends_the_input_clip(make_engine, music_request, tmp_path):
    clip = tmp_path / "clip.wav"
    t = np.arange(16000) / 16000
    sf.write(clip, (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)
    job = make_engine().run(music_request(task="continue", inputs={"audio": str(clip)},
                                          params={"duration": 1.0, "loudness": None}),
                            timeout=600)
    assert job.state == "done", job.error
    data, rate = sf.read(job.artifacts[0].path, always_2d=True)
    assert rate == 16000 and abs(data.shape[0] - 2 * 16000) <= 320


def test_engine_run_writes_a_flac_of_the_asked_length(make_engine, music_request):
    job = make_engine().run(music_request(params={"duration": 1.5, "fade_out": 0.2}),
                            timeout=600)
    assert job.state == "done", job.error
    data, rate = sf.read(job.artifacts[0].path, always_2d=True)
    assert rate == 16000 and abs(data.shape[0] - 1.5 * 16000) <= 320
    assert np.abs(data[-8:]).max() < 1e-3  # the fade-out reached silence


def _tone(path, hz, seconds=2.0, rate=16000):
    t = np.arange(int(seconds * rate)) / rate
    sf.write(path, (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32), rate)
    return str(path)


def test_melody_follows_the_input_clip(make_engine, music_request, tiny_melody, tmp_path):
    engine = make_engine()
    outputs = []
    for hz in (440, 523):  # A and C: different pitch classes (chroma)
        job = engine.run(music_request(model=str(tiny_melody), task="melody",
                                       inputs={"audio": _tone(tmp_path / f"{hz}.wav", hz)},
                                       params={"duration": 1.0, "loudness": None}),
                         timeout=600)
        assert job.state == "done", job.error
        data, rate = sf.read(job.artifacts[0].path, always_2d=True)
        assert abs(data.shape[0] - rate) <= 320
        outputs.append(data)
    assert not np.array_equal(outputs[0], outputs[1])  # same seed, other melody


def test_wav_format_writes_a_wav(make_engine, music_request):
    job = make_engine().run(music_request(params={"format": "wav"}), timeout=600)
    assert job.state == "done", job.error
    assert job.artifacts[0].path.endswith(".wav")
    assert sf.info(job.artifacts[0].path).format == "WAV"


def test_the_prompt_conditions_the_music(loaded_tiny):
    assert not np.array_equal(_samples(loaded_tiny, 0.5, prompt="lofi piano"),
                              _samples(loaded_tiny, 0.5, prompt="epic rock drums"))
