"""Previews of the diffusion generators: the decoded x0 prediction, within a time budget."""

from __future__ import annotations

import numpy as np
import pytest
from studio_music.preview import PREVIEW_PEAK, PreviewGate
from studio_music.testing import TINY_ACE_RATE, TINY_SA_RATE

from studio.api import CancelToken, GenerationRequest, LoadPlan


def _run(generator_cls, info_index, model, params):
    from studio_music.plugin import ACESTEP, STABLE_AUDIO

    info = (STABLE_AUDIO, ACESTEP)[info_index]
    gen = generator_cls(info)
    loaded = gen.load(str(model), LoadPlan())
    events = []

    def progress(step, total, preview=None, text=None, audio=None):
        assert preview is None  # audio goes in ``audio``; ``preview`` is an image
        events.append((step, total, audio))

    request = GenerationRequest(modality="music", generator=info.id, model=str(model),
                                prompt="lofi piano", seed=3,
                                params={"loudness": None, **params})
    outputs = gen.generate(request, loaded, progress, CancelToken())
    return outputs[0].data, events


def _check_previews(events, steps, rate, frames):
    assert [s for s, _t, _p in events] == list(range(1, steps + 1))
    previews = [(s, p) for s, _t, p in events if p is not None]
    assert previews, "no preview arrived"
    assert all(s < steps for s, _p in previews)  # the last step's output is the result
    for _s, (audio, preview_rate) in previews:
        assert preview_rate == rate
        assert audio.dtype == np.float32 and audio.shape == (frames, 2)
        assert audio.flags.c_contiguous
        assert np.isfinite(audio).all()
        assert abs(np.abs(audio).max() - PREVIEW_PEAK) < 1e-4
    return previews


def test_stable_audio_previews_are_stereo_at_the_model_rate(tiny_stable_audio):
    from studio_music.stable_audio import StableAudioGenerator

    (samples, rate), events = _run(StableAudioGenerator, 0, tiny_stable_audio,
                                   {"duration": 0.5, "steps": 4})
    previews = _check_previews(events, 4, TINY_SA_RATE, int(0.5 * TINY_SA_RATE))
    assert previews[0][0] == 1  # the first one as soon as one step is done
    assert previews[0][1][0].shape == samples.shape and rate == previews[0][1][1]


def test_acestep_previews_are_stereo_at_the_model_rate(tiny_acestep):
    from studio_music.acestep import AceStepGenerator

    (samples, rate), events = _run(AceStepGenerator, 1, tiny_acestep,
                                   {"duration": 1.0, "steps": 4})
    previews = _check_previews(events, 4, TINY_ACE_RATE, TINY_ACE_RATE)
    # x0 comes from two successive latents, so the first preview follows step 2.
    assert previews[0][0] == 2
    assert previews[0][1][0].shape == samples.shape and rate == previews[0][1][1]


def test_acestep_last_step_preview_is_the_result(tiny_acestep, monkeypatch):
    # On the last step the next sigma is 0, so the x0 the hook computes is the final
    # latents: decoded and peak-normalized, it must equal the pipeline's own output.
    from studio_music import preview as preview_mod
    from studio_music.acestep import AceStepGenerator

    monkeypatch.setattr(preview_mod.PreviewGate, "due", lambda self, done: True)
    (samples, _rate), events = _run(AceStepGenerator, 1, tiny_acestep,
                                    {"duration": 1.0, "steps": 3})
    last = events[-1][2][0]
    np.testing.assert_allclose(last, samples, atol=1e-5)


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(("step_s", "decode_s"), [(1.0, 0.5), (1.0, 3.0), (1.0, 0.01)])
def test_gate_keeps_the_decodes_within_their_share(step_s, decode_s):
    clock = _Clock()
    steps = 200
    gate = PreviewGate(steps, share=0.1, clock=clock)
    made = []
    for done in range(1, steps + 1):
        clock.now += step_s
        if gate.due(done):
            gate.timed(lambda: setattr(clock, "now", clock.now + decode_s))
            made.append(done)
    assert made and made[0] == 1 and steps not in made
    # After the first (unmeasured) decode, the decodes stay within the share.
    assert gate.decoding - decode_s <= 0.1 * steps * step_s + 1e-9
    assert gate.decoding <= 0.1 * steps * step_s + decode_s
    if decode_s <= 0.1 * step_s:
        assert len(made) == steps - 1  # cheap decodes: a preview every step
