"""Loading a diffusers pipeline once and serving every task from its components.

One ``LoadedModel`` holds the text-to-image pipeline; image-to-image and
inpainting pipelines are made from it with ``from_pipe``, which shares the UNet,
VAE and text encoders instead of loading them again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.api import LoadPlan, ModelError, OutOfMemory
from studio_image.models import (
    ModelSource,
    estimate_weight_bytes,
    hub_offline,
    locate,
    model_hash,
    read_header,
    weight_files,
)
from studio_image.schedulers import make_scheduler

log = logging.getLogger(__name__)

#: (default steps, default guidance) per model family.
FAMILY_DEFAULTS = {"sd": (25, 7.0), "sd2": (25, 7.0), "sdxl": (30, 6.0), "turbo": (4, 0.0),
                   "lcm": (4, 1.0)}
#: Headroom for activations and the allocator on top of the weights.
ACTIVATION_FACTOR = 1.25


@dataclass
class LoadedModel:
    """What ``load`` returns: the pipelines for one model under one plan, and their state."""

    source: ModelSource
    plan: LoadPlan
    family: str
    text2img: Any
    hash: str = ""
    pipes: dict[str, Any] = field(default_factory=dict)
    loras: set[str] = field(default_factory=set)
    _schedulers: dict[str, Any] = field(default_factory=dict)
    _hooked: Any = None  # the pipeline that owns the CPU-offload hooks right now
    _light: bool = False  # attention slicing and VAE tiling switched on

    @property
    def xl(self) -> bool:
        return "XL" in type(self.text2img).__name__

    @property
    def base_scheduler(self) -> Any:
        return self.text2img.scheduler

    def defaults(self) -> tuple[int, float]:
        return FAMILY_DEFAULTS[self.family]

    def pipe_for(self, kind: str) -> Any:
        """The pipeline for "txt2img", "img2img" or "inpaint", sharing the loaded weights."""
        if kind == "txt2img":
            pipe = self.text2img
        else:
            pipe = self.pipes.get(kind)
            if pipe is None:
                from diffusers import AutoPipelineForImage2Image, AutoPipelineForInpainting

                auto = AutoPipelineForInpainting if kind == "inpaint" else \
                    AutoPipelineForImage2Image
                try:
                    pipe = auto.from_pipe(self.text2img)
                except ValueError as exc:
                    raise ModelError(f"{self.source.name} cannot do {kind}: {exc}") from exc
                pipe.set_progress_bar_config(disable=True)
                self.pipes[kind] = pipe
        if self.plan.offload and self.plan.device != "cpu" and self._hooked is not pipe:
            # Offload hooks live on the shared modules: re-install them for this pipeline.
            pipe.enable_model_cpu_offload(device=self.plan.device)
            self._hooked = pipe
        return pipe

    def scheduler(self, name: str | None) -> Any:
        """The model's own scheduler for None, else one built from its config (cached)."""
        if not name:
            return self.base_scheduler
        sched = self._schedulers.get(name)
        if sched is None:
            sched = self._schedulers[name] = make_scheduler(name, self.base_scheduler)
        return sched

    def lighten(self, on: bool) -> None:
        """Attention slicing and VAE tiling for large images; off again for small ones."""
        if on == self._light:
            return
        pipe = self.text2img
        if on:
            pipe.enable_attention_slicing()
            pipe.vae.enable_tiling()
        else:
            pipe.disable_attention_slicing()
            pipe.vae.disable_tiling()
        self._light = on


def torch_dtype(name: str) -> Any:
    import torch

    try:
        return {"float32": torch.float32, "float16": torch.float16,
                "bfloat16": torch.bfloat16}[name]
    except KeyError:
        raise ModelError(f"unsupported dtype {name!r}: use float32, float16 or bfloat16") \
            from None


def estimate(model: str, plan: LoadPlan) -> int | None:
    """Weight bytes under ``plan`` from safetensors headers; None when not on disk yet."""
    try:
        source = locate(model, plan.allow_pickle)
    except ModelError:
        return None
    files = weight_files(source)
    if not files:
        return None
    return int(estimate_weight_bytes(files, plan.dtype) * ACTIVATION_FACTOR)


def load_model(model: str, plan: LoadPlan) -> LoadedModel:
    """Locate, check memory, load and place ``model`` as ``plan`` says."""
    # 1. Resolve the reference; pickles are refused here, before anything is read.
    source = locate(model, plan.allow_pickle)
    # 2. Refuse clearly when the weights cannot fit, rather than crash half-way.
    check_fits(source, plan)
    # 3. Load.
    pipe = _from_source(source, plan)
    pipe.set_progress_bar_config(disable=True)
    # 4. Place on the device.
    if plan.offload and plan.device != "cpu":
        pipe.enable_model_cpu_offload(device=plan.device)
    else:
        pipe.to(plan.device)
    loaded = LoadedModel(source, plan, _family(pipe, source), pipe,
                         hash=model_hash(source, plan.cache_dir))
    loaded._hooked = pipe if plan.offload else None
    return loaded


def _from_source(source: ModelSource, plan: LoadPlan) -> Any:
    from diffusers import AutoPipelineForText2Image
    from diffusers.utils import logging as diffusers_logging

    # The host reports loading as a job stage; diffusers' own bar would only
    # scribble over the CLI's stderr.
    diffusers_logging.disable_progress_bar()

    kwargs: dict[str, Any] = {dtype_keyword(): torch_dtype(plan.dtype)}
    if not plan.allow_pickle:
        kwargs["use_safetensors"] = True
    try:
        if source.kind == "file":
            return _from_single_file(source.path, kwargs)
        if source.kind == "folder":
            return AutoPipelineForText2Image.from_pretrained(
                str(source.path), local_files_only=True, **kwargs
            )
        # Hub id: only from the cache. A generation never starts a multi-gigabyte
        # download behind the user's back; `studio models download` does that, with
        # progress, cancel and resume.
        if source.path is None:
            raise ModelError(
                f"model {source.ref!r} is not downloaded yet: run 'studio models download "
                f"{source.ref}' (or 'hf download {source.ref}'), then generate again"
            )
        return AutoPipelineForText2Image.from_pretrained(
            source.ref, local_files_only=True, **kwargs
        )
    except (OSError, ValueError) as exc:
        hint = ""
        if source.kind == "hub":
            hint = (f"; the cached copy looks incomplete: run 'studio models download "
                    f"{source.ref}' to finish it")
        raise ModelError(f"cannot load model {source.ref!r}: {_first_line(exc)}{hint}") \
            from exc


def dtype_keyword() -> str:
    # diffusers renamed torch_dtype to dtype and warns on the old name; releases
    # before the rename (>=0.32 is supported) know only torch_dtype.
    try:
        from diffusers.utils.deprecation_utils import _resolve_dtype  # noqa: F401
    except ImportError:
        return "torch_dtype"
    return "dtype"


def _from_single_file(path: Path | None, kwargs: dict[str, Any]) -> Any:
    from diffusers import StableDiffusionPipeline, StableDiffusionXLPipeline

    assert path is not None
    cls = StableDiffusionXLPipeline if _is_xl_checkpoint(path) else StableDiffusionPipeline
    kwargs = {k: v for k, v in kwargs.items() if k != "use_safetensors"}
    try:
        return cls.from_single_file(str(path), local_files_only=hub_offline(), **kwargs)
    except (OSError, ValueError) as exc:
        message = f"cannot load {path.name}: {_first_line(exc)}"
        if "weights" not in message.lower():
            message += (
                "; single-file checkpoints need their base model's configuration from the "
                "Hugging Face cache (for example stable-diffusion-v1-5/stable-diffusion-v1-5 "
                "or stabilityai/stable-diffusion-xl-base-1.0): download it once, or use a "
                "diffusers folder instead"
            )
        raise ModelError(message) from exc


def _is_xl_checkpoint(path: Path) -> bool:
    header = read_header(path)
    if header is None:  # a pickle: no cheap way to look inside
        return "xl" in path.name.lower()
    # SDXL checkpoints carry a second text encoder; SD 1.x/2.x ones do not.
    return any(k.startswith("conditioner.embedders.1") for k in header)


def _family(pipe: Any, source: ModelSource) -> str:
    name = source.ref.lower()
    if "XL" in type(pipe).__name__ and "turbo" in name:
        return "turbo"
    if type(pipe.scheduler).__name__ == "LCMScheduler" or "lcm" in name:
        return "lcm"
    if "XL" in type(pipe).__name__:
        return "sdxl"
    encoder = getattr(pipe, "text_encoder", None)
    if encoder is not None and getattr(encoder.config, "hidden_size", 0) == 1024:
        return "sd2"
    return "sd"


def check_fits(source: ModelSource, plan: LoadPlan) -> None:
    """Raise before loading when the weights cannot fit the device under ``plan``.

    Without offload, a CUDA shortfall raises torch's own out-of-memory error so the
    host retries with the lighter (offload) plan; with offload only the largest
    component must fit, and a shortfall there is final.
    """
    files = weight_files(source)
    if not files:
        return
    need = int(estimate_weight_bytes(files, plan.dtype) * ACTIVATION_FACTOR)
    if plan.device.startswith("cuda"):
        import torch

        free, _total = torch.cuda.mem_get_info(torch.device(plan.device))
        if not plan.offload and need > free:
            raise torch.OutOfMemoryError(
                f"CUDA out of memory: {source.name} needs about {_gb(need)} GB, "
                f"{_gb(free)} GB free"
            )
        largest = max(estimate_weight_bytes([f], plan.dtype) for f in files)
        if plan.offload and largest * ACTIVATION_FACTOR > free:
            raise OutOfMemory(
                f"{source.name} needs at least {_gb(largest * ACTIVATION_FACTOR)} GB of GPU "
                f"memory even with CPU offload and {_gb(free)} GB are free: choose float16 in "
                "the settings, close other GPU programs, use a smaller model or the CPU"
            )
    elif plan.device == "cpu":
        available = _available_ram()
        if available is not None and need > available:
            raise OutOfMemory(
                f"{source.name} needs about {_gb(need)} GB of RAM and {_gb(available)} GB are "
                "available: close other programs or choose a smaller model"
            )


def _available_ram() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _gb(n: float) -> str:
    return f"{n / 1e9:.1f}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0].rstrip(".") if text else type(exc).__name__
