"""The video pack end to end on tiny random-weight pipelines loaded through its loader."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from PIL import Image

from studio.api import ParamError, RequestError
from studio.api.video import read_video
from studio.app.metadata import read_file_metadata
from studio.cli.main import main


def _clip(path):
    with open(path, "rb") as f:
        return read_video(f.read())


@pytest.mark.parametrize("family,frames,fps", [
    ("wan", 9, Fraction(24000, 1001)),
    ("ltx", 9, Fraction(24)),
    ("animatediff", 4, Fraction(8)),
])
def test_mp4_has_the_asked_frames_size_and_fps(engine, video_request, family, frames, fps):
    events = []
    engine.subscribe(events.append)
    request = video_request(family, params={"num_frames": frames, "fps": float(fps)})
    job = engine.run(request, timeout=600)
    assert job.state == "done", job.error
    [art] = job.artifacts
    assert art.kind == "video" and art.path.endswith(".mp4")
    decoded, rate, tags = _clip(art.path)
    assert decoded.shape == (frames, 64, 64, 3)
    assert rate == fps
    assert tags["seed"] == "7" and tags["prompt"] == "a red fox in the snow"
    assert json.loads(tags["comment"])["family"] == family
    # Every step reported, with a latent preview (no VAE decode) to judge the clip by.
    steps = [e for e in events if e.kind == "progress" and e.stage == "generating"]
    assert [e.step for e in steps] == [1, 2]
    assert all(isinstance(e.preview, Image.Image) for e in steps)
    assert engine.library.thumbnail_path(art.id).is_file()


def test_frame_count_is_rounded_to_the_model_rule_and_said(engine, video_request):
    job = engine.run(video_request("wan", params={"num_frames": 6}), timeout=600)
    assert job.state == "done", job.error
    [art] = job.artifacts
    assert _clip(art.path)[0].shape[0] == 5  # Wan makes 4k+1 frames
    assert art.metadata["num_frames"] == 5
    assert "num_frames 6 rounded to 5" in " ".join(art.metadata["notes"])


def test_studio_frames_equal_plain_diffusers(tiny_models):
    """Same folder, seed and settings: the pack adds no change to the frames."""
    import torch
    from diffusers import LTXPipeline
    from studio_video.generator import VideoGenerator
    from studio_video.plugin import studio_register_generators

    from studio.api import CancelToken, GenerationRequest, LoadPlan

    infos = []
    studio_register_generators(register=infos.append)
    gen = VideoGenerator(infos[0])
    model = tiny_models("ltx")
    loaded = gen.load(model, LoadPlan())
    request = GenerationRequest(modality="video", task="txt2video", model=model, seed=4,
                                prompt="a cat runs", generator="video.diffusers",
                                params={"steps": 2, "width": 64, "height": 64,
                                        "num_frames": 9, "fps": 24})
    [out] = gen.generate(request, loaded, lambda *a, **k: None, CancelToken())
    plain = LTXPipeline.from_pretrained(model, local_files_only=True)
    plain.set_progress_bar_config(disable=True)
    ref = plain(prompt="a cat runs", height=64, width=64, num_frames=9, frame_rate=24.0,
                num_inference_steps=2, guidance_scale=3.0,
                generator=torch.Generator("cpu").manual_seed(4), output_type="np").frames[0]
    frames, fps = out.data
    assert fps == 24
    np.testing.assert_array_equal(frames, (np.clip(ref, 0, 1) * 255).round().astype(np.uint8))


def test_img2video_uses_its_input(engine, video_request, tmp_path):
    # Random weights make no picture to compare with the input, so the check is that
    # the input reaches the pipeline: two inputs, same seed, different clips.
    firsts = []
    for i, color in enumerate([(250, 20, 20), (20, 20, 250)]):
        path = tmp_path / f"in{i}.png"
        Image.new("RGB", (96, 64), color).save(path)
        job = engine.run(video_request("ltx", task="img2video", inputs={"image": str(path)},
                                       params={"width": None, "height": None}), timeout=600)
        assert job.state == "done", job.error
        decoded = _clip(job.artifacts[0].path)[0]
        # No size given: the input's size, at the model's multiple.
        assert decoded.shape[1:3] == (64, 96)
        firsts.append(decoded[0].astype(int))
    assert np.abs(firsts[0] - firsts[1]).mean() > 1


# -- bad input: refused before queueing, nothing written ------------------------------


@pytest.mark.parametrize("family,change,error,message", [
    ("wan", {"params": {"width": 72}}, ParamError,
     "width 72 is not a multiple of 16, which tiny-wan needs; the nearest allowed value is"),
    ("animatediff", {"params": {"num_frames": 40}}, ParamError,
     "num_frames 40 is more than animatediff makes; the nearest allowed value is 32"),
    ("wan", {"task": "img2video", "inputs": {"image": "IMG"}}, RequestError,
     "is a text-to-video model (WanPipeline) and takes no image input"),
    ("ltx", {"task": "img2video", "inputs": {"image": "BAD"}}, RequestError,
     "is not a readable image"),
])
def test_bad_input_is_refused_before_queueing(engine, video_request, tmp_path, family,
                                              change, error, message):
    Image.new("RGB", (64, 64)).save(tmp_path / "img.png")
    (tmp_path / "bad.png").write_bytes(b"not an image")
    inputs = {k: str(tmp_path / ("img.png" if v == "IMG" else "bad.png"))
              for k, v in change.pop("inputs", {}).items()}
    with pytest.raises(error) as caught:
        engine.submit(video_request(family, inputs=inputs, **change))
    assert message in str(caught.value)
    assert engine.jobs() == [] and engine.library.count() == 0


def test_cli_bad_size_exits_2_in_one_line(capsys, tiny_models):
    code = main(["generate", "video", "--model", tiny_models("wan"), "--set", "width=72",
                 "--set", "height=64", "--set", "num_frames=5"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "nearest allowed value is" in err


def test_from_file_regenerates_from_a_studio_mp4(capsys, tiny_models):
    args = ["generate", "video", "--json", "--model", tiny_models("ltx"), "--seed", "9",
            "--prompt", "a paper boat on the river", "--set", "steps=2", "--set", "width=64",
            "--set", "height=64", "--set", "num_frames=5", "--set", "format=mp4"]
    assert main(args) == 0, capsys.readouterr().err
    first = json.loads(capsys.readouterr().out)["artifacts"][0]["path"]
    meta = read_file_metadata(first)
    assert meta.request.seed == 9 and meta.request.params["num_frames"] == 5
    assert main(["generate", "video", "--json", "--from-file", first]) == 0
    again = json.loads(capsys.readouterr().out)["artifacts"][0]["path"]
    assert np.array_equal(_clip(first)[0], _clip(again)[0])


# -- memory -----------------------------------------------------------------------


def test_decode_out_of_memory_is_retried_tiled_without_denoising_again(
        engine, video_request, monkeypatch):
    import torch
    from diffusers import AutoencoderKLLTXVideo, LTXVideoTransformer3DModel

    calls = {"decode": 0, "denoise": 0}
    real_decode = AutoencoderKLLTXVideo._decode
    real_forward = LTXVideoTransformer3DModel.forward

    def failing_once(self, *args, **kwargs):
        calls["decode"] += 1
        if calls["decode"] == 1:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 9 GiB")
        return real_decode(self, *args, **kwargs)

    def counting(self, *args, **kwargs):
        calls["denoise"] += 1
        return real_forward(self, *args, **kwargs)

    monkeypatch.setattr(AutoencoderKLLTXVideo, "_decode", failing_once)
    monkeypatch.setattr(LTXVideoTransformer3DModel, "forward", counting)
    job = engine.run(video_request("ltx", params={"num_frames": 5}), timeout=600)
    assert job.state == "done", job.error
    [art] = job.artifacts
    assert calls["decode"] == 2
    # Two steps, one batched (CFG) transformer call each: the denoise ran once.
    assert calls["denoise"] == 2
    assert "retried tiled" in " ".join(art.metadata["notes"])
    assert _clip(art.path)[0].shape == (5, 64, 64, 3)


def test_cancelled_clip_skips_the_decode(engine, video_request, monkeypatch):
    from diffusers import AutoencoderKLLTXVideo

    decodes = []
    real_decode = AutoencoderKLLTXVideo._decode
    monkeypatch.setattr(AutoencoderKLLTXVideo, "_decode",
                        lambda self, *a, **k: decodes.append(1) or real_decode(self, *a, **k))

    def watch(event):
        if event.kind == "progress" and event.stage == "generating" and event.step == 1:
            engine.cancel(event.job_id)

    engine.subscribe(watch)
    job = engine.run(video_request("ltx", params={"steps": 4, "num_frames": 5}), timeout=600)
    assert job.state == "cancelled"
    assert decodes == [] and engine.library.count() == 0


def test_packed_latent_preview_unpacks_the_middle_frame():
    import torch
    from studio_video.preview import latent_preview

    latents = torch.zeros(1, 3 * 4 * 5, 8)
    latents.view(1, 3, 4, 5, 8)[0, 1, 0, 0] = 1.0  # middle frame, top-left token
    image = latent_preview(latents, grid=(3, 4, 5))
    pixels = np.asarray(image)
    assert pixels[0, 0].tolist() == [255, 255, 255] and pixels[-1, -1].tolist() == [0, 0, 0]
    assert latent_preview(torch.zeros(1, 7, 8), grid=(3, 4, 5)) is None


def test_animatediff_from_base_plus_adapter(engine, video_request, tmp_path):
    from studio_video.testing import save_tiny_base_and_adapter

    base, adapter = save_tiny_base_and_adapter(tmp_path / "ad")
    job = engine.run(video_request("animatediff", model=f"{base}+{adapter}",
                                   params={"num_frames": 4}), timeout=600)
    assert job.state == "done", job.error
    [art] = job.artifacts
    assert _clip(art.path)[0].shape == (4, 64, 64, 3)
    assert art.metadata["pipeline"] == "AnimateDiffPipeline"


def test_decode_that_cannot_fit_is_refused_naming_what_to_lower(monkeypatch, tiny_models):
    from types import SimpleNamespace

    import torch
    from studio_video.generator import _fit_decode
    from studio_video.loading import LoadedVideo
    from studio_video.models import activation_bytes, locate

    from studio.api import LoadPlan, OutOfMemory

    switched = []
    vae = SimpleNamespace(enable_tiling=lambda: switched.append("tiling"),
                          enable_slicing=lambda: switched.append("slicing"))
    source = locate(tiny_models("ltx"))
    loaded = LoadedVideo(source, LoadPlan(device="cuda"), SimpleNamespace(vae=vae))
    need = activation_bytes(source, 33, 512, 512, "float32")
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (need * 2, need * 4))
    assert _fit_decode(loaded, 33, 512, 512) == [] and switched == []
    # Does not fit whole, fits tiled: tiling and slicing go on, and the job says so.
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (need // 2, need))
    assert "VAE tiling on" in _fit_decode(loaded, 33, 512, 512)[0]
    assert switched == ["tiling", "slicing"]
    # Not even tiled: refused before running, naming what to lower.
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (need // 100, need))
    with pytest.raises(OutOfMemory, match="lower num_frames"):
        _fit_decode(loaded, 33, 512, 512)


def test_decode_failing_even_tiled_keeps_the_latents_on_disk(tiny_models, tmp_path,
                                                             monkeypatch):
    import torch
    from diffusers import AutoencoderKLLTXVideo
    from studio_video.generator import VideoGenerator
    from studio_video.plugin import studio_register_generators

    from studio.api import CancelToken, GenerationRequest, LoadPlan, OutOfMemory

    def always_oom(self, *args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 9 GiB")

    infos = []
    studio_register_generators(register=infos.append)
    gen = VideoGenerator(infos[0])
    loaded = gen.load(tiny_models("ltx"), LoadPlan(cache_dir=tmp_path / "cache"))
    monkeypatch.setattr(AutoencoderKLLTXVideo, "_decode", always_oom)
    request = GenerationRequest(modality="video", task="txt2video", model="m", seed=1,
                                prompt="a dog", params={"steps": 2, "width": 64,
                                                        "height": 64, "num_frames": 5})
    with pytest.raises(OutOfMemory, match="latents are kept in") as caught:
        gen.generate(request, loaded, lambda *a, **k: None, CancelToken())
    gen.unload(loaded)  # the error's traceback keeps the model: its thread ends here
    [kept] = (tmp_path / "cache" / "video-latents").glob("*.pt")
    assert str(kept) in str(caught.value)
    assert torch.load(kept).ndim == 5  # (batch, channels, frames, height, width)
