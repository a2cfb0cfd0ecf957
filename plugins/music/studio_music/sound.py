"""Input clips: checked before a job is queued, read and encoded into audio codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.api import RequestError


def read_audio(path: Path, rate: int | None = None, header_only: bool = False) -> Any:
    """Samples (frames, channels) float32 of an audio file, resampled to ``rate``.

    ``header_only`` just checks that the file is audio soundfile can read, with at
    least one frame. Raises ``RequestError`` naming the file otherwise.
    """
    import soundfile as sf

    try:
        info = sf.info(str(path))
        if info.frames < 1:
            raise RequestError(f"audio input {str(path)!r} holds no samples")
        if header_only:
            return None
        samples, file_rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, OSError, ValueError) as exc:
        # soundfile raises LibsndfileError (a RuntimeError) for files that are not audio.
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise RequestError(f"audio input {str(path)!r} is not a readable audio file: "
                           f"{first}") from None
    if rate is not None and file_rate != rate:
        from studio.api import audio

        samples = audio.resample(samples, int(file_rate), int(rate))
    return samples


def encode_samples(loaded: Any, samples: Any) -> Any:
    """A clip as the model's audio codes (1, codebooks, frames), ready as a codes prompt."""
    import numpy as np
    import torch

    x = np.asarray(samples, dtype=np.float32)
    if loaded.channels == 1:
        x = x.mean(axis=1, keepdims=True)
    elif x.shape[1] == 1:
        x = np.repeat(x, 2, axis=1)
    codec = loaded.model.audio_encoder
    device, dtype = loaded.model.device, next(codec.parameters()).dtype
    halves = []
    with torch.inference_mode():
        for ch in range(x.shape[1]):
            wave = torch.from_numpy(x[:, ch].copy())[None, None].to(device, dtype)
            halves.append(codec.encode(wave).audio_codes[0])  # (1, codebooks, frames)
    if len(halves) == 1:
        return halves[0]
    left, right = halves
    out = torch.empty((1, left.shape[1] * 2, left.shape[2]), dtype=left.dtype,
                      device=left.device)
    out[:, ::2], out[:, 1::2] = left, right
    return out
