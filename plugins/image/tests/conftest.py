"""Fixtures for the image pack: one tiny random-weight SD folder per session, engines on it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from studio.api import GenerationRequest
from studio.app.backends import ThreadBackend
from studio.app.engine import Engine
from studio.app.library import Library
from studio.app.plugins import PluginHost
from studio.app.runner import Runner
from studio.app.settings import Settings


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A diffusers folder (safetensors) the pack loads through its real loading path."""
    from studio_image.testing import save_tiny_pipeline

    return save_tiny_pipeline(tmp_path_factory.mktemp("models") / "tiny-sd")


@pytest.fixture(scope="session")
def tiny_turbo_model(tmp_path_factory):
    """A random-weight SDXL folder whose name marks it as a Turbo model (family defaults)."""
    from studio_image.testing import save_tiny_pipeline

    return save_tiny_pipeline(tmp_path_factory.mktemp("models") / "tiny-sdxl-turbo", "tiny-xl")


@pytest.fixture(scope="session")
def raw_pipe(tiny_model):
    """Plain diffusers on the same folder: the reference the studio must match."""
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline.from_pretrained(tiny_model, local_files_only=True)
    pipe.set_progress_bar_config(disable=True)
    return pipe


@pytest.fixture
def make_engine(tmp_path):
    """Build engines on the real plugin discovery (the pack is installed editable)."""
    made = []

    def build(allow_pickle=False):
        host = PluginHost()
        host.discover()
        settings = Settings(device="cpu", allow_pickle=allow_pickle)
        root = tmp_path / f"studio{len(made)}"
        eng = Engine(host, Library(root), ThreadBackend(Runner(host, settings)), settings)
        made.append(eng)
        return eng

    yield build
    for eng in made:
        eng.shutdown()
        eng.library.close()


@pytest.fixture
def engine(make_engine):
    return make_engine()


@pytest.fixture
def image_request(tiny_model):
    def build(**kw):
        params = {"steps": 2, **kw.pop("params", {})}
        kw.setdefault("prompt", "a red fox in the snow")
        kw.setdefault("seed", 7)
        kw.setdefault("model", str(tiny_model))
        return GenerationRequest(modality="image", generator="image.diffusers", params=params,
                                 **kw)

    return build


@pytest.fixture
def pixels():
    def read(path) -> np.ndarray:
        with Image.open(path) as im:
            return np.asarray(im.convert("RGB"))

    return read
