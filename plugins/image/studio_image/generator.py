"""The image generator: one request through a diffusers pipeline, step by step.

Imported on the first image job only (``GeneratorInfo.factory``), so importing
torch and diffusers here never slows the studio's start.
"""

from __future__ import annotations

import math
import time
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
from studio.api.loras import check_loras, parse_loras
from studio_image.infotext import format_parameters
from studio_image.loading import LoadedModel, estimate, load_model
from studio_image.loras import apply_loras
from studio_image.preview import latent_preview
from studio_image.schedulers import sampler_label

#: Strength used when the request leaves it empty, per task.
TASK_STRENGTH = {"img2img": 0.75, "inpaint": 1.0, "variations": 0.6, "upscale": 0.35}
#: Which pipeline serves each task.
TASK_PIPE = {"txt2img": "txt2img", "img2img": "img2img", "inpaint": "inpaint",
             "variations": "img2img", "upscale": "img2img"}
#: Above this many pixels per batch, slice attention and tile the VAE.
LARGE_PIXELS = 2 * 1024 * 1024
#: At most one preview per this many seconds (plus the last step): cheap, but not free.
PREVIEW_INTERVAL_S = 0.2
MAX_SIDE = 4096


@dataclass(frozen=True)
class RunSettings:
    """A request's parameters after the model family's defaults are filled in."""

    task: str
    steps: int
    guidance: float
    width: int | None
    height: int | None
    strength: float | None
    batch: int
    negative: str
    scheduler: str | None
    loras: list[tuple[Path, float]]


class DiffusersGenerator(Generator):
    """Stable Diffusion 1.x/2.x, SDXL and Turbo/LCM through diffusers' auto pipelines."""

    def check_request(self, request: GenerationRequest) -> None:
        p = request.params
        if request.task == "upscale" and (p.get("width") or p.get("height")):
            raise ParamError("upscale makes the image twice its input size; "
                             "leave width and height empty")
        steps, strength = p.get("steps"), p.get("strength")
        if request.task != "txt2img" and steps and strength:
            _check_steps_left(steps, strength)
        for path, _weight in parse_loras(p.get("loras") or ""):
            if not path.is_file():
                raise ParamError(f"LoRA file {str(path)!r} does not exist")
        _check_images_readable(request)

    def estimate_bytes(self, model: str, plan: LoadPlan) -> int | None:
        return estimate(model, plan)

    def load(self, model: str, plan: LoadPlan) -> LoadedModel:
        return load_model(model, plan)

    def unload(self, loaded: LoadedModel) -> None:
        # Drop the references so the host's allocator flush really frees the weights.
        loaded.pipes.clear()
        loaded._schedulers.clear()
        loaded._hooked = None
        loaded.text2img = None

    def generate(
        self,
        request: GenerationRequest,
        loaded: LoadedModel,
        progress: ProgressFn,
        cancel: CancelToken,
    ) -> list[Output]:
        import torch

        # 1. Fill in the family's defaults and read the input images.
        s = _settings(request, loaded)
        check_loras(s.loras, loaded.plan.allow_pickle)
        images = _inputs(request, s)
        prompt = request.prompt
        if s.task == "variations" and not prompt:
            prompt = _embedded_prompt(Path(request.inputs["image"]))
        # 2. Prepare the pipeline: task, scheduler, LoRAs, memory savers.
        pipe = loaded.pipe_for(TASK_PIPE[s.task])
        pipe.scheduler = loaded.scheduler(s.scheduler)
        lora_text = apply_loras(loaded.text2img, loaded.loras, s.loras)
        width, height = _size(s, images, loaded)
        loaded.lighten(width * height * s.batch > LARGE_PIXELS
                       or (loaded.plan.offload and width * height > 1024 * 1024))
        # 3. Seeds: image i uses seed + i on its own CPU generator, as plain diffusers would.
        seed = int(request.seed or 0)
        generators = [torch.Generator("cpu").manual_seed(seed + i) for i in range(s.batch)]
        kwargs: dict[str, Any] = {
            "prompt": prompt,
            "negative_prompt": s.negative or None,
            "num_inference_steps": s.steps,
            "guidance_scale": s.guidance,
            "num_images_per_prompt": s.batch,
            "generator": generators,
        }
        if s.task == "txt2img":
            kwargs.update(width=s.width, height=s.height)
        else:
            kwargs.update(image=images["image"], strength=s.strength)
            if s.task == "inpaint":
                kwargs.update(mask_image=images["mask"], width=width, height=height)
        # 4. Run, reporting each step; a cancel stops the loop at the next step.
        step_hook = _StepHook(progress, cancel, loaded.xl)
        cancel.check()
        result = pipe(**kwargs, callback_on_step_end=step_hook,
                      callback_on_step_end_tensor_inputs=["latents"])
        if step_hook.cancelled or cancel.cancelled:
            raise Cancelled()
        # 5. Outputs with the metadata other tools read.
        return [
            self._output(request, loaded, s, prompt, image, seed + i, lora_text)
            for i, image in enumerate(result.images)
        ]

    def _output(self, request: GenerationRequest, loaded: LoadedModel, s: RunSettings,
                prompt: str, image: Any, seed: int, lora_text: str) -> Output:
        sampler = sampler_label(s.scheduler, loaded.scheduler(s.scheduler))
        fields = {
            "Steps": s.steps,
            "Sampler": sampler,
            "CFG scale": s.guidance,
            "Seed": seed,
            "Size": f"{image.width}x{image.height}",
            "Model hash": loaded.hash,
            "Model": loaded.source.name,
            "Denoising strength": s.strength if s.task != "txt2img" else None,
            "LoRAs": lora_text,
            "Studio task": s.task if s.task != "txt2img" else None,
        }
        meta = {
            "seed": seed, "model": request.model, "model_hash": loaded.hash,
            "family": loaded.family, "steps": s.steps, "guidance_scale": s.guidance,
            "sampler": sampler, "width": image.width, "height": image.height,
        }
        if s.strength is not None and s.task != "txt2img":
            meta["strength"] = s.strength
        text = format_parameters(prompt, s.negative, fields)
        return Output("image", image, meta, {"parameters": text})


# -- request details -----------------------------------------------------------


def _settings(request: GenerationRequest, loaded: LoadedModel) -> RunSettings:
    p = request.params
    task = request.task or "txt2img"
    steps_default, guidance_default = loaded.defaults()
    steps = p.get("steps") or steps_default
    strength = None
    if task != "txt2img":
        strength = p.get("strength") or TASK_STRENGTH[task]
        _check_steps_left(steps, strength)
    guidance = p.get("guidance_scale")
    return RunSettings(
        task=task,
        steps=int(steps),
        guidance=float(guidance_default if guidance is None else guidance),
        width=p.get("width"),
        height=p.get("height"),
        strength=strength,
        batch=int(p.get("batch_size") or 1),
        negative=p.get("negative_prompt") or "",
        scheduler=p.get("scheduler") or None,
        loras=parse_loras(p.get("loras") or ""),
    )


def _check_steps_left(steps: int, strength: float) -> None:
    # diffusers runs int(steps * strength) steps on an input image and fails on zero.
    if int(steps * strength) < 1:
        raise ParamError(
            f"strength {strength} with {steps} steps leaves no step to run; "
            f"use at least {math.ceil(1 / strength)} steps or a higher strength"
        )


def _check_images_readable(request: GenerationRequest) -> None:
    """Refuse an input that is not an image before a model is loaded for it."""
    _open_inputs(request, verify_only=True)


def _open_inputs(request: GenerationRequest, verify_only: bool = False) -> dict[str, Any]:
    """The "image" and "mask" inputs as PIL images (or just checked, with ``verify_only``,
    which reads headers and checksums, not pixels)."""
    from PIL import Image, UnidentifiedImageError

    out: dict[str, Any] = {}
    for role in ("image", "mask"):
        path = request.inputs.get(role)
        if path is None:
            continue
        try:
            with Image.open(path) as im:
                if verify_only:
                    im.verify()
                else:
                    out[role] = im.convert("L" if role == "mask" else "RGB")
        except (OSError, UnidentifiedImageError, SyntaxError) as exc:
            raise RequestError(f"{role} input {path!r} is not a readable image: {exc}") \
                from exc
    return out


def _inputs(request: GenerationRequest, s: RunSettings) -> dict[str, Any]:
    """The input image (and mask) as PIL images, resized to the size the task works at."""
    if s.task == "txt2img":
        return {}
    from PIL import Image

    out = _open_inputs(request)
    if "image" not in out:
        raise RequestError(f"task {s.task!r} needs an image input")
    src = out["image"]
    if s.task == "upscale":
        width, height = _floor8(src.width * 2), _floor8(src.height * 2)
        if max(width, height) > MAX_SIDE:
            raise RequestError(f"upscaling a {src.width}x{src.height} image would make "
                               f"{width}x{height}; the largest side allowed is {MAX_SIDE}")
    else:
        width = s.width or _floor8(src.width)
        height = s.height or _floor8(src.height)
    if min(width, height) < 64:
        raise RequestError(f"the input image is {src.width}x{src.height}; "
                           "at least 64x64 pixels are needed")
    for role in out:
        if out[role].size != (width, height):
            out[role] = out[role].resize((width, height), Image.Resampling.LANCZOS)
    return out


def _size(s: RunSettings, images: dict[str, Any], loaded: LoadedModel) -> tuple[int, int]:
    if "image" in images:
        return images["image"].size
    pipe = loaded.text2img
    native = pipe.unet.config.sample_size * pipe.vae_scale_factor
    return s.width or native, s.height or native


def _floor8(n: int) -> int:
    return n // 8 * 8


def _embedded_prompt(path: Path) -> str:
    """The prompt stored in an image's ``parameters`` text (for variations without one)."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            text = getattr(im, "text", {}).get("parameters", "")
    except OSError:
        return ""
    return text.split("\nNegative prompt:", 1)[0].rsplit("\nSteps: ", 1)[0].strip()


class _StepHook:
    """``callback_on_step_end``: progress with a preview each step, and cancellation.

    ``progress`` raises ``Cancelled`` when the job was cancelled; an exception
    escaping the denoising loop would skip diffusers' own clean-up (offload hooks),
    so it becomes the pipeline's interrupt flag and is raised again after the call.
    """

    def __init__(self, progress: ProgressFn, cancel: CancelToken, xl: bool) -> None:
        self.progress, self.cancel, self.xl = progress, cancel, xl
        self.cancelled = False
        self.last_preview = -math.inf

    def __call__(self, pipe: Any, i: int, t: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        total = pipe.num_timesteps
        step = i + 1
        preview = None
        now = time.monotonic()
        if now - self.last_preview >= PREVIEW_INTERVAL_S or step == total:
            latents = kwargs.get("latents")
            if latents is not None:
                preview = latent_preview(latents, self.xl)
                self.last_preview = now
        try:
            self.progress(step, total, preview=preview)
        except Cancelled:
            self.cancelled = True
        if self.cancelled or self.cancel.cancelled:
            self.cancelled = True
            pipe._interrupt = True
        return kwargs
