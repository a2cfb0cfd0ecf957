"""Fixtures for the music pack: tiny random-weight MusicGen folders, engines on them."""

from __future__ import annotations

import pytest

from studio.api import GenerationRequest
from studio.app.backends import ThreadBackend
from studio.app.engine import Engine
from studio.app.library import Library
from studio.app.plugins import PluginHost
from studio.app.runner import Runner
from studio.app.settings import Settings


@pytest.fixture(scope="session", autouse=True)
def _one_thread():
    # The tiny decoder is dominated by per-op overhead: extra threads only contend
    # with each other on a small shared machine.
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_musicgen(tmp_path_factory):
    from studio_music.testing import save_tiny_musicgen

    return save_tiny_musicgen(tmp_path_factory.mktemp("models") / "tiny-musicgen")


@pytest.fixture(scope="session")
def tiny_stereo(tmp_path_factory):
    from studio_music.testing import save_tiny_musicgen

    return save_tiny_musicgen(tmp_path_factory.mktemp("models") / "tiny-musicgen-stereo",
                              stereo=True)


@pytest.fixture(scope="session")
def loaded_tiny(tiny_musicgen):
    """The tiny model loaded once through the pack's real loader."""
    from studio_music.musicgen import load_musicgen

    from studio.api import LoadPlan

    return load_musicgen(str(tiny_musicgen), LoadPlan())


@pytest.fixture(scope="session")
def loaded_stereo(tiny_stereo):
    from studio_music.musicgen import load_musicgen

    from studio.api import LoadPlan

    return load_musicgen(str(tiny_stereo), LoadPlan())


@pytest.fixture(scope="session")
def loaded_lookahead(tmp_path_factory):
    """A tiny MusicGen whose codec looks ahead (non-causal), as the released ones do."""
    from studio_music.musicgen import load_musicgen
    from studio_music.testing import save_tiny_musicgen

    from studio.api import LoadPlan

    folder = save_tiny_musicgen(tmp_path_factory.mktemp("models") / "tiny-musicgen-lookahead",
                                causal=False)
    return load_musicgen(str(folder), LoadPlan())


@pytest.fixture
def make_engine(tmp_path):
    made = []

    def build():
        host = PluginHost()
        host.discover()
        settings = Settings(device="cpu")
        root = tmp_path / f"studio{len(made)}"
        eng = Engine(host, Library(root), ThreadBackend(Runner(host, settings)), settings)
        made.append(eng)
        return eng

    yield build
    for eng in made:
        eng.shutdown()
        eng.library.close()


@pytest.fixture
def music_request(tiny_musicgen):
    def build(**kw):
        params = {"duration": 0.5, **kw.pop("params", {})}
        kw.setdefault("prompt", "lofi hip hop rainy night")
        kw.setdefault("seed", 7)
        kw.setdefault("model", str(tiny_musicgen))
        return GenerationRequest(modality="music", generator="music.musicgen", params=params,
                                 **kw)

    return build


@pytest.fixture(scope="session")
def tiny_melody(tmp_path_factory):
    from studio_music.testing import save_tiny_musicgen

    return save_tiny_musicgen(tmp_path_factory.mktemp("models") / "tiny-musicgen-melody",
                              melody=True)


@pytest.fixture(scope="session")
def tiny_stable_audio(tmp_path_factory):
    from studio_music.testing import save_tiny_stable_audio

    return save_tiny_stable_audio(tmp_path_factory.mktemp("models") / "tiny-stable-audio")


@pytest.fixture(scope="session")
def tiny_acestep(tmp_path_factory):
    from studio_music.testing import save_tiny_acestep

    return save_tiny_acestep(tmp_path_factory.mktemp("models") / "tiny-acestep")
