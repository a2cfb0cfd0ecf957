"""ACE-Step through diffusers (``AceStepPipeline``): songs with lyrics in a few steps.

Text to music with ``lyrics``, ``bpm``, ``keyscale`` and ``timesignature``; 48 kHz
stereo for the released checkpoints. Progress per denoising step, with the decoded
x0 prediction as a preview whenever the time budget allows
(``studio_music.preview``); a cancel sets
the pipeline's interrupt flag from ``callback_on_step_end`` (an exception escaping
the loop would skip diffusers' own clean-up) and is raised after the call.

Imported on the first ACE-Step job only; torch and diffusers load inside.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studio.api import (
    Cancelled,
    CancelToken,
    GenerationRequest,
    Generator,
    LoadPlan,
    Output,
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


@dataclass
class LoadedAceStep:
    source: ModelSource
    plan: LoadPlan
    pipe: Any

    @property
    def rate(self) -> int:
        return int(self.pipe.vae.config.sampling_rate)


class _StepHook:
    """``callback_on_step_end``: progress each step, with a preview when the time budget
    allows; a cancel becomes the interrupt flag."""

    def __init__(self, progress: ProgressFn, cancel: CancelToken, steps: int,
                 frames: int) -> None:
        self.progress, self.cancel, self.steps, self.frames = progress, cancel, steps, frames
        self.cancelled = False
        self.gate = PreviewGate(steps)
        self.previous: Any = None

    def __call__(self, pipe: Any, i: int, t: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        latents = kwargs.get("latents")
        audio = None
        if latents is not None and self.previous is not None and self.gate.due(i + 1):
            audio = (self.gate.timed(lambda: self._decode(pipe, i, float(t), latents)),
                     int(pipe.vae.config.sampling_rate))
        self.previous = latents
        try:
            self.progress(i + 1, self.steps, audio=audio)
        except Cancelled:
            self.cancelled = True
        if self.cancelled or self.cancel.cancelled:
            self.cancelled = True
            pipe._interrupt = True
        return kwargs

    def _decode(self, pipe: Any, i: int, t: float, latents: Any) -> Any:
        # The Euler step went from ``previous`` at sigma t to ``latents`` at the next
        # sigma along the velocity v; x0 lies where that line reaches sigma 0. The
        # pipeline does not pass v to the callback, so it comes from the two latents.
        t_next = float(pipe.scheduler.sigmas[i + 1])
        if abs(t_next - t) < 1e-9:
            return to_preview(pipe.vae.decode(latents.transpose(1, 2)).sample, self.frames)
        velocity = (latents - self.previous) / (t_next - t)
        x0 = latents - t_next * velocity
        return to_preview(pipe.vae.decode(x0.transpose(1, 2)).sample, self.frames)


class AceStepGenerator(Generator):
    """ACE-Step checkpoints in the diffusers layout."""

    def check_load(self, request: GenerationRequest, plan: LoadPlan) -> None:
        # A pickle-only folder the settings do not allow: refused before queueing.
        locate(self.resolve_model(request), plan.allow_pickle)

    def check_request(self, request: GenerationRequest) -> None:
        checked_source(self.resolve_model(request), "acestep", self.info.id)

    def estimate_bytes(self, model: str, plan: LoadPlan) -> int | None:
        return estimate_bytes(model, plan)

    def load(self, model: str, plan: LoadPlan) -> LoadedAceStep:
        source, pipe = load_pipeline("AceStepPipeline", "acestep", "ACE-Step", model, plan)
        return LoadedAceStep(source, plan, pipe)

    def unload(self, loaded: LoadedAceStep) -> None:
        loaded.pipe = None

    def generate(
        self,
        request: GenerationRequest,
        loaded: LoadedAceStep,
        progress: ProgressFn,
        cancel: CancelToken,
    ) -> list[Output]:
        import numpy as np
        import torch

        p = request.params
        seed = int(request.seed or 0)
        steps = int(p.get("steps", 8))
        duration = float(p.get("duration", 30.0))
        hook = _StepHook(progress, cancel, steps, max(1, round(duration * loaded.rate)))
        kwargs: dict[str, Any] = {
            "prompt": request.prompt, "lyrics": p.get("lyrics") or "",
            "audio_duration": duration, "num_inference_steps": steps,
            "guidance_scale": float(p.get("guidance_scale", 7.0)),
            "shift": float(p.get("shift", 3.0)),
            "vocal_language": p.get("vocal_language") or "en",
            "generator": torch.Generator("cpu").manual_seed(seed),
            "callback_on_step_end": hook,
        }
        for name in ("bpm", "keyscale", "timesignature"):
            if p.get(name) not in (None, ""):
                kwargs[name] = p[name]
        cancel.check()
        try:
            with torch.inference_mode():
                result = loaded.pipe(**kwargs)
        except ValueError as exc:  # the pipeline's own input checks
            first = (str(exc).strip().splitlines() or ["invalid input"])[0]
            raise RequestError(f"ACE-Step refused the request: {first}") from exc
        if hook.cancelled or cancel.cancelled:
            raise Cancelled()
        samples = result.audios[0].float().cpu().numpy().T.copy()
        # The pipeline rounds to whole latent frames: keep exactly what was asked for.
        samples = samples[:max(1, round(duration * loaded.rate))]
        samples = postprocess(samples, loaded.rate, p)
        meta = {
            "seed": seed, "model": request.model, "family": "acestep",
            "sample_rate": loaded.rate, "channels": int(samples.shape[1]),
            "seconds": round(samples.shape[0] / loaded.rate, 3), "steps": steps,
            "format": p.get("format", "flac"),
        }
        return [Output("audio", (np.ascontiguousarray(samples, dtype=np.float32), loaded.rate),
                       meta, {"title": request.prompt[:200]})]
