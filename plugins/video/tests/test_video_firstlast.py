"""First/last frame conditioning (task firstlast2video) on a tiny Wan image-to-video."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from studio.api import RequestError
from studio.api.video import read_video
from studio.app.metadata import read_file_metadata


@pytest.fixture
def frames_png(tmp_path):
    def make(name: str, color: tuple[int, int, int]) -> str:
        path = tmp_path / f"{name}.png"
        Image.new("RGB", (64, 64), color).save(path)
        return str(path)

    return make


def test_first_and_last_frame_job_round_trips(engine, video_request, frames_png):
    first, last = frames_png("first", (250, 20, 20)), frames_png("last", (20, 20, 250))
    request = video_request("wan-i2v", task="firstlast2video",
                            inputs={"image": first, "last_image": last})
    job = engine.run(request, timeout=600)
    assert job.state == "done", job.error
    [art] = job.artifacts
    with open(art.path, "rb") as f:
        frames, _rate, _tags = read_video(f.read())
    assert frames.shape == (9, 64, 64, 3)
    assert art.task == "firstlast2video"
    # The file says how to make it again: both frames, by role.
    stored = read_file_metadata(Path(art.path)).request
    assert stored.task == "firstlast2video"
    assert set(stored.inputs) == {"image", "last_image"}


def _transformer_inputs(model, task, inputs):
    """The latents the tiny Wan I2V transformer is given on its first step."""
    from studio_video.generator import VideoGenerator
    from studio_video.plugin import studio_register_generators

    from studio.api import CancelToken, GenerationRequest, LoadPlan

    infos = []
    studio_register_generators(register=infos.append)
    gen = VideoGenerator(infos[0])
    loaded = gen.load(model, LoadPlan())
    seen = []
    hook = loaded.pipe.transformer.register_forward_pre_hook(
        lambda module, args, kwargs: seen.append(kwargs["hidden_states"].clone()),
        with_kwargs=True)
    try:
        request = GenerationRequest(
            modality="video", generator="video.diffusers", task=task, model=model, seed=3,
            prompt="a cat", inputs=inputs,
            params={"steps": 1, "width": 64, "height": 64, "num_frames": 9})
        gen.generate(request, loaded, lambda *a, **k: None, CancelToken())
    finally:
        hook.remove()
        gen.unload(loaded)
    return seen[0]


def test_the_last_image_reaches_the_transformer(tiny_models, frames_png):
    # Random weights barely change the decoded pixels with the condition (about 1e-8
    # here), so the check is on what the transformer is given: after the 16 noise
    # channels, 4 mask the frames that are given, then 16 hold the VAE-encoded condition.
    model = tiny_models("wan-i2v")
    red, blue = frames_png("red", (250, 20, 20)), frames_png("blue", (20, 20, 250))
    only_first = _transformer_inputs(model, "img2video", {"image": red})
    to_red = _transformer_inputs(model, "firstlast2video", {"image": red, "last_image": red})
    to_blue = _transformer_inputs(model, "firstlast2video", {"image": red, "last_image": blue})
    assert only_first.shape[1] == 36
    # The mask (one channel per frame a latent frame stands for) marks the clip's last
    # frame as given only with a last image.
    assert (only_first[:, 16:20, -1] == 0).all()
    for given in (to_red, to_blue):
        assert (given[:, 19, -1] == 1).all() and (given[:, 16:19, -1] == 0).all()
    # Its condition is the last image's: it differs with the image, the first does not.
    assert not to_red[:, 20:, -1].equal(to_blue[:, 20:, -1])
    assert to_red[:, 20:, 0].equal(to_blue[:, 20:, 0])


@pytest.mark.parametrize("family,message", [
    ("ltx", "takes no last frame: first/last frame conditioning is for wan"),
    ("wan", "is a text-to-video model (WanPipeline) and takes no image input: first/last "
            "frame conditioning needs WanImageToVideoPipeline"),
])
def test_models_without_last_frame_conditioning_refuse_it(engine, video_request, frames_png,
                                                          family, message):
    inputs = {"image": frames_png("a", (1, 2, 3)), "last_image": frames_png("b", (3, 2, 1))}
    with pytest.raises(RequestError) as caught:
        engine.submit(video_request(family, task="firstlast2video", inputs=inputs))
    assert message in str(caught.value)
    assert engine.jobs() == [] and engine.library.count() == 0


def test_an_unreadable_last_image_is_named(engine, video_request, frames_png, tmp_path):
    bad = tmp_path / "last.png"
    bad.write_bytes(b"not a picture")
    with pytest.raises(RequestError, match=r"last_image input .* is not a readable image"):
        engine.submit(video_request("wan-i2v", task="firstlast2video",
                                    inputs={"image": frames_png("a", (1, 2, 3)),
                                            "last_image": str(bad)}))
    assert engine.jobs() == []


def test_first_frame_only_models_refuse_a_last_frame(tmp_path):
    # Wan 2.2 TI2V (expand_timesteps) would silently ignore the last image.
    import json

    from studio_video.generator import clip_settings
    from studio_video.models import locate

    from studio.api import GenerationRequest

    folder = tmp_path / "ti2v"
    (folder / "vae").mkdir(parents=True)
    (folder / "model_index.json").write_text(json.dumps(
        {"_class_name": "WanImageToVideoPipeline", "expand_timesteps": True}))
    (folder / "vae" / "config.json").write_text("{}")
    request = GenerationRequest(modality="video", task="firstlast2video", model=str(folder))
    with pytest.raises(RequestError, match="conditions on the first frame only"):
        clip_settings(request, locate(str(folder)))
