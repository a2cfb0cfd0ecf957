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
