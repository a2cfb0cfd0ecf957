"""Easy Diffusion: one PNG text chunk per field (prompt, negative_prompt, seed,
num_inference_steps, guidance_scale, width, height, sampler_name,
use_stable_diffusion_model...), plain text, no JSON.
"""

from __future__ import annotations

from collections.abc import Mapping

from studio.app.metadata.model import FileMetadata, image_request


def looks_like(text: Mapping[str, str]) -> bool:
    return "prompt" in text and ("num_inference_steps" in text
                                 or "use_stable_diffusion_model" in text)


def parse(text: Mapping[str, str]) -> FileMetadata:
    model = text.get("use_stable_diffusion_model", "")
    request = image_request(
        prompt=text.get("prompt", ""), negative=text.get("negative_prompt", ""),
        model=model, seed=text.get("seed"), steps=text.get("num_inference_steps"),
        cfg=text.get("guidance_scale"), width=text.get("width"), height=text.get("height"),
        sampler=text.get("sampler_name"), strength=text.get("prompt_strength")
        if text.get("init_image") else None,
    )
    return FileMetadata(tool="easydiffusion", request=request, raw=dict(text),
                        sampler=text.get("sampler_name") or None)
