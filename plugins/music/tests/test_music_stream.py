"""MusicGen's progress carries the audio made so far, decoded while the job runs."""

from __future__ import annotations

import numpy as np
import pytest
from studio_music.testing import TINY_WINDOW_S

from studio.api import Cancelled

#: Preview prefix against the one-pass decode of the result. The chunks are decoded
#: with the codes before them as context and the codec's look-ahead held back, so the
#: same convolutions see the same codes; what is left is float32 rounding of sums taken
#: over inputs of other lengths (about 5e-8 measured, on a peak near 0.05).
PREFIX_ATOL = 1e-5


@pytest.fixture
def every_decode_due(monkeypatch):
    """Previews as often as ``EVERY_S`` allows, whatever the machine's timings."""
    from studio_music import preview

    monkeypatch.setattr(preview.PreviewGate, "due", lambda self, done: done < self.steps)


def _run(loaded, seconds, seed=3, events=None, prompt_codes=None):
    from studio_music.musicgen import decode_codes, make_codes

    def progress(step, total, preview=None, text=None, audio=None):
        assert preview is None  # audio travels in ``audio``; ``preview`` is an image
        if events is not None:
            events.append((step, audio))

    codes = make_codes(loaded, "lofi piano", seconds, {}, seed, progress,
                       prompt_codes=prompt_codes)
    return decode_codes(loaded, codes)


def _check_growing_prefixes(loaded, events, result, seconds, prompt_frames=0):
    audio = [(step, a) for step, a in events if a is not None]
    lengths = [a[0].shape[0] for _s, a in audio]
    assert len(audio) >= int(seconds) - 1, lengths
    assert lengths == sorted(set(lengths))  # each preview longer than the last
    hop = loaded.rate // loaded.frame_rate
    for step, (samples, rate) in audio:
        assert rate == loaded.rate
        assert samples.dtype == np.float32 and samples.flags.c_contiguous
        assert samples.shape[1] == result.shape[1] and samples.shape[0] % hop == 0
        assert samples.shape[0] < result.shape[0]
        # Only finished frames: never more audio than the steps so far have made.
        assert samples.shape[0] <= (prompt_frames + step) * hop
        np.testing.assert_allclose(samples, result[:samples.shape[0]], rtol=0,
                                   atol=PREFIX_ATOL)
    return audio


@pytest.mark.parametrize("model", ["loaded_tiny", "loaded_stereo", "loaded_lookahead"])
def test_progress_carries_growing_audio_that_is_a_prefix_of_the_result(
        request, model, every_decode_due):
    loaded = request.getfixturevalue(model)
    seconds = TINY_WINDOW_S + 2.5  # two windows: previews on both sides of the join
    events = []
    result = _run(loaded, seconds, events=events)
    audio = _check_growing_prefixes(loaded, events, result, seconds)
    window_s = loaded.window / loaded.frame_rate
    assert audio[-1][1][0].shape[0] > window_s * loaded.rate


def test_continue_previews_start_with_the_prompt(loaded_tiny, every_decode_due):
    from studio_music.musicgen import make_codes

    prompt = make_codes(loaded_tiny, "calm", 1.5, {}, 9, lambda *a, **k: None)
    events = []
    result = _run(loaded_tiny, 2.0, events=events, prompt_codes=prompt)
    assert result.shape[0] == 3.5 * loaded_tiny.rate
    audio = _check_growing_prefixes(loaded_tiny, events, result, 2.0, prompt.shape[-1])
    # The clip itself comes first (its codes are finished before the first step).
    assert audio[0][0] == 1 and audio[0][1][0].shape[0] == 1.5 * loaded_tiny.rate
    assert audio[-1][1][0].shape[0] >= 2.5 * loaded_tiny.rate


def test_previews_leave_the_samples_unchanged(loaded_tiny, monkeypatch):
    from studio_music import preview

    seconds = TINY_WINDOW_S + 0.5
    events = []
    monkeypatch.setattr(preview.PreviewGate, "due", lambda self, done: done < self.steps)
    with_previews = _run(loaded_tiny, seconds, seed=4, events=events)
    assert any(a is not None for _s, a in events)
    monkeypatch.setattr(preview.PreviewGate, "due", lambda self, done: False)
    events.clear()
    without = _run(loaded_tiny, seconds, seed=4, events=events)
    assert all(a is None for _s, a in events)
    assert np.array_equal(with_previews, without)


def test_cancel_on_a_preview_step_stops_at_that_step(loaded_tiny, every_decode_due):
    from studio_music.musicgen import make_codes

    seen = []

    def progress(step, total, preview=None, text=None, audio=None):
        seen.append(step)
        if audio is not None:
            raise Cancelled()

    with pytest.raises(Cancelled):
        make_codes(loaded_tiny, "calm", 3.0, {}, 1, progress)
    # The first second is finished once the delayed codebooks have caught up.
    assert seen[-1] == loaded_tiny.frame_rate + loaded_tiny.codebooks - 1
    assert seen == list(range(1, seen[-1] + 1))


def test_job_events_carry_the_audio(make_engine, music_request):
    engine = make_engine()
    events = []
    engine.subscribe(events.append)
    job = engine.run(music_request(params={"duration": 2.5, "loudness": None}), timeout=300)
    assert job.state == "done", job.error
    audio = [e.audio for e in events if e.job_id == job.id and e.audio is not None]
    assert audio, "no progress event carried audio"
    assert all(e.preview is None for e in events if e.job_id == job.id)
    samples, rate = audio[0]
    assert rate == 16000 and samples.ndim == 2 and samples.shape[0] >= rate


def test_the_audio_crosses_the_worker_process(tmp_path, music_request):
    # The GUI runs jobs in a child process: the audio so far must survive its pipe.
    from studio.app.settings import Settings
    from studio.app.worker_process import ProcessBackend

    backend = ProcessBackend(tmp_path, Settings(device="cpu"))
    events = []
    try:
        outputs = backend.run("job-1", music_request(params={"duration": 1.5, "loudness": None}),
                              events.append)
    finally:
        backend.shutdown()
    audio = [e.audio for e in events if e.audio is not None]
    assert audio, "no progress event carried audio"
    samples, rate = audio[0]
    assert isinstance(samples, np.ndarray) and samples.dtype == np.float32
    final, final_rate = outputs[0].data
    assert rate == final_rate and 0 < samples.shape[0] < final.shape[0]
    np.testing.assert_allclose(samples, final[:samples.shape[0]], rtol=0, atol=PREFIX_ATOL)


def test_a_known_decode_cost_holds_back_the_first_preview_of_the_next_job():
    from types import SimpleNamespace

    from studio_music.stream import SHARE, AudioSoFar

    loaded = SimpleNamespace(rate=32000, frame_rate=50.0, preview_s=0.0, model=SimpleNamespace(
        config=SimpleNamespace(audio_encoder=SimpleNamespace(use_causal_conv=True))))
    ticks = iter(float(t) for t in range(1000))
    fresh = AudioSoFar(loaded, total=500)
    assert fresh.gate.due(1)  # the first job on a model previews at once
    loaded.preview_s = 0.2  # what its decode took
    known = AudioSoFar(loaded, total=500)
    known.gate.clock = lambda: next(ticks) * 0.1  # 0.1 s of decoding per call
    known.gate.start = known.gate.clock()
    # Due only once 0.2 s of decoding fits the share of the time spent so far.
    waits = 0
    while not known.gate.due(1):
        waits += 1
    assert waits * 0.1 >= 0.2 / SHARE - 0.1
