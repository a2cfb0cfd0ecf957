"""Fixtures for the video pack: tiny random-weight Wan, LTX and AnimateDiff folders."""

from __future__ import annotations

import pytest

from studio.api import GenerationRequest
from studio.app.backends import ThreadBackend
from studio.app.engine import Engine
from studio.app.library import Library
from studio.app.plugins import PluginHost
from studio.app.runner import Runner
from studio.app.settings import Settings


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory):
    """{family: folder}, built lazily: each family's folder is saved on first use."""
    from studio_video.testing import save_tiny

    root = tmp_path_factory.mktemp("video-models")
    made: dict[str, str] = {}

    def get(family: str) -> str:
        if family not in made:
            made[family] = str(save_tiny(root / f"tiny-{family}", family))
        return made[family]

    return get


@pytest.fixture
def make_engine(tmp_path):
    made = []

    def build():
        host = PluginHost()
        host.discover()
        settings = Settings(device="cpu")
        eng = Engine(host, Library(tmp_path / f"studio{len(made)}"),
                     ThreadBackend(Runner(host, settings)), settings)
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
def video_request(tiny_models):
    def build(family: str = "ltx", **kw):
        params = {"steps": 2, "width": 64, "height": 64, "num_frames": 9,
                  **kw.pop("params", {})}
        kw.setdefault("prompt", "a red fox in the snow")
        kw.setdefault("seed", 7)
        kw.setdefault("model", tiny_models(family))
        kw.setdefault("task", "txt2video")
        return GenerationRequest(modality="video", generator="video.diffusers",
                                 params=params, **kw)

    return build
