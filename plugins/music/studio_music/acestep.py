"""ACE-Step through diffusers (``AceStepPipeline``): songs with lyrics in a few steps.

Text to music with ``lyrics``, ``bpm``, ``keyscale`` and ``timesignature``; 48 kHz
stereo for the released checkpoints. ``repaint`` remakes ``repaint_start`` to
``repaint_end`` of an input clip and ``continue`` adds ``duration`` seconds after it,
both through the pipeline's repaint task (extending is repainting silence appended
to the clip). The model is conditioned on the clip outside the window, but it
remakes the whole clip, so the source samples are put back outside the window with
a short crossfade at each edge: what the user kept stays as it was.

Progress per denoising step, with the decoded x0 prediction as a preview whenever
the time budget allows (``studio_music.preview``); a cancel sets the pipeline's
interrupt flag from ``callback_on_step_end`` (an exception escaping
the loop would skip diffusers' own clean-up) and is raised after the call.

Imported on the first ACE-Step job only; torch and diffusers load inside.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.api import (
    Cancelled,
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

#: Seconds over which a kept edge of the source fades into the remade audio.
SPLICE_S = 0.05


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
        task = request.task or "txt2music"
        if task not in ("repaint", "continue"):
            return
        path = request.inputs.get("audio")
        if not path:
            raise RequestError(f"task {task!r} needs an audio input")
        read_audio(Path(path), header_only=True)
        if task == "repaint":
            import soundfile as sf

            seconds = sf.info(str(path)).duration
            repaint_window(request.params, seconds)

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
        task = request.task or "txt2music"
        seed = int(request.seed or 0)
        steps = int(p.get("steps", 8))
        duration = float(p.get("duration", 30.0))
        source = window = None
        if task in ("repaint", "continue"):
            source = read_audio(Path(request.inputs["audio"]), rate=loaded.rate)
            if source.shape[1] == 1:
                source = np.repeat(source, 2, axis=1)
            source = np.ascontiguousarray(source[:, :2])
            clip = source.shape[0]
            if task == "continue":
                window = (clip, clip + max(1, round(duration * loaded.rate)))
                source = np.concatenate([source, np.zeros((window[1] - clip, 2), np.float32)])
            else:
                start, end = repaint_window(p, clip / loaded.rate)
                window = (round(start * loaded.rate), round(end * loaded.rate))
            duration = source.shape[0] / loaded.rate
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
        if window is not None:
            kwargs.update(task_type="repaint", src_audio=torch.from_numpy(source.T.copy()),
                          repainting_start=window[0] / loaded.rate,
                          repainting_end=window[1] / loaded.rate)
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
        frames = max(1, round(duration * loaded.rate))
        samples = samples[:frames]
        if window is not None:
            if samples.shape[0] < frames:
                samples = np.concatenate([samples, np.zeros((frames - samples.shape[0], 2),
                                                            np.float32)])
            samples = splice(samples * _level_match(samples, source, window), source,
                             window[0], window[1], round(SPLICE_S * loaded.rate))
        samples = postprocess(samples, loaded.rate, p)
        meta = {
            "seed": seed, "model": request.model, "family": "acestep",
            "sample_rate": loaded.rate, "channels": int(samples.shape[1]),
            "seconds": round(samples.shape[0] / loaded.rate, 3), "steps": steps,
            "format": p.get("format", "flac"),
        }
        if window is not None:
            meta["window_s"] = [round(w / loaded.rate, 3) for w in window]
        return [Output("audio", (np.ascontiguousarray(samples, dtype=np.float32), loaded.rate),
                       meta, {"title": request.prompt[:200]})]


def repaint_window(params: Any, seconds: float) -> tuple[float, float]:
    """``(start, end)`` seconds of the clip to remake, checked against its length."""
    start = float(params.get("repaint_start") or 0.0)
    end = params.get("repaint_end")
    end = seconds if end in (None, "") else float(end)
    if start >= seconds:
        raise ParamError(f"repaint_start must be before the clip's end ({seconds:g} s), "
                         f"got {start:g}")
    if end <= start:
        raise ParamError(f"repaint_end must be after repaint_start ({start:g} s), got {end:g}")
    return start, min(end, seconds)


def _level_match(made: Any, source: Any, window: tuple[int, int]) -> float:
    """Gain that brings ``made`` to the source's level, measured where both hold the
    source: the pipeline peak-normalizes its output, the clip kept its own level."""
    import numpy as np

    kept = np.ones(source.shape[0], dtype=bool)
    kept[window[0]:window[1]] = False
    ours = float(np.sqrt(np.mean(np.square(made[kept])))) if kept.any() else 0.0
    theirs = float(np.sqrt(np.mean(np.square(source[kept])))) if kept.any() else 0.0
    if ours < 1e-6 or theirs < 1e-6:
        return 1.0
    return float(np.clip(theirs / ours, 0.1, 10.0))


def splice(made: Any, source: Any, start: int, end: int, fade: int) -> Any:
    """``made`` with ``source`` put back outside ``[start, end)`` (sample indices),
    crossfading over ``fade`` samples just inside each edge of the window."""
    import numpy as np

    out = made.copy()
    out[:start] = source[:start]
    out[end:len(source)] = source[end:len(source)]
    fade = max(0, min(fade, (end - start) // 2))
    if fade:
        ramp = np.linspace(0.0, 1.0, fade + 2, dtype=np.float32)[1:-1, None]
        if start > 0:
            s = slice(start, start + fade)
            out[s] = source[s] * (1 - ramp) + made[s] * ramp
        if end < len(source):
            s = slice(end - fade, end)
            out[s] = made[s] * (1 - ramp) + source[s] * ramp
    return out
