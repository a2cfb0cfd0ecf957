"""A cheap preview of a clip being denoised: no VAE decode, one frame of the latents.

First version: the mean over latent channels of the middle latent frame, stretched
to 0-255 as a grey picture. It shows composition and motion blur, not colour;
per-family RGB projections (like the image pack's) can replace it family by family.
"""

from __future__ import annotations

from typing import Any


def latent_preview(latents: Any, grid: tuple[int, int, int] | None = None,
                   max_side: int = 256) -> Any:
    """A small grey ``PIL.Image``, or None for a layout it does not know.

    ``latents`` is (batch, channels, frames, height, width), or packed as
    (batch, frames * height * width, channels) with ``grid`` = (frames, height, width).
    """
    import torch
    from PIL import Image

    lat = latents[0].detach()
    if lat.ndim == 2 and grid is not None and lat.shape[0] == grid[0] * grid[1] * grid[2]:
        lat = lat.reshape(*grid, lat.shape[-1]).permute(3, 0, 1, 2)  # LTX packs its tokens
    if lat.ndim != 4:
        return None
    frame = lat[:, lat.shape[1] // 2].to("cpu", torch.float32).mean(0)
    low, high = frame.min(), frame.max()
    scaled = (frame - low) / (high - low) if high > low else torch.zeros_like(frame)
    pixels = (scaled * 255).round().to(torch.uint8).numpy()
    image = Image.fromarray(pixels, "L").convert("RGB")
    if max(image.size) < 64:  # latents are 1/8 of the frame: show them at a visible size
        factor = max(1, 64 // max(image.size))
        image = image.resize((image.width * factor, image.height * factor),
                             Image.Resampling.NEAREST)
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side))
    return image
