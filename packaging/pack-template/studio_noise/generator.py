"""Value noise: random grids at several scales, smoothly interpolated and summed."""

from __future__ import annotations

import numpy as np
from PIL import Image

from studio.api import Generator, Output


class NoiseGenerator(Generator):
    def load(self, model, plan):
        return None  # nothing to load: the "model" is the algorithm

    def generate(self, request, loaded, progress, cancel):
        p = request.params
        width, height = p["width"], p["height"]
        rng = np.random.default_rng(request.seed)
        image = np.zeros((height, width, 3))
        octaves = p["octaves"]
        for octave in range(octaves):
            cancel.check()
            cell = max(1, p["scale"] >> octave)
            image += _layer(rng, width, height, cell) / (2 ** octave)
            progress(octave + 1, octaves)
        image -= image.min()
        image /= max(image.max(), 1e-9)
        pixels = Image.fromarray((image * 255).astype(np.uint8), "RGB")
        return [Output("image", pixels, {"seed": request.seed})]


def _layer(rng: np.random.Generator, width: int, height: int, cell: int) -> np.ndarray:
    grid = rng.random((height // cell + 2, width // cell + 2, 3))
    ys, xs = np.arange(height) / cell, np.arange(width) / cell
    y0, x0 = ys.astype(int), xs.astype(int)
    ty, tx = _smooth(ys - y0)[:, None, None], _smooth(xs - x0)[None, :, None]
    top = grid[y0][:, x0] * (1 - tx) + grid[y0][:, x0 + 1] * tx
    bottom = grid[y0 + 1][:, x0] * (1 - tx) + grid[y0 + 1][:, x0 + 1] * tx
    return top * (1 - ty) + bottom * ty


def _smooth(t: np.ndarray) -> np.ndarray:
    return t * t * (3 - 2 * t)
