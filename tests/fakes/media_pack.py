"""A tiny music and video pack for the window's workspaces: real files, instantly.

Kept apart from ``fake_pack`` so that tests counting that pack's generators are
unaffected; tests register it under the entry point name ``fakemedia``.
"""

from __future__ import annotations

import numpy as np

from studio.api import Generator, GeneratorInfo, Output, Param, hookimpl

STUDIO_API_VERSION = 1
RATE = 8000
FPS = 8


@hookimpl
def studio_register_generators(register):
    register(GeneratorInfo(
        id="fakemedia.music",
        name="Fake music",
        modality="music",
        tasks=("txt2music",),
        factory="tests.fakes.media_pack:FakeMusic",
        params=(
            Param("duration", "float", 1.0, min=0.1, max=10, help="seconds"),
            Param("previews", "choice", "chunks", choices=("chunks", "whole", "none"),
                  help="growing chunks (MusicGen) or the whole clip refined (diffusion)"),
            Param("format", "choice", "flac", choices=("flac", "wav"), help="file format"),
        ),
        supports_preview=True,
    ))
    register(GeneratorInfo(
        id="fakemedia.video",
        name="Fake video",
        modality="video",
        tasks=("txt2video",),
        factory="tests.fakes.media_pack:FakeVideo",
        params=(
            Param("frames", "int", 12, min=1, max=64, help="frames"),
            Param("steps", "int", 3, min=1, max=10, help="denoising steps"),
        ),
        supports_preview=True,
    ))


def sine(seconds: float, rate: int = RATE, hz: float = 440.0, start: int = 0) -> np.ndarray:
    """A quiet stereo sine, shaped (frames, 2): real audio a player can play."""
    t = (np.arange(round(seconds * rate)) + start) / rate
    wave = (0.3 * np.sin(2 * np.pi * hz * t) * np.linspace(1.0, 0.2, len(t))).astype(np.float32)
    return np.stack([wave, wave * 0.5], axis=1)


class FakeMusic(Generator):
    def load(self, model, plan):
        return None

    def generate(self, request, loaded, progress, cancel):
        p = request.params
        total = round(p["duration"] * RATE)
        clip = sine(p["duration"])
        chunks = 4
        for step in range(1, chunks + 1):
            made = total * step // chunks
            preview = None
            if p["previews"] == "chunks":
                preview = (clip[total * (step - 1) // chunks:made], RATE)
            elif p["previews"] == "whole":
                preview = (clip * (step / chunks), RATE)
            progress(step, chunks, preview=preview)
        return [Output("audio", (clip, RATE), {"format": p["format"]})]


class FakeVideo(Generator):
    def load(self, model, plan):
        return None

    def generate(self, request, loaded, progress, cancel):
        from PIL import Image

        p = request.params
        for step in range(1, p["steps"] + 1):
            grey = 40 * step
            progress(step, p["steps"], preview=Image.new("RGB", (16, 16), (grey, grey, grey)))
        frames = np.zeros((p["frames"], 32, 48, 3), dtype=np.uint8)
        for i in range(p["frames"]):
            # Each frame a clearly different colour, so a step shows on screen.
            frames[i, :, :, 0] = (i * 40) % 256
            frames[i, :, :, 1] = 255 - (i * 40) % 256
            frames[i, :, : 8 + 2 * i, 2] = 200
        return [Output("video", (frames, FPS), {"format": "mp4", "fps": FPS})]
