"""LoRAs on a tiny Wan (a few-step LoRA loads the same way), and files that do not fit."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def wan_loras(tmp_path_factory):
    """A LoRA for the tiny Wan transformer (random, non-zero B) and one with foreign keys."""
    import torch
    from diffusers import WanPipeline
    from peft import LoraConfig, get_peft_model_state_dict
    from safetensors.torch import save_file
    from studio_video.testing import tiny_pipeline

    folder = tmp_path_factory.mktemp("loras")
    transformer = tiny_pipeline("wan").transformer
    torch.manual_seed(0)
    transformer.add_adapter(LoraConfig(r=2, lora_alpha=2, init_lora_weights=False,
                                       target_modules=["to_q", "to_k", "to_v", "to_out.0"]))
    WanPipeline.save_lora_weights(folder, weight_name="fast.safetensors",
                                  transformer_lora_layers=get_peft_model_state_dict(transformer))
    # An SD-style LoRA in kohya's format (diffusers tries to convert it and fails), and
    # one whose keys diffusers takes for another model's (it would load nothing, quietly).
    save_file({"lora_unet_down_blocks_0.lora_down.weight": torch.zeros(2, 4)},
              folder / "kohya.safetensors")
    save_file({"unet.down.0.lora_down.weight": torch.zeros(2, 4)},
              folder / "other.safetensors")
    return folder / "fast.safetensors", folder / "kohya.safetensors", folder / "other.safetensors"


def _first_step_output(gen, loaded, request):
    from studio.api import CancelToken

    outs = []
    hook = loaded.pipe.transformer.register_forward_hook(
        lambda module, args, out: outs.append(out[0].clone()))
    try:
        gen.generate(request, loaded, lambda *a, **k: None, CancelToken())
    finally:
        hook.remove()
    return outs[0]


def test_a_lora_changes_what_the_transformer_makes(tiny_models, wan_loras):
    from studio_video.generator import VideoGenerator
    from studio_video.plugin import studio_register_generators

    from studio.api import GenerationRequest, LoadPlan

    infos = []
    studio_register_generators(register=infos.append)
    gen = VideoGenerator(infos[0])
    model = tiny_models("wan")
    loaded = gen.load(model, LoadPlan())

    def request(loras=""):
        return GenerationRequest(modality="video", generator="video.diffusers", model=model,
                                 task="txt2video", prompt="a cat", seed=5,
                                 params={"steps": 1, "width": 64, "height": 64,
                                         "num_frames": 5, "loras": loras})

    try:
        plain = _first_step_output(gen, loaded, request())
        with_lora = _first_step_output(gen, loaded, request(f"{wan_loras[0]}:1.0"))
        assert loaded.pipe.get_active_adapters() == [next(iter(loaded.loras))]
        assert not with_lora.equal(plain)
        # Off again when the next request names none.
        assert _first_step_output(gen, loaded, request()).equal(plain)
    finally:
        gen.unload(loaded)


def test_the_job_records_its_loras(engine, video_request, wan_loras):
    job = engine.run(video_request("wan", params={"num_frames": 5,
                                                   "loras": f"{wan_loras[0]}:0.5"}),
                     timeout=600)
    assert job.state == "done", job.error
    assert job.artifacts[0].metadata["loras"] == "fast: 0.5"


@pytest.mark.parametrize("which,message", [
    (1, "LoRA kohya.safetensors does not fit this model: its keys "
        "('lora_unet_down_blocks_0.lora_down.weight', ...) are in a format this diffusers "
        "does not convert for WanPipeline"),
    (2, "LoRA other.safetensors does not fit this model: none of its keys "
        "('unet.down.0.lora_down.weight', ...) names a layer of WanPipeline"),
])
def test_a_lora_for_another_model_fails_its_job_in_one_line(engine, video_request, wan_loras,
                                                           which, message):
    job = engine.run(video_request("wan", params={"num_frames": 5,
                                                   "loras": str(wan_loras[which])}),
                     timeout=600)
    assert job.state == "failed"
    assert message in job.error
    assert "\n" not in job.error
    assert engine.library.count() == 0


def test_a_missing_lora_is_refused_before_queueing(engine, video_request, tmp_path):
    from studio.api import ParamError

    with pytest.raises(ParamError, match=r"LoRA file .*nothing\.safetensors' does not exist"):
        engine.submit(video_request("wan", params={
            "loras": str(tmp_path / "nothing.safetensors")}))
    assert engine.jobs() == []
