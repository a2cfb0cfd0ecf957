"""The shared generator contract (studio.testing) on MusicGen with a tiny model."""

from __future__ import annotations

import pytest

from studio.api import GenerationRequest
from studio.testing import GeneratorContractTests


class TestMusicgenContract(GeneratorContractTests):
    generator_id = "music.musicgen"

    @pytest.fixture(autouse=True)
    def _model(self, tiny_musicgen):
        self.model = str(tiny_musicgen)

    def make_request(self, **overrides) -> GenerationRequest:
        params = {"duration": 0.5, **overrides.pop("params", {})}
        return GenerationRequest(modality="music", generator=self.generator_id,
                                 model=self.model, prompt="calm piano", params=params,
                                 **overrides)

    def make_long_request(self) -> GenerationRequest:
        return self.make_request(params={"duration": 2.0}, seed=2)
