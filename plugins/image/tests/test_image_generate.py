"""The image pack through the engine: real loading, real pipelines, tiny random weights."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from studio.api import LoadPlan, ParamError


def run_ok(engine, request):
    job = engine.run(request, timeout=120)
    assert job.state == "done", job.error
    return job


def test_txt2img_batch_matches_plain_diffusers_per_seed(engine, image_request, raw_pipe, pixels):
    job = run_ok(engine, image_request(seed=11, params={"batch_size": 2}))
    assert [a.seed for a in job.artifacts] == [11, 12]
    gens = [torch.Generator("cpu").manual_seed(11 + i) for i in range(2)]
    ref = raw_pipe("a red fox in the snow", num_inference_steps=2, guidance_scale=7.0,
                   num_images_per_prompt=2, generator=gens).images
    for art, expected in zip(job.artifacts, ref, strict=True):
        got = pixels(art.path)
        assert got.shape == (64, 64, 3)
        np.testing.assert_array_equal(got, np.asarray(expected))


def test_same_seed_same_pixels_other_seed_other_pixels(engine, image_request, pixels):
    a = run_ok(engine, image_request(seed=3)).artifacts[0]
    b = run_ok(engine, image_request(seed=3)).artifacts[0]
    c = run_ok(engine, image_request(seed=4)).artifacts[0]
    np.testing.assert_array_equal(pixels(a.path), pixels(b.path))
    assert not np.array_equal(pixels(a.path), pixels(c.path))


def test_size_scheduler_and_negative_prompt_reach_the_pipeline(engine, image_request, raw_pipe,
                                                               pixels):
    from diffusers import EulerAncestralDiscreteScheduler

    params = {"width": 96, "height": 64, "scheduler": "euler_a", "guidance_scale": 4.5,
              "negative_prompt": "blurry"}
    art = run_ok(engine, image_request(seed=5, params=params)).artifacts[0]
    own = raw_pipe.scheduler
    raw_pipe.scheduler = EulerAncestralDiscreteScheduler.from_config(own.config)
    try:
        ref = raw_pipe("a red fox in the snow", negative_prompt="blurry", width=96, height=64,
                       num_inference_steps=2, guidance_scale=4.5,
                       generator=[torch.Generator("cpu").manual_seed(5)]).images[0]
    finally:
        raw_pipe.scheduler = own
    np.testing.assert_array_equal(pixels(art.path), np.asarray(ref))
    text = Image.open(art.path).text["parameters"]
    assert "Negative prompt: blurry" in text and "Sampler: Euler a" in text
    assert "CFG scale: 4.5" in text and "Size: 96x64" in text


def test_image_tasks_run_at_their_sizes(engine, image_request, raw_pipe, pixels, tmp_path):
    from diffusers import AutoPipelineForImage2Image

    source = run_ok(engine, image_request(seed=1)).artifacts[0]
    mask = tmp_path / "mask.png"
    m = Image.new("L", (64, 64), 0)
    m.paste(255, (16, 16, 48, 48))
    m.save(mask)
    img2img = run_ok(engine, image_request(task="img2img", inputs={"image": source.path},
                                           params={"steps": 4, "strength": 0.5}))
    ref = AutoPipelineForImage2Image.from_pipe(raw_pipe)(
        "a red fox in the snow", image=Image.open(source.path).convert("RGB"), strength=0.5,
        num_inference_steps=4, guidance_scale=7.0,
        generator=[torch.Generator("cpu").manual_seed(7)]).images[0]
    np.testing.assert_array_equal(pixels(img2img.artifacts[0].path), np.asarray(ref))
    inpaint = run_ok(engine, image_request(task="inpaint",
                                           inputs={"image": source.path, "mask": str(mask)}))
    got = pixels(inpaint.artifacts[0].path)
    assert got.shape == (64, 64, 3)
    variation = run_ok(engine, image_request(task="variations", prompt="",
                                             inputs={"image": f"artifact:{source.id}"},
                                             params={"steps": 4}))
    art = variation.artifacts[0]
    assert art.parent == source.id and pixels(art.path).shape == (64, 64, 3)
    # Without a prompt, a variation reuses the source image's own prompt.
    assert Image.open(art.path).text["parameters"].startswith("a red fox in the snow\n")
    upscale = run_ok(engine, image_request(task="upscale", inputs={"image": source.path},
                                           params={"steps": 4}))
    assert Image.open(upscale.artifacts[0].path).size == (128, 128)


def test_progress_carries_small_previews(engine, image_request):
    events = []
    engine.subscribe(events.append)
    run_ok(engine, image_request(params={"steps": 3}))
    steps = [e for e in events if e.kind == "progress" and e.stage == "generating"]
    # PNDM (this model's own scheduler) adds a warm-up step: totals are what really runs.
    total = steps[-1].total
    assert total >= 3 and {e.total for e in steps} == {total}
    assert [e.step for e in steps] == list(range(1, total + 1))
    previews = [e.preview for e in steps if e.preview is not None]
    assert previews and all(isinstance(p, Image.Image) for p in previews)
    assert previews[-1].size == (32, 32)  # latent size: the VAE halves each side here
    assert any(low < high for low, high in previews[-1].getextrema())


@pytest.mark.parametrize("cancel_at", [1, 3])
def test_cancel_stops_within_a_step(engine, image_request, cancel_at):
    steps = []

    def listener(event):
        if event.kind == "progress" and event.stage == "generating":
            steps.append(event.step)
            if event.step == cancel_at:
                engine.cancel(event.job_id)

    engine.subscribe(listener)
    job = engine.submit(image_request(params={"steps": 20}))
    engine.wait(job.id, 120)
    assert job.state == "cancelled"
    assert max(steps) <= cancel_at + 1
    assert engine.library.count() == 0


def test_loras_apply_with_their_weights(engine, image_request, tiny_model, pixels, tmp_path):
    from diffusers import StableDiffusionPipeline
    from diffusers.utils import convert_state_dict_to_diffusers
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    pipe = StableDiffusionPipeline.from_pretrained(tiny_model, local_files_only=True)
    torch.manual_seed(0)
    pipe.unet.add_adapter(LoraConfig(r=4, lora_alpha=4, init_lora_weights=False,
                                     target_modules=["to_q", "to_k", "to_v", "to_out.0"]))
    layers = convert_state_dict_to_diffusers(get_peft_model_state_dict(pipe.unet))
    StableDiffusionPipeline.save_lora_weights(tmp_path / "lora", unet_lora_layers=layers)
    lora = tmp_path / "lora" / "pytorch_lora_weights.safetensors"

    def image(loras):
        return pixels(run_ok(engine, image_request(params={"loras": loras})).artifacts[0].path)

    base = image("")
    full = image(f"{lora}:1.0")
    assert not np.array_equal(base, full)
    np.testing.assert_array_equal(image(f"{lora}:0"), base)
    np.testing.assert_array_equal(image(""), base)  # switched off again, not left on


def test_pickle_checkpoints_are_refused_unless_allowed(make_engine, image_request, tmp_path,
                                                       monkeypatch, tiny_model):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    ckpt = tmp_path / "model.ckpt"
    ckpt.write_bytes(b"not really a pickle")
    folder = tmp_path / "bin-only"
    (folder / "unet").mkdir(parents=True)
    (folder / "model_index.json").write_text("{}")
    (folder / "unet" / "diffusion_pytorch_model.bin").write_bytes(b"x")
    engine = make_engine()
    for model in (ckpt, folder):
        job = engine.run(image_request(model=str(model)), timeout=60)
        assert job.state == "failed"
        assert "pickle" in job.error and "allow_pickle" in job.error
    allowed = make_engine(allow_pickle=True).run(image_request(model=str(ckpt)), timeout=60)
    assert allowed.state == "failed" and "allow_pickle" not in allowed.error


def test_estimate_scales_with_dtype_and_matches_the_weights(tiny_model, raw_pipe):
    from studio_image.generator import DiffusersGenerator
    from studio_image.loading import ACTIVATION_FACTOR
    from studio_image.plugin import PARAMS  # noqa: F401  (the pack is importable cheaply)

    gen = DiffusersGenerator.__new__(DiffusersGenerator)
    fp32 = gen.estimate_bytes(str(tiny_model), LoadPlan(dtype="float32"))
    fp16 = gen.estimate_bytes(str(tiny_model), LoadPlan(dtype="float16"))
    weights = sum(t.numel() * 4 for part in (raw_pipe.unet, raw_pipe.vae, raw_pipe.text_encoder)
                  for t in part.state_dict().values())
    assert fp32 is not None and fp16 is not None
    assert abs(fp32 / ACTIVATION_FACTOR - weights) <= 1
    assert abs(fp32 / fp16 - 2) < 0.01


def test_a_model_that_cannot_fit_is_refused_before_loading(engine, image_request, monkeypatch):
    from studio_image import loading

    monkeypatch.setattr(loading, "_available_ram", lambda: 1000)
    job = engine.run(image_request(), timeout=60)
    assert job.state == "failed" and "GB of RAM" in job.error


def test_strength_that_leaves_no_step_is_refused(engine, image_request, tmp_path):
    src = tmp_path / "in.png"
    Image.new("RGB", (64, 64), (40, 90, 200)).save(src)
    # Refused before queueing, with the generator's own check (issue #10).
    with pytest.raises(ParamError, match="leaves no step to run"):
        engine.run(image_request(task="img2img", inputs={"image": str(src)},
                                 params={"steps": 2, "strength": 0.3}), timeout=60)
    assert engine.jobs() == []


def test_png_carries_a1111_text_and_the_studio_request(engine, image_request):
    art = run_ok(engine, image_request(seed=9, params={"negative_prompt": "ugly"})).artifacts[0]
    chunks = Image.open(art.path).text
    first, negative, settings = chunks["parameters"].split("\n")
    assert first == "a red fox in the snow" and negative == "Negative prompt: ugly"
    assert settings.startswith("Steps: 2, Sampler: PLMS, CFG scale: 7, Seed: 9, Size: 64x64")
    assert "Model: tiny-sd" in settings and "Model hash: " in settings
    stored = json.loads(chunks["studio"])["request"]
    assert stored["seed"] == 9 and stored["params"]["negative_prompt"] == "ugly"


def test_sdxl_turbo_uses_family_defaults_and_matches_diffusers(engine, image_request,
                                                               tiny_turbo_model, pixels):
    from diffusers import AutoPipelineForImage2Image, StableDiffusionXLPipeline

    job = run_ok(engine, image_request(model=str(tiny_turbo_model), params={"steps": None}))
    art = job.artifacts[0]
    assert art.metadata["family"] == "turbo"
    assert art.metadata["steps"] == 4 and art.metadata["guidance_scale"] == 0.0
    raw = StableDiffusionXLPipeline.from_pretrained(tiny_turbo_model, local_files_only=True)
    raw.set_progress_bar_config(disable=True)
    ref = raw("a red fox in the snow", num_inference_steps=4, guidance_scale=0.0,
              generator=[torch.Generator("cpu").manual_seed(7)]).images[0]
    np.testing.assert_array_equal(pixels(art.path), np.asarray(ref))
    # The image-to-image pipeline shares the loaded SDXL components (from_pipe).
    img2img = run_ok(engine, image_request(model=str(tiny_turbo_model), task="img2img",
                                           inputs={"image": art.path}, params={"steps": 4}))
    ref2 = AutoPipelineForImage2Image.from_pipe(raw)(
        "a red fox in the snow", image=Image.open(art.path).convert("RGB"), strength=0.75,
        num_inference_steps=4, guidance_scale=0.0,
        generator=[torch.Generator("cpu").manual_seed(7)]).images[0]
    np.testing.assert_array_equal(pixels(img2img.artifacts[0].path), np.asarray(ref2))
