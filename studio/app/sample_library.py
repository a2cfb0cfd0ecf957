"""A small made-up library, for screenshots and first looks at the window.

Everything is drawn with numpy and Pillow (no model, no torch), so
``studio gui --screenshot`` works on any machine. The items go through the same
``Library.add`` as real results and their ``generate`` events into the history, so
the profile and the suggestions have something to show.
"""

from __future__ import annotations

import math
from typing import Any

from studio.api import GenerationRequest, Output

_IMAGES = [
    ("a lighthouse on a cliff at dusk, oil painting", (38, 70, 120), (240, 150, 80)),
    ("misty pine forest at dawn, soft light", (40, 70, 55), (210, 220, 200)),
    ("a red fox in the snow, watercolor", (230, 235, 240), (200, 80, 40)),
    ("neon city street in the rain, cinematic", (20, 10, 40), (250, 60, 160)),
    ("a cozy reading nook, warm lamp light", (60, 35, 25), (250, 200, 120)),
    ("desert dunes under a starry sky", (15, 20, 50), (220, 170, 110)),
    ("koi fish in a pond, ukiyo-e", (30, 80, 110), (240, 120, 60)),
    ("a paper boat on a puddle, macro photo", (90, 95, 100), (235, 235, 225)),
]
_TEXTS = [
    ("Continue the story: the keeper climbed the stairs",
     "The keeper climbed the stairs for the last time that winter. Below, the sea "
     "worked at the rocks with the patience of something that had all the time there "
     "was.\n\nShe lit the lamp and waited for the ships that no longer came."),
    ("A short poem about rain on a tin roof",
     "Rain on the tin roof,\ncounting what the night forgot:\none, and one, and one."),
]


def _picture(size: int, top: tuple[int, int, int], accent: tuple[int, int, int],
             seed: int) -> Any:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size] / (size - 1)
    sky = np.array(top, dtype=np.float32)
    glow = np.array(accent, dtype=np.float32)
    cx, cy = rng.uniform(0.25, 0.75, 2)
    dist = np.sqrt((x - cx) ** 2 + (y - cy) ** 2)
    mix = np.clip(1.2 - dist * 2.2, 0, 1)[..., None] * 0.8 + y[..., None] * 0.2
    img = sky * (1 - mix) + glow * mix
    hills = 0.7 + 0.08 * np.sin(x * math.tau * rng.uniform(1, 3) + rng.uniform(0, 6))
    img[y > hills] *= 0.35
    img += rng.normal(0, 4, img.shape)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def _tone(seconds: float, rate: int = 32000) -> tuple[Any, int]:
    import numpy as np

    t = np.arange(int(seconds * rate)) / rate
    notes = [220.0, 277.18, 329.63, 440.0]
    wave = sum(np.sin(math.tau * f * t) * np.exp(-((t * 2) % 1) * 3) for f in notes)
    wave = (0.2 * wave / len(notes)).astype(np.float32)
    return wave[:, None], rate


def _clip(frames: int = 12, size: int = 96) -> tuple[Any, int]:
    import numpy as np

    y, x = np.mgrid[0:size, 0:size]
    out = []
    for i in range(frames):
        cx = int(size * (0.2 + 0.6 * i / (frames - 1)))
        img = np.zeros((size, size, 3), np.uint8)
        img[..., 2] = 120
        img[(x - cx) ** 2 + (y - size // 2) ** 2 < (size // 6) ** 2] = (250, 200, 60)
        out.append(img)
    return np.stack(out), 8


def build(studio: Any, *, seed: int = 0) -> int:
    """Fill ``studio``'s library and history with sample items; returns how many."""
    library = studio.library
    made = []

    def add(output: Output, request: GenerationRequest) -> None:
        arts = library.add([output], request)
        studio.record("generate", modality=request.modality, task=request.task,
                      prompt=request.prompt, params=dict(request.params),
                      model=request.model, seed=request.seed,
                      generator=request.generator, artifacts=[a.id for a in arts])
        library.mark_recorded([a.id for a in arts])
        made.extend(arts)

    for i, (prompt, top, accent) in enumerate(_IMAGES):
        params = {"steps": 25, "guidance_scale": 6.5 + i % 3, "width": 512, "height": 512}
        request = GenerationRequest(modality="image", prompt=prompt, task="txt2img",
                                    generator="sample.image", model="sample-model",
                                    params=params, seed=seed + i)
        add(Output("image", _picture(256, top, accent, seed + i)), request)
    for i, (prompt, text) in enumerate(_TEXTS):
        request = GenerationRequest(modality="text", prompt=prompt, task="continue",
                                    generator="sample.text", model="sample-model",
                                    seed=seed + i)
        add(Output("text", text), request)
    request = GenerationRequest(modality="music", prompt="lofi piano, rainy night, 80 bpm",
                                task="txt2music", generator="sample.music",
                                model="sample-model", params={"duration": 4.0}, seed=seed)
    add(Output("audio", _tone(4.0), {"format": "flac"}), request)
    request = GenerationRequest(modality="video", prompt="a sun crossing a blue sky",
                                task="txt2video", generator="sample.video",
                                model="sample-model", params={"num_frames": 12}, seed=seed)
    add(Output("video", _clip()), request)

    images = [a for a in made if a.kind == "image"]
    for art in images[:3]:
        library.set_favourite(art.id)
    for art, stars in zip(images, (5, 4, 4, 3), strict=False):
        library.rate(art.id, stars)
    return len(made)
