"""The audio MusicGen has made so far, decoded while it is still writing.

MusicGen writes its codebooks with a delay: codebook ``c`` runs ``c`` steps behind
the first (the two channels of a stereo model share a delay), so a frame is
finished once the last codebook has written it, and the decoding loop's ids hold
every finished frame. ``AudioSoFar`` decodes the frames finished since its last
decode, with ``CONTEXT_S`` of the codes before them so the codec's convolutions and
LSTM start where the last chunk left off, and hands the progress callback all the
audio made so far. A codec that looks ahead (non-causal convolutions, as in the
released 32 kHz EnCodec) would decode a chunk's last frames without their future,
so the newest ``LOOKAHEAD`` frames wait for the next chunk there.

Decodes are spaced by measured time (``PreviewGate``, which from the second job on
a model also knows what the first decode will cost) so they add at most
``SHARE`` to the job (less than the diffusion previews' 10 %: a MusicGen job is
the one bench.music_speed holds to 0.97 of plain transformers), and by ``EVERY_S``
of new audio so a long job does not send a preview per step.
"""

from __future__ import annotations

from typing import Any

from studio_music.preview import PreviewGate

#: Seconds of earlier codes decoded ahead of each new chunk.
CONTEXT_S = 0.5
#: Least new audio (seconds) worth a decode.
EVERY_S = 1.0
#: Frames held back when the codec looks ahead.
LOOKAHEAD = 4
#: Most of the job's time the decodes may add.
SHARE = 0.03


def finished_frames(input_ids: Any, codebooks: int, channels: int, limit: int) -> Any:
    """The finished frames in MusicGen's delayed ids, at most ``limit``: (1, codebooks, n).

    ``input_ids`` is the decoding loop's ``(codebooks, steps)`` (one sequence): a start
    step, then codebook ``c`` (of a channel) written ``c`` steps late.
    """
    import torch

    per_channel = codebooks // channels
    n = max(0, min(input_ids.shape[-1] - per_channel, limit))
    rows = [input_ids[c, c // channels + 1: c // channels + 1 + n] for c in range(codebooks)]
    return torch.stack(rows)[None]


class AudioSoFar:
    """Decodes finished frames chunk by chunk; ``update`` returns the audio so far or None.

    Frames are counted from the start of the result (prompt codes included), so the
    audio so far is a prefix of what the job returns.
    """

    def __init__(self, loaded: Any, total: int, prompt_codes: Any = None) -> None:
        self.loaded = loaded
        self.gate = PreviewGate(total, share=SHARE)
        # Known from an earlier job on this model, a decode's cost holds back the first
        # preview too: on a small model a single decode is most of the share.
        self.gate.last_decode = float(getattr(loaded, "preview_s", 0.0) or 0.0)
        self.hop = round(loaded.rate / loaded.frame_rate)
        self.context = max(1, round(CONTEXT_S * loaded.frame_rate))
        self.every = max(1, round(EVERY_S * loaded.frame_rate))
        causal = bool(getattr(loaded.model.config.audio_encoder, "use_causal_conv", False))
        self.lookahead = 0 if causal else LOOKAHEAD
        self.chunks: list[Any] = []
        self.decoded = 0  # frames of the result decoded so far
        self.before = prompt_codes  # every code before the current window
        self.skip = 0  # frames of the current window that repeat earlier codes
        self.new = 0  # frames the current window adds

    def start_window(self, before: Any, skip: int, new: int) -> None:
        """A window begins after ``before``, repeating its last ``skip`` frames."""
        self.before, self.skip, self.new = before, skip, new

    def update(self, input_ids: Any, made: int) -> tuple[Any, int] | None:
        """After a decoding step (``made`` frames of the job done): the audio so far
        as ``(samples, rate)`` when a decode is due, else None."""
        base = 0 if self.before is None else self.before.shape[-1]
        per_channel = self.loaded.codebooks // self.loaded.channels
        finished = max(0, min(input_ids.shape[-1] - per_channel, self.skip + self.new)
                       - self.skip)
        ready = base + finished - self.lookahead
        # Cheapest test first: this runs on every decoding step.
        if ready - self.decoded < self.every or not self.gate.due(made):
            return None
        fresh = finished_frames(input_ids, self.loaded.codebooks, self.loaded.channels,
                                self.skip + self.new)[..., self.skip:]
        audio = self.gate.timed(lambda: self._decode(fresh, base, ready))
        if hasattr(self.loaded, "preview_s"):
            self.loaded.preview_s = self.gate.last_decode
        return audio

    def _decode(self, fresh: Any, base: int, ready: int) -> tuple[Any, int]:
        import numpy as np
        import torch

        from studio_music.musicgen import decode_codes

        # Decoded from a little before the last chunk's end to the newest finished
        # frame; kept up to ``ready``.
        start = max(0, self.decoded - self.context)
        if start >= base:
            codes = fresh[..., start - base:]
        else:
            codes = torch.cat([self.before[..., start:], fresh.to(self.before.device)], dim=-1)
        samples = decode_codes(self.loaded, codes)
        self.chunks.append(samples[(self.decoded - start) * self.hop:(ready - start) * self.hop])
        self.decoded = ready
        if len(self.chunks) > 1:
            self.chunks = [np.concatenate(self.chunks)]
        return np.ascontiguousarray(self.chunks[0], dtype=np.float32), self.loaded.rate
