"""The shared generator contract, run on the in-repo fake generator (and so on itself)."""

import pytest

from studio.api import GenerationRequest
from studio.testing import GeneratorContractTests


@pytest.fixture(autouse=True)
def _fake_pack(fake_entry_points):
    return fake_entry_points


class TestFakeImageContract(GeneratorContractTests):
    generator_id = "fake.image"

    def make_request(self, **overrides):
        params = {"steps": 3, **overrides.pop("params", {})}
        return GenerationRequest(modality="image", generator=self.generator_id, prompt="x",
                                 params=params, **overrides)

    def make_long_request(self):
        return self.make_request(params={"steps": 50}, seed=1)
