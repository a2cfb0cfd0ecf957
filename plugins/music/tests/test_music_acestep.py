"""ACE-Step through diffusers on a tiny random pipeline saved in the diffusers layout."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from studio_music.testing import TINY_ACE_RATE

from studio.api import GenerationRequest
from studio.testing import GeneratorContractTests


def ace_request(model, **kw):
    params = {"duration": 1.0, "steps": 3, "loudness": None, **kw.pop("params", {})}
    kw.setdefault("prompt", "lofi piano")
    kw.setdefault("seed", 5)
    return GenerationRequest(modality="music", generator="music.acestep", model=str(model),
                             params=params, **kw)


class TestAceStepContract(GeneratorContractTests):
    generator_id = "music.acestep"

    @pytest.fixture(autouse=True)
    def _model(self, tiny_acestep):
        self.model = tiny_acestep

    def make_request(self, **overrides) -> GenerationRequest:
        return ace_request(self.model, **overrides)

    def make_long_request(self) -> GenerationRequest:
        return ace_request(self.model, params={"steps": 8}, seed=2)


@pytest.mark.parametrize("seconds", [0.5, 3.0])
def test_duration_lyrics_and_song_settings(make_engine, tiny_acestep, seconds):
    job = make_engine().run(ace_request(tiny_acestep, params={
        "duration": seconds, "lyrics": "[verse]\nrain on the night", "bpm": 80,
        "keyscale": "C major", "timesignature": "4"}), timeout=600)
    assert job.state == "done", job.error
    data, rate = sf.read(job.artifacts[0].path, always_2d=True)
    assert rate == TINY_ACE_RATE and data.shape[1] == 2
    assert abs(data.shape[0] - seconds * rate) <= 1


def test_lyrics_change_the_song(make_engine, tiny_acestep):
    engine = make_engine()
    runs = [engine.run(ace_request(tiny_acestep, params={"lyrics": words}), timeout=600)
            for words in ("[verse]\nrain", "[chorus]\nepic rock drums")]
    a, b = (sf.read(job.artifacts[0].path)[0] for job in runs)
    assert not np.array_equal(a, b)


def test_schema_shows_only_what_acestep_supports(make_engine):
    names = {p.name for p in make_engine().host.generator("music.acestep").params}
    assert {"lyrics", "bpm", "keyscale", "timesignature", "steps"} <= names
    assert not names & {"top_k", "top_p", "temperature", "negative_prompt"}
