"""The shared generator contract (studio.testing) on the video pack with a tiny LTX."""

from __future__ import annotations

import pytest

from studio.api import GenerationRequest
from studio.api.video import read_video
from studio.testing import GeneratorContractTests


class TestVideoContract(GeneratorContractTests):
    generator_id = "video.diffusers"

    @pytest.fixture(autouse=True)
    def _model(self, tiny_models):
        self.model = tiny_models("ltx")

    def make_request(self, **overrides) -> GenerationRequest:
        params = {"steps": 2, "width": 64, "height": 64, "num_frames": 5,
                  **overrides.pop("params", {})}
        return GenerationRequest(modality="video", generator=self.generator_id,
                                 task="txt2video", model=self.model, prompt="a red fox",
                                 params=params, **overrides)

    def make_long_request(self):
        return self.make_request(params={"steps": 8}, seed=2)

    def output_signature(self, artifact):
        with open(artifact.path, "rb") as f:
            frames, rate, _tags = read_video(f.read())
        return frames.tobytes(), rate
