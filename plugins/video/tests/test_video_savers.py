"""Memory savers: float8 weight storage and group offload with streams (CUDA only)."""

from __future__ import annotations

import pytest

from studio.api import GenerationRequest, LoadPlan, ParamError


def test_group_offload_is_refused_on_cpu_before_queueing(engine, video_request):
    with pytest.raises(ParamError, match="group_offload streams weights to a CUDA GPU and "
                                         "this studio runs on cpu"):
        engine.submit(video_request("wan", params={"group_offload": True}))
    assert engine.jobs() == [] and engine.library.count() == 0


def test_cli_group_offload_on_cpu_exits_2_in_one_line(capsys, tiny_models):
    from studio.cli.main import main

    code = main(["generate", "video", "--model", tiny_models("wan"), "--set",
                 "group_offload=true", "--set", "num_frames=5"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("studio: group_offload") and "\n" not in err


def test_fp8_storage_reaches_the_transformer_and_comes_off_again(tiny_models):
    import torch
    from studio_video.generator import VideoGenerator
    from studio_video.plugin import studio_register_generators

    from studio.api import CancelToken

    infos = []
    studio_register_generators(register=infos.append)
    gen = VideoGenerator(infos[0])
    model = tiny_models("wan")
    loaded = gen.load(model, LoadPlan())

    def run(fp8):
        request = GenerationRequest(modality="video", generator="video.diffusers",
                                    model=model, task="txt2video", prompt="a cat", seed=1,
                                    params={"steps": 1, "width": 64, "height": 64,
                                            "num_frames": 5, "fp8_storage": fp8})
        [out] = gen.generate(request, loaded, lambda *a, **k: None, CancelToken())
        return out

    def weight_dtype():
        return loaded.pipe.transformer.blocks[0].attn1.to_q.weight.dtype

    try:
        assert weight_dtype() == torch.float32
        out = run(True)
        assert weight_dtype() == torch.float8_e4m3fn
        assert out.data[0].shape == (5, 64, 64, 3)
        assert any("float8" in note for note in out.metadata["notes"])
        # Float8 storage cannot be undone in place: the model is loaded again without it.
        run(False)
        assert weight_dtype() == torch.float32
    finally:
        gen.unload(loaded)


def test_group_offload_streams_the_denoiser_and_places_the_rest():
    # No CUDA on the machines these tests run on, so the placement is checked on
    # stand-ins for the pipeline's components: the call diffusers gets is the check.
    from studio_video.loading import Savers, place

    class Part:
        def __init__(self):
            self.moved_to = None
            self.offload = None

        def to(self, device):
            self.moved_to = device

        def enable_group_offload(self, **kwargs):
            self.offload = kwargs

        def enable_layerwise_casting(self, **kwargs):
            self.casting = kwargs

    class Pipe:
        def __init__(self):
            self.transformer, self.vae, self.text_encoder = Part(), Part(), Part()
            self.components = {"transformer": self.transformer, "vae": self.vae,
                               "text_encoder": self.text_encoder, "scheduler": object()}

        def to(self, device):
            raise AssertionError("the whole pipeline must not move with group offload")

    pipe = Pipe()
    place(pipe, LoadPlan(device="cuda"), Savers(group_offload=True))
    offload = pipe.transformer.offload
    assert offload["use_stream"] is True and str(offload["onload_device"]) == "cuda"
    assert str(offload["offload_device"]) == "cpu"
    assert pipe.transformer.moved_to is None
    assert pipe.vae.moved_to == "cuda" and pipe.text_encoder.moved_to == "cuda"
