"""Previews for the diffusion generators: the clean sample predicted so far, decoded.

A diffusion model refines the whole clip at once, so the only audio "made so far"
is its current prediction of the clean latents (x0), decoded by the VAE. A decode
costs about as much as several denoising steps on the real models and far more on
tiny ones, so a fixed cadence cannot hold the cost down everywhere: ``PreviewGate``
spaces the previews by measured time instead, keeping the decodes within
``PREVIEW_SHARE`` of the job's other time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

#: Most of the denoising time the preview decodes may add.
PREVIEW_SHARE = 0.10
#: Previews are peak-normalized to this level (the ACE-Step pipeline's own output level).
PREVIEW_PEAK = 10.0 ** (-1.0 / 20.0)


class PreviewGate:
    """Says after each step whether a preview is due, from the time steps and decodes took.

    A preview is due when the decodes so far plus one more (as long as the last one
    took) stay within ``share`` of the rest of the job's time so far; the first is due
    after the first step and none on the last step, whose output is the result.
    """

    def __init__(self, steps: int, share: float = PREVIEW_SHARE,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.steps, self.share, self.clock = steps, share, clock
        self.start = clock()
        self.decoding = 0.0
        self.last_decode = 0.0
        self.count = 0

    def due(self, done: int) -> bool:
        """``done`` steps are finished: decode a preview now?"""
        if done >= self.steps:
            return False
        denoising = self.clock() - self.start - self.decoding
        return self.decoding + self.last_decode <= self.share * denoising

    def timed(self, decode: Callable[[], Any]) -> Any:
        """Run ``decode`` and count its time as preview time."""
        t0 = self.clock()
        try:
            return decode()
        finally:
            self.last_decode = self.clock() - t0
            self.decoding += self.last_decode
            self.count += 1


def to_preview(audio: Any, frames: int) -> Any:
    """VAE output (1, channels, samples) to float32 (frames, channels), peak at -1 dBFS."""
    import numpy as np

    x = audio[0, :, :frames].float().cpu().numpy().T
    peak = float(np.abs(x).max()) if x.size else 0.0
    if peak > 1e-6:
        x = x * (PREVIEW_PEAK / peak)
    return np.ascontiguousarray(x, dtype=np.float32)
