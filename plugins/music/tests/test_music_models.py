"""Descriptors, declared families and memory estimates: cheap, no model loads."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from studio_music.models import declared_family, estimate_bytes, locate

from studio.api import LoadPlan, ModelError
from studio.app.plugins import PluginHost


def test_musicgen_is_registered_with_its_own_parameters_and_downloads():
    host = PluginHost()
    host.discover()
    info = host.generator("music.musicgen")
    names = {p.name for p in info.params}
    assert {"duration", "guidance_scale", "temperature", "top_k", "top_p", "format",
            "loudness", "fade_in", "fade_out", "loop"} <= names
    assert not names & {"bpm", "steps", "negative_prompt", "lyrics"}
    assert set(info.tasks) == {"txt2music", "continue", "melody"}
    refs = {m.ref for m in info.models}
    assert {"facebook/musicgen-small", "facebook/musicgen-medium", "facebook/musicgen-melody",
            "facebook/musicgen-stereo-small"} <= refs


def test_discovery_leaves_torch_unimported():
    code = ("import sys; from studio.app.plugins import PluginHost; h = PluginHost(); "
            "h.discover(); assert 'music.musicgen' in h.generators; "
            "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(("files", "family"), [
    ({"config.json": {"model_type": "musicgen"}}, "musicgen"),
    ({"config.json": {"model_type": "musicgen_melody"}}, "musicgen_melody"),
    ({"config.json": {"architectures": ["MusicgenMelodyForConditionalGeneration"]}},
     "musicgen_melody"),
    ({"model_index.json": {"_class_name": "StableAudioPipeline"}}, "stable_audio"),
    ({"model_index.json": {"_class_name": "AceStepPipeline"}}, "acestep"),
])
def test_family_comes_from_the_declared_files(tmp_path, files, family):
    folder = tmp_path / "musicgen-but-not-really"  # the name must not matter
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_text(json.dumps(data))
    (folder / "model.safetensors").write_bytes(b"")
    assert declared_family(locate(str(folder))) == family


def test_a_foreign_model_is_named_in_one_line(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llama"}))
    with pytest.raises(ModelError, match="declares model type 'llama'"):
        declared_family(locate(str(tmp_path)))


def test_estimate_comes_from_the_safetensors_headers(tiny_musicgen):
    from safetensors import safe_open

    n = 0
    with safe_open(str(tiny_musicgen / "model.safetensors"), "pt") as f:
        for key in f.keys():
            n += f.get_slice(key).get_shape().numel() if hasattr(
                f.get_slice(key).get_shape(), "numel") else _prod(f.get_slice(key).get_shape())
    full = estimate_bytes(str(tiny_musicgen), LoadPlan(dtype="float32"))
    half = estimate_bytes(str(tiny_musicgen), LoadPlan(dtype="float16"))
    assert full == int(n * 4 * 1.3)
    assert half == int(n * 2 * 1.3)


def _prod(shape):
    out = 1
    for d in shape:
        out *= d
    return out


def test_estimate_is_none_for_what_is_not_on_disk(tmp_path):
    assert estimate_bytes("someone/not-downloaded", LoadPlan()) is None
    assert estimate_bytes(str(tmp_path / "missing"), LoadPlan()) is None


def _pickle_only(src, dst):
    """A copy of a tiny MusicGen folder whose weights exist only as a pickle."""
    import shutil

    import torch
    from transformers import MusicgenForConditionalGeneration

    shutil.copytree(src, dst)
    for path in dst.glob("*.safetensors"):
        path.unlink()
    state = MusicgenForConditionalGeneration.from_pretrained(src).state_dict()
    torch.save({k: v.contiguous() for k, v in state.items()}, dst / "pytorch_model.bin")
    assert list(dst.glob("*.bin")) and not list(dst.glob("*.safetensors"))
    return dst


@pytest.mark.parametrize("allow_pickle", [False, True])
def test_pickle_only_folders_are_judged_at_load_under_the_setting(tiny_musicgen, tmp_path,
                                                                  allow_pickle):
    # check_request cannot see allow_pickle (it reaches the generator only in the load
    # plan), so it must not refuse a pickle folder the user has allowed.
    from studio_music.musicgen import MusicgenGenerator
    from studio_music.plugin import MUSICGEN

    from studio.api import GenerationRequest, ModelError
    from studio.app.backends import ThreadBackend
    from studio.app.engine import Engine
    from studio.app.library import Library
    from studio.app.runner import Runner
    from studio.app.settings import Settings

    folder = _pickle_only(tiny_musicgen, tmp_path / "old-musicgen")
    request = GenerationRequest(modality="music", generator="music.musicgen", seed=1,
                                model=str(folder), prompt="lofi piano",
                                params={"duration": 0.5, "loudness": None})
    MusicgenGenerator(MUSICGEN).check_request(request)  # no error
    host = PluginHost()
    host.discover()
    settings = Settings(device="cpu", allow_pickle=allow_pickle)
    engine = Engine(host, Library(tmp_path / "studio"),
                    ThreadBackend(Runner(host, settings)), settings)
    try:
        if allow_pickle:
            job = engine.run(request, timeout=600)
            assert job.state == "done", job.error
            assert job.artifacts
        else:
            # check_load sees the plan: refused before queueing, as bad input.
            with pytest.raises(ModelError) as info:
                engine.submit(request)
            message = str(info.value)
            assert "\n" not in message and engine.jobs() == []
            assert "pickle" in message and "old-musicgen" in message
            assert "allow_pickle" in message
    finally:
        engine.shutdown()
        engine.library.close()


@pytest.mark.parametrize("fixture", ["tiny_stable_audio", "tiny_acestep"])
def test_diffusion_check_request_leaves_pickles_to_the_load_plan(request, tmp_path, fixture):
    import shutil

    from studio_music.acestep import AceStepGenerator
    from studio_music.plugin import ACESTEP, STABLE_AUDIO
    from studio_music.stable_audio import StableAudioGenerator

    from studio.api import GenerationRequest

    folder = tmp_path / "old"
    shutil.copytree(request.getfixturevalue(fixture), folder)
    for path in folder.glob("*/*.safetensors"):
        path.with_suffix(".bin").write_bytes(b"\x80\x04junk")
        path.unlink()
    gen, gid = ((StableAudioGenerator(STABLE_AUDIO), "music.stable_audio")
                if fixture == "tiny_stable_audio" else (AceStepGenerator(ACESTEP), "music.acestep"))
    gen.check_request(GenerationRequest(modality="music", generator=gid, model=str(folder),
                                        prompt="x", params={"duration": 0.5}))  # no error
    with pytest.raises(ModelError, match="pickle"):
        gen.load(str(folder), LoadPlan())
