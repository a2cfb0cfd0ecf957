"""Cheap previews: a linear map from 4-channel SD latents to RGB, no VAE involved.

The factors are the least-squares fits that ComfyUI and A1111 use for their
"approximate" previews (latent_formats.py); one matrix product on a latent that is
1/8 of the image per side costs microseconds, so every step can show one.
"""

from __future__ import annotations

from typing import Any

SD_FACTORS = (
    (0.3512, 0.2297, 0.3227),
    (0.3250, 0.4974, 0.2350),
    (-0.2829, 0.1762, 0.2721),
    (-0.2120, -0.2616, -0.7177),
)
SD_BIAS = (0.0, 0.0, 0.0)
SDXL_FACTORS = (
    (0.3651, 0.4232, 0.4341),
    (-0.2533, -0.0042, 0.1068),
    (0.1076, 0.1111, -0.0362),
    (-0.3165, -0.2492, -0.2188),
)
SDXL_BIAS = (0.1084, -0.0175, -0.0011)


def latent_preview(latents: Any, xl: bool, max_side: int = 256) -> Any:
    """A small ``PIL.Image`` of the first latent in the batch, or None for other layouts."""
    import torch
    from PIL import Image

    if latents.ndim != 4 or latents.shape[1] != 4:
        return None
    factors = torch.tensor(SDXL_FACTORS if xl else SD_FACTORS)
    bias = torch.tensor(SDXL_BIAS if xl else SD_BIAS)
    lat = latents[0].detach().to("cpu", torch.float32)
    rgb = torch.einsum("chw,cr->hwr", lat, factors) + bias
    pixels = ((rgb.clamp(-1, 1) + 1) * 127.5).to(torch.uint8).numpy()
    image = Image.fromarray(pixels, "RGB")
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side))
    return image
