"""The shared generator contract (studio.testing) on the image pack with a tiny model."""

from __future__ import annotations

import pytest

from studio.api import GenerationRequest
from studio.testing import GeneratorContractTests


class TestImageContract(GeneratorContractTests):
    generator_id = "image.diffusers"

    @pytest.fixture(autouse=True)
    def _model(self, tiny_model):
        self.model = str(tiny_model)

    def make_request(self, **overrides) -> GenerationRequest:
        params = {"steps": 2, "width": 64, "height": 64, **overrides.pop("params", {})}
        return GenerationRequest(modality="image", generator=self.generator_id,
                                 model=self.model, prompt="a red fox", params=params,
                                 **overrides)

    def make_long_request(self) -> GenerationRequest:
        return self.make_request(params={"steps": 8}, seed=2)
