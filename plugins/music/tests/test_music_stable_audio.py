"""Stable Audio through diffusers on a tiny random pipeline saved in the diffusers layout."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from studio_music.testing import TINY_SA_RATE

from studio.api import GenerationRequest, ParamError
from studio.testing import GeneratorContractTests


def sa_request(model, **kw):
    params = {"duration": 0.5, "steps": 3, "loudness": None, **kw.pop("params", {})}
    kw.setdefault("prompt", "rain on a tin roof")
    kw.setdefault("seed", 5)
    return GenerationRequest(modality="music", generator="music.stable_audio", model=str(model),
                             params=params, **kw)


class TestStableAudioContract(GeneratorContractTests):
    generator_id = "music.stable_audio"

    @pytest.fixture(autouse=True)
    def _model(self, tiny_stable_audio):
        self.model = tiny_stable_audio

    def make_request(self, **overrides) -> GenerationRequest:
        return sa_request(self.model, **overrides)

    def make_long_request(self) -> GenerationRequest:
        return sa_request(self.model, params={"steps": 8}, seed=2)


@pytest.mark.parametrize("seconds", [0.5, 1.0])
def test_duration_and_stereo(make_engine, tiny_stable_audio, seconds):
    job = make_engine().run(sa_request(tiny_stable_audio, params={"duration": seconds}),
                            timeout=600)
    assert job.state == "done", job.error
    data, rate = sf.read(job.artifacts[0].path, always_2d=True)
    assert rate == TINY_SA_RATE and data.shape[1] == 2
    assert abs(data.shape[0] - seconds * rate) <= 1


def test_negative_prompt_changes_the_audio(make_engine, tiny_stable_audio):
    engine = make_engine()
    plain = engine.run(sa_request(tiny_stable_audio), timeout=600)
    negative = engine.run(sa_request(tiny_stable_audio, params={"negative_prompt": "drums"}),
                          timeout=600)
    a, _ = sf.read(plain.artifacts[0].path)
    b, _ = sf.read(negative.artifacts[0].path)
    assert not np.array_equal(a, b)


def test_longer_than_the_model_makes_is_refused_before_queueing(make_engine,
                                                               tiny_stable_audio):
    engine = make_engine()
    with pytest.raises(ParamError, match=r"duration must be <= 1.024 s"):
        engine.submit(sa_request(tiny_stable_audio, params={"duration": 2.0}))
    assert engine.jobs() == []


def test_schema_shows_only_what_stable_audio_supports(make_engine):
    info = make_engine().host.generator("music.stable_audio")
    names = {p.name for p in info.params}
    assert {"steps", "negative_prompt", "guidance_scale", "duration"} <= names
    assert not names & {"top_k", "top_p", "temperature", "bpm"}


def test_musicgen_names_the_generator_for_a_stable_audio_folder(make_engine, tiny_stable_audio):
    from studio.api import RequestError

    engine = make_engine()
    with pytest.raises(RequestError, match=r"use --generator music\.stable_audio"):
        engine.submit(GenerationRequest(modality="music", generator="music.musicgen",
                                        model=str(tiny_stable_audio), prompt="x"))


@pytest.mark.parametrize(("fixture", "expected"), [
    ("tiny_stable_audio", "music.stable_audio"),
    ("tiny_acestep", "music.acestep"),
    ("tiny_musicgen", "music.musicgen"),
    ("tiny_melody", "music.musicgen"),
])
def test_a_model_named_without_a_generator_goes_to_the_one_that_serves_it(
        make_engine, request, fixture, expected):
    engine = make_engine()
    folder = request.getfixturevalue(fixture)
    chosen = engine.pick_generator(GenerationRequest(modality="music", model=str(folder)))
    assert chosen.id == expected


@pytest.fixture(scope="module")
def sa_generator(tiny_stable_audio):
    from studio_music.plugin import STABLE_AUDIO
    from studio_music.stable_audio import StableAudioGenerator

    from studio.api import LoadPlan

    gen = StableAudioGenerator(STABLE_AUDIO)
    return gen, gen.load(str(tiny_stable_audio), LoadPlan())


@pytest.fixture
def sine_clip(tmp_path):
    t = np.arange(int(0.8 * TINY_SA_RATE)) / TINY_SA_RATE
    clip = np.repeat(0.5 * np.sin(2 * np.pi * 300 * t)[:, None], 2, axis=1).astype(np.float32)
    path = tmp_path / "clip.wav"
    sf.write(path, clip, TINY_SA_RATE, subtype="FLOAT")
    return path, clip


def _vary(sa_generator, model, clip_path, strength, task="variation"):
    from studio.api import CancelToken

    gen, loaded = sa_generator
    inputs = {"audio": str(clip_path)} if task == "variation" else {}
    request = sa_request(model, task=task, inputs=inputs, seed=3,
                         params={"duration": 0.8, "steps": 4, "strength": strength})
    return gen.generate(request, loaded, lambda *a, **k: None, CancelToken())[0].data


def test_variation_starts_at_the_strengths_noise_level(sa_generator, tiny_stable_audio,
                                                       sine_clip, monkeypatch):
    import torch

    _gen, loaded = sa_generator
    pipe = loaded.pipe
    own = pipe.scheduler
    starts = []
    real_prepare = type(pipe).prepare_latents

    def prepare(self, *args, **kwargs):
        latents = real_prepare(self, *args, **kwargs)
        starts.append((latents.clone(), float(self.scheduler.sigmas[0])))
        return latents

    monkeypatch.setattr(type(pipe), "prepare_latents", prepare)
    path, clip = sine_clip
    samples, rate = _vary(sa_generator, tiny_stable_audio, path, 0.5)
    assert rate == TINY_SA_RATE and samples.shape == (int(0.8 * TINY_SA_RATE), 2)
    assert pipe.scheduler is own  # the pipeline's own schedule is back after the job
    lo, hi = float(own.config.sigma_min), float(own.config.sigma_max)
    sigma = lo * (hi / lo) ** 0.5
    latents, first_sigma = starts[0]
    assert first_sigma == pytest.approx(sigma, rel=1e-3)
    padded = np.zeros((2, pipe.transformer.config.sample_size * 8), np.float32)
    padded[:, :clip.shape[0]] = clip.T
    with torch.no_grad():
        encoded = pipe.vae.encode(torch.from_numpy(padded)[None]).latent_dist.mean
    # The start is the clip's latents plus noise of std sigma (not sqrt(sigma^2 + 1)).
    assert float((latents - encoded).std()) == pytest.approx(sigma, rel=0.1)


def test_variation_at_full_strength_is_the_plain_generation(sa_generator, tiny_stable_audio,
                                                            sine_clip):
    # At the pipeline's own starting noise the clip's latents are lost in it: this is
    # why strength exists.
    path, _clip = sine_clip
    full, _rate = _vary(sa_generator, tiny_stable_audio, path, 1.0)
    plain, _rate = _vary(sa_generator, tiny_stable_audio, path, 1.0, task="txt2music")
    half, _rate = _vary(sa_generator, tiny_stable_audio, path, 0.5)
    np.testing.assert_allclose(full, plain, atol=1e-3)
    assert np.abs(half - plain).max() > 0.01
    again, _rate = _vary(sa_generator, tiny_stable_audio, path, 0.5)
    assert np.array_equal(half, again)


def test_variation_needs_an_audio_input(make_engine, tiny_stable_audio, tmp_path):
    from studio.api import StudioError

    engine = make_engine()
    with pytest.raises(StudioError, match="audio"):
        engine.submit(sa_request(tiny_stable_audio, task="variation"))
    text = tmp_path / "notes.wav"
    text.write_text("not audio")
    with pytest.raises(StudioError, match="not a readable audio file"):
        engine.submit(sa_request(tiny_stable_audio, task="variation",
                                 inputs={"audio": str(text)}))
    assert engine.library.count() == 0
