"""The pack's cheap half: discovery, the descriptor, and no heavy imports at start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from studio.api.loras import parse_loras
from studio.app.plugins import PluginHost


def test_entry_module_imports_no_torch():
    code = ("import sys, studio_image.plugin; "
            "print(sorted(m for m in ('torch', 'diffusers', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_discovered_like_any_pack_with_its_contract():
    host = PluginHost()
    host.discover()
    info = host.generator("image.diffusers")
    assert info.modality == "image" and info.supports_preview
    assert info.tasks == ("txt2img", "img2img", "inpaint", "variations", "upscale")
    assert info.task_inputs["inpaint"] == ("image", "mask")
    names = [p.name for p in info.params]
    for name in ("steps", "guidance_scale", "width", "height", "negative_prompt", "scheduler",
                 "strength", "batch_size"):
        assert name in names and info.params.get(name).display_label
    assert info.params.get("width").multiple_of == 8 and info.params.get("width").min == 64
    assert {m.ref for m in info.models} >= {"stabilityai/sdxl-turbo",
                                            "stabilityai/stable-diffusion-xl-base-1.0"}


def test_lora_list_parsing():
    assert parse_loras("a.safetensors:0.8; b.safetensors ;;") == [
        (Path("a.safetensors"), 0.8), (Path("b.safetensors"), 1.0)]
    assert parse_loras(r"C:\loras\x.safetensors") == [(Path(r"C:\loras\x.safetensors"), 1.0)]
    assert parse_loras("") == []


def test_dpmpp_2m_karras_is_dpm_solver_on_karras_sigmas():
    from diffusers import DDIMScheduler
    from studio_image.schedulers import make_scheduler, sampler_label

    base = DDIMScheduler()
    plain = make_scheduler("dpmpp_2m", base)
    karras = make_scheduler("dpmpp_2m_karras", base)
    assert type(karras).__name__ == "DPMSolverMultistepScheduler"
    assert karras.config.use_karras_sigmas and not plain.config.use_karras_sigmas
    plain.set_timesteps(10)
    karras.set_timesteps(10)
    assert not (plain.sigmas == karras.sigmas).all()
    assert sampler_label("dpmpp_2m_karras", karras) == "DPM++ 2M Karras"
