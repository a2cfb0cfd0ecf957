"""Memory plans: refusing what cannot fit, and the savers switched on for large images."""

from __future__ import annotations

import pytest
import torch
from studio_image import generator as generator_mod
from studio_image.loading import check_fits, load_model
from studio_image.models import locate

from studio.api import CancelToken, GenerationRequest, LoadPlan, OutOfMemory
from studio.app.devices import is_out_of_memory


@pytest.fixture
def small_gpu(monkeypatch):
    """Pretend to be a CUDA device with 10 kB free (the tiny model needs ~0.4 MB)."""
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (10_000, 20_000))


def test_too_big_without_offload_is_an_oom_the_host_retries(tiny_model, small_gpu):
    with pytest.raises(torch.OutOfMemoryError) as info:
        check_fits(locate(str(tiny_model)), LoadPlan(device="cuda:0"))
    # The runner recognises it and retries with the offload plan.
    assert is_out_of_memory(info.value)


def test_too_big_even_with_offload_is_refused_with_what_to_change(tiny_model, small_gpu):
    with pytest.raises(OutOfMemory, match=r"even with CPU offload.*float16"):
        check_fits(locate(str(tiny_model)), LoadPlan(device="cuda:0", offload=True))


def test_large_images_switch_on_vae_tiling_and_attention_slicing(tiny_model, monkeypatch):
    loaded = load_model(str(tiny_model), LoadPlan())
    gen = generator_mod.DiffusersGenerator.__new__(generator_mod.DiffusersGenerator)
    request = GenerationRequest(modality="image", prompt="x", task="txt2img",
                                generator="image.diffusers", model=str(tiny_model),
                                params={"steps": 2}, seed=1)
    seen = []

    def progress(step, total, preview=None, text=None):
        seen.append(step)

    monkeypatch.setattr(generator_mod, "LARGE_PIXELS", 0)
    big = gen.generate(request, loaded, progress, CancelToken())
    assert loaded.text2img.vae.use_tiling and loaded._light
    monkeypatch.undo()
    small = gen.generate(request, loaded, progress, CancelToken())
    assert not loaded.text2img.vae.use_tiling and not loaded._light
    assert big[0].data.size == small[0].data.size == (64, 64) and seen
