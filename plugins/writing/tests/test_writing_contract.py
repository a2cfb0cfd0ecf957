"""The shared generator contract (studio.testing) on the writing pack with a tiny model."""

from __future__ import annotations

import pytest

from studio.api import GenerationRequest
from studio.testing import GeneratorContractTests


class TestWritingContract(GeneratorContractTests):
    generator_id = "text.transformers"

    @pytest.fixture(autouse=True)
    def _model(self, tiny_model_dir):
        self.model = str(tiny_model_dir)

    def make_request(self, **overrides) -> GenerationRequest:
        params = {"max_new_tokens": 6, "temperature": 0.8, **overrides.pop("params", {})}
        return GenerationRequest(modality="text", generator=self.generator_id, task="continue",
                                 model=self.model, prompt="Once upon a time", params=params,
                                 **overrides)

    def make_long_request(self) -> GenerationRequest:
        return self.make_request(params={"max_new_tokens": 24, "temperature": 0.0}, seed=2)
