"""The video generator: one request through a diffusers video pipeline, step by step.

Imported on the first video job only (``GeneratorInfo.factory``), so importing
torch and diffusers here never slows the studio's start.
"""

from __future__ import annotations

import gc
import logging
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from studio.api import (
    Cancelled,
    CancelToken,
    GenerationRequest,
    Generator,
    LoadPlan,
    OutOfMemory,
    Output,
    ParamError,
    ProgressFn,
    RequestError,
)
from studio.api.loras import check_loras, parse_loras
from studio.api.video import exact_fps, frames_array
from studio_video.families import nearest_multiple, round_frames, tasks_of
from studio_video.loading import (
    LoadedVideo,
    Savers,
    check_savers,
    estimate,
    load_model,
    reload_with,
)
from studio_video.loras import apply_loras
from studio_video.models import VideoSource, activation_bytes, locate
from studio_video.preview import latent_preview

log = logging.getLogger(__name__)

#: At most one preview per this many seconds (plus the last step).
PREVIEW_INTERVAL_S = 0.2
#: Tiling cuts the decode's peak to roughly this fraction; beyond it the clip is refused.
TILED_PEAK_FRACTION = 1 / 8
#: video2video's share of the input redrawn when the request leaves it empty.
DEFAULT_STRENGTH = 0.7


@dataclass(frozen=True)
class ClipSettings:
    """A request's parameters after the family's defaults and rules are applied."""

    task: str
    frames: int
    fps: Fraction
    steps: int
    guidance: float
    width: int | None  # None: the input image's size (img2video) or the family's
    height: int | None
    negative: str
    format: str
    strength: float = DEFAULT_STRENGTH  # video2video: how much of the input is redrawn
    #: Whether the request set these (video2video otherwise takes the input clip's).
    frames_asked: bool = False
    fps_asked: bool = False
    notes: tuple[str, ...] = field(default=())


class VideoGenerator(Generator):
    """Any diffusers video pipeline, driven through its family's adapter."""

    def check_request(self, request: GenerationRequest) -> None:
        # Pickles are judged at load time, under the plan that carries the setting.
        source = locate(self.resolve_model(request), allow_pickle=True)
        s = clip_settings(request, source)
        for role in ("image", "last_image"):
            if role in request.inputs:
                _open_image(request.inputs[role], verify_only=True, role=role)
        if s.task == "video2video":
            _input_clip(request.inputs.get("video", ""), s, source)
        for path, _weight in parse_loras(request.params.get("loras") or ""):
            if not path.is_file():
                raise ParamError(f"LoRA file {str(path)!r} does not exist")

    def check_load(self, request: GenerationRequest, plan: LoadPlan) -> None:
        check_savers(Savers.of(request.params), plan)

    def estimate_bytes(self, model: str, plan: LoadPlan) -> int | None:
        return estimate(model, plan)

    def load(self, model: str, plan: LoadPlan) -> LoadedVideo:
        return load_model(model, plan)

    def unload(self, loaded: LoadedVideo) -> None:
        loaded.worker.stop()
        loaded.pipes.clear()
        loaded.pipe = None

    def generate(
        self,
        request: GenerationRequest,
        loaded: LoadedVideo,
        progress: ProgressFn,
        cancel: CancelToken,
    ) -> list[Output]:
        import torch

        # 1. Apply the family's rules and defaults; read the input image.
        source = loaded.source
        s = clip_settings(request, source)
        image = clip = last = None
        if s.task in ("img2video", "firstlast2video"):
            image = _open_image(request.inputs.get("image", ""))
        if s.task == "firstlast2video":
            last = _open_image(request.inputs.get("last_image", ""), role="last_image")
        if s.task == "video2video":
            clip, s = _input_clip(request.inputs.get("video", ""), s, source)
            image = clip[0]
        width, height = _size(s, source, image)
        notes = list(s.notes)
        # 2. The pipeline for the task, its LoRAs (on the shared modules), and memory
        #    savers for the clip's size.
        savers = Savers.of(request.params)
        if savers != loaded.savers:
            check_savers(savers, loaded.plan)
            reload_with(loaded, savers)
        notes.extend(savers.notes())
        loras = parse_loras(request.params.get("loras") or "")
        check_loras(loras, loaded.plan.allow_pickle)
        lora_text = apply_loras(loaded.pipe, loaded.loras, loras)
        pipe = loaded.pipe_for(s.task)
        notes.extend(_fit_decode(loaded, s.frames, width, height))
        # 3. Arguments under the family's names; the seed on a CPU generator, as plain
        #    diffusers would, so one seed gives the same frames on every device.
        family = source.family
        seed = int(request.seed or 0)
        kwargs: dict[str, Any] = {
            "prompt": request.prompt,
            "negative_prompt": s.negative or None,
            "height": height,
            "width": width,
            "num_inference_steps": s.steps,
            "guidance_scale": s.guidance,
            "generator": torch.Generator("cpu").manual_seed(seed),
            "output_type": "np",
        }
        if clip is not None:
            # The frame count is the input's; video-to-video pipelines take no count.
            kwargs["video"] = [frame.resize((width, height)) for frame in clip]
            kwargs[family.strength_arg] = s.strength
        else:
            kwargs[family.frames_arg] = s.frames
        if family.fps_arg:
            kwargs[family.fps_arg] = float(s.fps)
        if image is not None and clip is None:
            kwargs["image"] = image.resize((width, height))
        if last is not None and family.last_image_arg:
            kwargs[family.last_image_arg] = last.resize((width, height))
        # 4. Denoise, reporting each step; a cancel stops at the next step and skips the
        #    decode; an out-of-memory decode is retried tiled on the kept latents.
        hook = StepHook(progress, cancel, _latent_grid(pipe, s.frames, width, height))
        if family.step_callback:
            kwargs.update(callback_on_step_end=hook,
                          callback_on_step_end_tensor_inputs=["latents"])
        cancel.check()
        with DecodeGuard(loaded, hook) as guard:
            # On the generator's own long-lived thread: see pipeline_thread.
            frames = loaded.worker.call(
                lambda: frames_array(pipe(**kwargs).frames[0]))
        if hook.cancelled or cancel.cancelled:
            raise Cancelled()
        if guard.retried:
            notes.append("the VAE decode ran out of memory and was retried tiled on the "
                         "kept latents (no denoising repeated)")
        # 5. The clip, with what reproduces it.
        meta = {
            "seed": seed, "model": request.model, "family": family.name,
            "pipeline": source.class_name, "steps": s.steps, "guidance_scale": s.guidance,
            "width": int(frames.shape[2]), "height": int(frames.shape[1]),
            "num_frames": int(frames.shape[0]), "fps": str(s.fps), "format": s.format,
        }
        if clip is not None:
            meta["strength"] = s.strength
        if lora_text:
            meta["loras"] = lora_text
        if notes:
            meta["notes"] = notes
            for note in notes:
                log.info("%s", note)
        return [Output("video", (frames, s.fps), meta)]


# -- request details -------------------------------------------------------------


def clip_settings(request: GenerationRequest, source: VideoSource) -> ClipSettings:
    """Check ``request`` against the model's rules and fill in the family's defaults.

    Raises ``RequestError`` for a task the model cannot run and ``ParamError`` for a
    size or frame count it cannot make, naming the nearest allowed value.
    """
    p = request.params
    family = source.family
    task = request.task or "txt2video"
    tasks = tasks_of(family, source.class_name)
    if task not in tasks:
        if task == "img2video":
            raise RequestError(
                f"{source.name} is a text-to-video model ({source.class_name}) and takes no "
                "image input: use task txt2video, or an image-to-video model"
                + (f" ({family.img2video})" if family.img2video else ""))
        if task == "video2video":
            raise RequestError(
                f"{source.name} ({source.class_name}) has no video2video: this diffusers "
                f"has a video-to-video pipeline for {', '.join(_v2v_families())}")
        if task == "firstlast2video":
            if family.last_image_arg is None:
                raise RequestError(
                    f"{source.name} ({source.class_name}) takes no last frame: first/last "
                    f"frame conditioning is for {', '.join(_last_image_families())} "
                    "image-to-video models")
            raise RequestError(
                f"{source.name} is a text-to-video model ({source.class_name}) and takes no "
                f"image input: first/last frame conditioning needs {family.img2video}")
        raise RequestError(f"{source.name} is an image-to-video model ({source.class_name}): "
                           "give it an image input (task img2video)")
    if task == "firstlast2video" and source.index.get("expand_timesteps"):
        # Wan 2.2 TI2V conditions on the first frame only; diffusers ignores last_image.
        raise RequestError(f"{source.name} conditions on the first frame only (expand_timesteps"
                           "): use task img2video, or a Wan 2.1/2.2 A14B image-to-video model")
    notes: list[str] = []
    asked = int(p.get("num_frames") or family.frames)
    temporal = source.temporal
    top = round_frames(family.max_frames, temporal, family.max_frames)
    if asked > family.max_frames:
        raise ParamError(f"num_frames {asked} is more than {family.name} makes; the nearest "
                         f"allowed value is {top}")
    frames = round_frames(asked, temporal, family.max_frames)
    if frames != asked:
        notes.append(f"num_frames {asked} rounded to {frames}: {family.name} makes "
                     f"{temporal}k+1 frames")
    spatial = source.spatial
    for name in ("width", "height"):
        value = p.get(name)
        if value and value % spatial:
            raise ParamError(
                f"{name} {value} is not a multiple of {spatial}, which {source.name} needs; "
                f"the nearest allowed value is {nearest_multiple(value, spatial)}")
    try:
        fps = exact_fps(p.get("fps") or family.fps)
    except ValueError as exc:
        raise ParamError(f"fps: {exc}") from None
    guidance = p.get("guidance_scale")
    strength = p.get("strength")
    strength = DEFAULT_STRENGTH if strength is None else float(strength)
    if not 0 < strength <= 1:
        raise ParamError(f"strength {strength:g} is outside 0-1 (above 0); the nearest "
                         f"allowed value is {min(1.0, max(0.01, strength)):g}")
    steps = int(p.get("steps") or family.steps)
    if task == "video2video" and int(steps * strength) < 1:
        # The pipelines run int(steps * strength) steps: none would crash in diffusers.
        raise ParamError(f"strength {strength:g} with {steps} steps leaves no denoising step; "
                         f"the nearest allowed value is {math.ceil(100 / steps) / 100:g} "
                         "(or raise steps)")
    return ClipSettings(
        task=task, frames=frames, fps=fps, steps=steps,
        guidance=float(family.guidance if guidance is None else guidance),
        width=p.get("width"), height=p.get("height"),
        negative=p.get("negative_prompt") or "", format=p.get("format") or "mp4",
        strength=strength, frames_asked=bool(p.get("num_frames")),
        fps_asked=bool(p.get("fps")), notes=tuple(notes),
    )


def _last_image_families() -> list[str]:
    from studio_video.families import FAMILIES

    return [f.name for f in FAMILIES if f.last_image_arg]


def _v2v_families() -> list[str]:
    from studio_video.families import FAMILIES

    return [f.name for f in FAMILIES if f.video2video]


def _size(s: ClipSettings, source: VideoSource, image: Any) -> tuple[int, int]:
    spatial = source.spatial
    if image is not None:
        base = image.size
    else:
        base = source.family.size
    width = s.width or nearest_multiple(base[0], spatial)
    height = s.height or nearest_multiple(base[1], spatial)
    return width, height


def _input_clip(path: str, s: ClipSettings, source: VideoSource
                ) -> tuple[list[Any], ClipSettings]:
    """The input video's frames (PIL) cut to the model's frame rule, and the settings
    with the clip's frame count and, unless asked, its frame rate.

    Raises ``RequestError`` naming the file when it does not decode.
    """
    from dataclasses import replace

    from PIL import Image

    from studio.api.video import read_video

    try:
        with open(path, "rb") as f:
            array, rate, _tags = read_video(f.read())
    except (OSError, ValueError, IndexError) as exc:
        raise RequestError(f"video input {path!r} is not a readable video: "
                           f"{' '.join(str(exc).split()) or type(exc).__name__}") from None
    family = source.family
    asked = s.frames if s.frames_asked else len(array)
    # Never more frames than the input has: round down to the model's rule.
    count = min(asked, len(array))
    frames = round_frames(count, source.temporal, family.max_frames)
    while frames > count and frames > 1:
        frames = round_frames(frames - (source.temporal or 1), source.temporal,
                              family.max_frames)
    notes = [n for n in s.notes if not n.startswith("num_frames ")]
    if frames != len(array):
        notes.append(f"the input's first {frames} of {len(array)} frames are used: "
                     f"{family.name} makes {source.temporal or 1}k+1 frames")
    clip = [Image.fromarray(frame, "RGB") for frame in array[:frames]]
    fps = s.fps if s.fps_asked or not rate else rate
    return clip, replace(s, frames=frames, fps=fps, notes=tuple(notes))


def _open_image(path: str, verify_only: bool = False, role: str = "image") -> Any:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            if verify_only:
                im.verify()
                return None
            return im.convert("RGB")
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as exc:
        raise RequestError(f"{role} input {path!r} is not a readable image: {exc}") from exc


def _latent_grid(pipe: Any, frames: int, width: int, height: int) -> tuple[int, int, int] | None:
    """(frames, height, width) of packed latents (LTX), for the preview to unpack."""
    temporal = getattr(pipe, "vae_temporal_compression_ratio", None)
    spatial = getattr(pipe, "vae_spatial_compression_ratio", None)
    if not temporal or not spatial:
        return None
    p = getattr(pipe, "transformer_spatial_patch_size", 1) or 1
    pt = getattr(pipe, "transformer_temporal_patch_size", 1) or 1
    return ((frames - 1) // temporal + 1) // pt, height // spatial // p, width // spatial // p


# -- memory -------------------------------------------------------------------------


def _fit_decode(loaded: LoadedVideo, frames: int, width: int, height: int) -> list[str]:
    """Switch VAE tiling on when the decode would not fit; refuse what tiling cannot save."""
    plan = loaded.plan
    if not plan.device.startswith("cuda"):
        return []
    import torch

    need = activation_bytes(loaded.source, frames, width, height, plan.dtype)
    free, _total = torch.cuda.mem_get_info(torch.device(plan.device))
    if need <= free:
        return []
    if need * TILED_PEAK_FRACTION > free:
        fewer = max(1, int(frames * free / (need * TILED_PEAK_FRACTION)))
        raise OutOfMemory(
            f"a {frames}-frame {width}x{height} clip needs about {need / 1e9:.1f} GB to decode "
            f"and {free / 1e9:.1f} GB are free even with VAE tiling: lower num_frames (to "
            f"about {fewer}) or the width and height")
    loaded.lighten(True)
    return [f"VAE tiling on: decoding {frames} frames at {width}x{height} needs about "
            f"{need / 1e9:.1f} GB, {free / 1e9:.1f} GB are free"]


def is_out_of_memory(exc: BaseException) -> bool:
    import torch

    return isinstance(exc, torch.OutOfMemoryError) or (
        isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower())


class DecodeGuard:
    """Wraps the VAE's ``decode`` for one call of the pipeline.

    The latents it is given are the result of the whole denoise. On an
    out-of-memory error it frees cached memory, switches VAE tiling and slicing on
    and decodes the same latents again, so a long denoise is never repeated. A
    cancelled job skips the decode altogether.
    """

    def __init__(self, loaded: LoadedVideo, hook: StepHook) -> None:
        self.loaded, self.hook = loaded, hook
        self.vae = loaded.pipe.vae
        self.retried = False

    def __enter__(self) -> DecodeGuard:
        original = self.vae.decode

        def decode(*args: Any, **kwargs: Any) -> Any:
            if self.hook.cancelled:
                raise Cancelled()
            try:
                return original(*args, **kwargs)
            except Exception as exc:
                if not is_out_of_memory(exc) or self.retried:
                    raise
            self.retried = True
            log.warning("the VAE decode ran out of memory; retrying it tiled on the kept "
                        "latents")
            _free_cached_memory()
            self.loaded.lighten(True)
            try:
                return original(*args, **kwargs)
            except Exception as exc:
                if not is_out_of_memory(exc):
                    raise
                kept = self._keep(args[0] if args else kwargs.get("z"))
                where = f"; the denoised latents are kept in {kept}" if kept else ""
                # A StudioError, not torch's: the host must not denoise again with offload.
                raise OutOfMemory(
                    "the VAE decode ran out of memory even tiled" + where + ": lower the "
                    "width and height or num_frames, or close other GPU programs") from exc

        self.vae.decode = decode
        return self

    def _keep(self, latents: Any) -> str | None:
        """Save the latents the decode got into the plan's cache folder (atomically)."""
        folder = self.loaded.plan.cache_dir
        if folder is None or latents is None:
            return None
        import os

        import torch

        target = Path(folder) / "video-latents" / f"latents-{time.time_ns()}.pt"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".partial")
            torch.save(latents.detach().to("cpu"), partial)
            os.replace(partial, target)
        except OSError as exc:
            log.warning("the denoised latents could not be kept: %s", exc)
            return None
        return str(target)

    def __exit__(self, *exc: object) -> None:
        # Back to the class's own method (the wrapper was an instance attribute).
        self.vae.__dict__.pop("decode", None)


def _free_cached_memory() -> None:
    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


# -- progress ---------------------------------------------------------------------


class StepHook:
    """``callback_on_step_end``: progress with a latent preview each step, and cancel.

    ``progress`` raises ``Cancelled`` when the job was cancelled; an exception
    escaping the denoising loop would skip diffusers' own clean-up, so it becomes
    the pipeline's interrupt flag and is raised again after the call.
    """

    def __init__(self, progress: ProgressFn, cancel: CancelToken,
                 grid: tuple[int, int, int] | None) -> None:
        self.progress, self.cancel, self.grid = progress, cancel, grid
        self.cancelled = False
        self.latents: Any = None  # the newest latents: the denoise so far, kept in memory
        self.last_preview = -math.inf

    def __call__(self, pipe: Any, i: int, t: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        total = pipe.num_timesteps
        step = i + 1
        self.latents = kwargs.get("latents")
        preview = None
        now = time.monotonic()
        if self.latents is not None and (now - self.last_preview >= PREVIEW_INTERVAL_S
                                         or step == total):
            preview = latent_preview(self.latents, self.grid)
            self.last_preview = now
        try:
            self.progress(step, total, preview=preview)
        except Cancelled:
            self.cancelled = True
        if self.cancelled or self.cancel.cancelled:
            self.cancelled = True
            pipe._interrupt = True
        return kwargs
