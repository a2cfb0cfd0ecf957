"""Stable Audio (Open) through diffusers: 44.1 kHz stereo from text, one denoising run.

The model makes at most what its transformer's sample size covers (47 s for
stable-audio-open-1.0); the limit is read from the folder's configs, so a longer
request is refused before it is queued. Progress is reported per denoising step,
with the decoded x0 prediction as a preview whenever the time budget allows
(``studio_music.preview``); a cancel raises from the step callback and leaves the
loop within one step.

``variation`` starts from an input clip (the pipeline's ``initial_audio_waveforms``:
its latents plus the starting noise). At the pipeline's own starting noise (sigma
500 for Stable Audio Open, on latents of about unit size) the clip would barely
count, so ``strength`` lowers where the schedule starts, as image-to-image does:
sigma = sigma_min * (sigma_max / sigma_min) ** strength, 1 being the pipeline's own
start. The pipeline scales the noise by sqrt(sigma^2 + 1) (right for pure noise,
which stands in for the data's unit variance too); on top of the clip's latents that
would add unit noise even at the smallest sigma, so the noise is handed in
pre-scaled to land at exactly sigma.

Imported on the first Stable Audio job only; torch and diffusers load inside.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.api import (
    CancelToken,
    GenerationRequest,
    Generator,
    LoadPlan,
    Output,
    ParamError,
    ProgressFn,
    RequestError,
)
from studio_music.models import (
    ModelSource,
    checked_source,
    estimate_bytes,
    locate,
)
from studio_music.musicgen import postprocess
from studio_music.pipelines import load_pipeline
from studio_music.preview import PreviewGate, to_preview
from studio_music.sound import read_audio


@dataclass
class LoadedStableAudio:
    source: ModelSource
    plan: LoadPlan
    pipe: Any

    @property
    def rate(self) -> int:
        return int(self.pipe.vae.config.sampling_rate)


def max_seconds(folder: Path) -> float | None:
    """The longest clip the model makes, from its transformer and VAE configs."""
    try:
        dit = json.loads((folder / "transformer" / "config.json").read_text(encoding="utf-8"))
        vae = json.loads((folder / "vae" / "config.json").read_text(encoding="utf-8"))
        hop = math.prod(int(r) for r in vae["downsampling_ratios"])
        return int(dit["sample_size"]) * hop / float(vae["sampling_rate"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class StableAudioGenerator(Generator):
    """Stable Audio Open checkpoints in the diffusers layout."""

    def check_load(self, request: GenerationRequest, plan: LoadPlan) -> None:
        # A pickle-only folder the settings do not allow: refused before queueing.
        locate(self.resolve_model(request), plan.allow_pickle)

    def check_request(self, request: GenerationRequest) -> None:
        source = checked_source(self.resolve_model(request), "stable_audio", self.info.id)
        if source is None:
            return
        limit = max_seconds(source.path)
        duration = float(request.params.get("duration", 10.0))
        if (request.task or "txt2music") == "variation":
            path = request.inputs.get("audio")
            if not path:
                raise RequestError("task 'variation' needs an audio input")
            read_audio(Path(path), header_only=True)
        if limit is not None and duration > limit + 1e-9:
            raise ParamError(f"duration must be <= {limit:g} s for {source.name} "
                             f"(its longest clip), got {duration:g}")

    def estimate_bytes(self, model: str, plan: LoadPlan) -> int | None:
        return estimate_bytes(model, plan)

    def load(self, model: str, plan: LoadPlan) -> LoadedStableAudio:
        source, pipe = load_pipeline("StableAudioPipeline", "stable_audio", "Stable Audio",
                                     model, plan)
        return LoadedStableAudio(source, plan, pipe)

    def unload(self, loaded: LoadedStableAudio) -> None:
        loaded.pipe = None

    def generate(
        self,
        request: GenerationRequest,
        loaded: LoadedStableAudio,
        progress: ProgressFn,
        cancel: CancelToken,
    ) -> list[Output]:
        import numpy as np
        import torch

        p = request.params
        seed = int(request.seed or 0)
        steps = int(p.get("steps", 100))
        duration = float(p.get("duration", 10.0))

        pipe = loaded.pipe
        extra: dict[str, Any] = {}
        scheduler = pipe.scheduler
        if (request.task or "txt2music") == "variation":
            clip = read_audio(Path(request.inputs["audio"]), rate=loaded.rate)
            # Cut or padded here to the model's length, as the pipeline would, without
            # its warning on the user's terminal.
            room = int(pipe.transformer.config.sample_size) * int(pipe.vae.hop_length)
            clip = np.pad(clip[:room], ((0, max(0, room - clip.shape[0])), (0, 0)))
            extra = {"initial_audio_waveforms": torch.from_numpy(clip.T.copy())[None],
                     "initial_audio_sampling_rate": loaded.rate}
            lo, hi = float(scheduler.config.sigma_min), float(scheduler.config.sigma_max)
            start = lo * (hi / lo) ** float(p.get("strength", 0.7))
            pipe.scheduler = type(scheduler).from_config(scheduler.config, sigma_max=start)
            noise = torch.randn(
                (1, pipe.transformer.config.in_channels, pipe.transformer.config.sample_size),
                generator=torch.Generator("cpu").manual_seed(seed))
            extra["latents"] = noise * (start / pipe.scheduler.init_noise_sigma)
        frames = max(1, int(duration * loaded.rate))
        gate = PreviewGate(steps)

        def on_step(i: int, _t: Any, _latents: Any) -> None:
            # progress raises Cancelled when the job was cancelled: the exception leaves
            # the denoising loop at this step.
            audio = None
            # The multistep solver keeps its latest x0 prediction as its last model output.
            x0 = (getattr(pipe.scheduler, "model_outputs", None) or [None])[-1]
            if x0 is not None and gate.due(i + 1):
                audio = (gate.timed(lambda: to_preview(pipe.vae.decode(x0).sample, frames)),
                         loaded.rate)
            progress(i + 1, steps, audio=audio)

        cancel.check()
        try:
            with torch.inference_mode(), warnings.catch_warnings():
                # torchsde warns about float rounding at the ends of its Brownian interval.
                warnings.filterwarnings("ignore", category=UserWarning, module="torchsde")
                result = pipe(
                    request.prompt, audio_end_in_s=duration, num_inference_steps=steps,
                    guidance_scale=float(p.get("guidance_scale", 7.0)),
                    negative_prompt=p.get("negative_prompt") or None,
                    generator=torch.Generator("cpu").manual_seed(seed), callback=on_step,
                    **extra,
                )
        finally:
            pipe.scheduler = scheduler
        samples = result.audios[0].float().cpu().numpy().T.copy()
        samples = postprocess(samples, loaded.rate, p)
        meta = {
            "seed": seed, "model": request.model, "family": "stable_audio",
            "sample_rate": loaded.rate, "channels": int(samples.shape[1]),
            "seconds": round(samples.shape[0] / loaded.rate, 3), "steps": steps,
            "format": p.get("format", "flac"),
        }
        return [Output("audio", (np.ascontiguousarray(samples, dtype=np.float32), loaded.rate),
                       meta, {"title": request.prompt[:200]})]
