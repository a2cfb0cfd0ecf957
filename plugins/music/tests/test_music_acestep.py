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


def _clip(tmp_path, seconds, rate=TINY_ACE_RATE, name="clip.wav"):
    rng = np.random.default_rng(4)
    samples = (0.3 * rng.standard_normal((round(seconds * rate), 2))).astype(np.float32)
    path = tmp_path / name
    sf.write(path, samples, rate, subtype="FLOAT")
    return path, samples


def _read(job):
    assert job.state == "done", job.error
    data, rate = sf.read(job.artifacts[0].path, always_2d=True, dtype="float32")
    assert rate == TINY_ACE_RATE and data.shape[1] == 2
    return data


def test_tiny_vae_latents_have_the_transformers_width(tiny_acestep):
    # The encoder's output is a mean and a scale per channel: the fixture once made it
    # narrower than the decoder's input, so an encoded clip (repaint, extend) had 3
    # latent channels where the transformer takes 8.
    import torch
    from diffusers import AceStepPipeline

    pipe = AceStepPipeline.from_pretrained(str(tiny_acestep))
    latents = pipe.vae.encode(torch.zeros(1, 2, 200)).latent_dist.sample()
    assert latents.shape[1] == pipe.transformer.config.audio_acoustic_hidden_dim


def test_continue_extends_the_clip_and_keeps_it(make_engine, tiny_acestep, tmp_path):
    path, source = _clip(tmp_path, 1.2)
    data = _read(make_engine().run(ace_request(
        tiny_acestep, task="continue", inputs={"audio": str(path)},
        params={"duration": 2.0, "format": "wav"}), timeout=600))
    assert abs(data.shape[0] - 3.2 * TINY_ACE_RATE) <= 1
    np.testing.assert_allclose(data[:source.shape[0]], source, atol=1e-4)
    added = data[source.shape[0]:]
    assert np.abs(added).max() > 1e-3  # something was made after the clip


def test_repaint_remakes_only_the_window(make_engine, tiny_acestep, tmp_path):
    path, source = _clip(tmp_path, 3.0)
    data = _read(make_engine().run(ace_request(
        tiny_acestep, task="repaint", inputs={"audio": str(path)},
        params={"repaint_start": 1.0, "repaint_end": 2.0, "format": "wav"}), timeout=600))
    assert data.shape == source.shape
    np.testing.assert_allclose(data[:100], source[:100], atol=1e-4)
    np.testing.assert_allclose(data[200:], source[200:], atol=1e-4)
    assert np.abs(data[110:190] - source[110:190]).max() > 0.05


def test_repaint_of_a_clip_at_another_rate_keeps_the_clips_length(make_engine, tiny_acestep,
                                                                   tmp_path):
    path, _source = _clip(tmp_path, 2.0, rate=250)
    data = _read(make_engine().run(ace_request(
        tiny_acestep, task="repaint", inputs={"audio": str(path)},
        params={"repaint_start": 0.5}), timeout=600))
    assert abs(data.shape[0] - 2.0 * TINY_ACE_RATE) <= 1


@pytest.mark.parametrize(("params", "message"), [
    ({"repaint_start": 1.5, "repaint_end": 1.0}, "repaint_end must be after"),
    ({"repaint_start": 5.0}, "repaint_start must be before the clip's end"),
])
def test_bad_repaint_windows_are_refused_before_queueing(make_engine, tiny_acestep, tmp_path,
                                                         params, message):
    from studio.api import StudioError

    path, _source = _clip(tmp_path, 2.0)
    engine = make_engine()
    with pytest.raises(StudioError, match=message):
        engine.submit(ace_request(tiny_acestep, task="repaint", inputs={"audio": str(path)},
                                  params=params))
    assert engine.library.count() == 0


def test_repaint_needs_an_audio_input(make_engine, tiny_acestep):
    from studio.api import StudioError

    with pytest.raises(StudioError, match="audio"):
        make_engine().submit(ace_request(tiny_acestep, task="repaint"))
