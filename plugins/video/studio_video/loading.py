"""Loading a video pipeline by the class its ``model_index.json`` declares.

One ``LoadedVideo`` holds the pipeline of the model's own class; where a family's
text-to-video weights also drive its image-to-video pipeline (LTX), that pipeline
is made with ``from_pipe``, sharing the loaded modules.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field
from typing import Any

from studio.api import LoadPlan, ModelError, OutOfMemory, ParamError
from studio_video.families import tasks_of
from studio_video.models import VideoSource, estimate_weight_bytes, locate, weight_files
from studio_video.pipeline_thread import PipelineThread

log = logging.getLogger(__name__)

#: Headroom for activations and the allocator on top of the weights.
ACTIVATION_FACTOR = 1.25


@dataclass
class LoadedVideo:
    """What ``load`` returns: the pipeline for one model under one plan."""

    source: VideoSource
    plan: LoadPlan
    pipe: Any
    pipes: dict[str, Any] = field(default_factory=dict)
    tiled: bool = False  # VAE tiling and slicing are on
    loras: set[str] = field(default_factory=set)  # adapter names loaded into the pipeline
    savers: Savers = field(default_factory=lambda: Savers())  # what the load applied
    #: Where the pipeline runs (see pipeline_thread); ends with the unload, or when
    #: this object is collected.
    worker: PipelineThread = field(default_factory=PipelineThread)

    def __post_init__(self) -> None:
        weakref.finalize(self, self.worker.stop)

    @property
    def tasks(self) -> tuple[str, ...]:
        return tasks_of(self.source.family, self.source.class_name)

    def pipe_for(self, task: str) -> Any:
        """The pipeline that runs ``task``, sharing the loaded weights."""
        family = self.source.family
        if task == "txt2video" or self.source.class_name == family.img2video:
            return self.pipe
        pipe = self.pipes.get(task)
        if pipe is None:
            import diffusers

            name = family.video2video if task == "video2video" else family.img2video
            cls = getattr(diffusers, name or "", None)
            if cls is None:
                raise ModelError(f"this diffusers has no {name}")
            pipe = cls.from_pipe(self.pipe)
            pipe.set_progress_bar_config(disable=True)
            self.pipes[task] = pipe
        return pipe

    def lighten(self, on: bool) -> None:
        """VAE tiling and slicing: decode in pieces, for large clips and after an OOM."""
        if on == self.tiled:
            return
        vae = self.pipe.vae
        for name in ("tiling", "slicing"):
            switch = getattr(vae, f"{'enable' if on else 'disable'}_{name}", None)
            if switch is not None:
                switch()
        self.tiled = on


@dataclass(frozen=True)
class Savers:
    """Memory savers fixed at load time (they change how the weights are held)."""

    #: The denoiser's layers live in CPU memory and are streamed to the GPU as they run.
    group_offload: bool = False
    #: The denoiser's weights are stored as float8 and cast up layer by layer to run.
    fp8_storage: bool = False

    @classmethod
    def of(cls, params: dict[str, Any]) -> Savers:
        return cls(bool(params.get("group_offload")), bool(params.get("fp8_storage")))

    def notes(self) -> list[str]:
        return [text for on, text in (
            (self.group_offload, "group offload with streams on the denoiser"),
            (self.fp8_storage, "the denoiser's weights stored as float8 (layerwise casting)"),
        ) if on]


def check_savers(savers: Savers, plan: LoadPlan) -> None:
    """Refuse a saver the device cannot use, in one line."""
    if savers.group_offload and not plan.device.startswith("cuda"):
        raise ParamError(f"group_offload streams weights to a CUDA GPU and this studio runs on "
                         f"{plan.device}: leave it off (the nearest allowed value is false)")


def reload_with(loaded: LoadedVideo, savers: Savers) -> None:
    """Load ``loaded``'s model again with ``savers`` (float8 storage cannot be undone in
    place), replacing its pipeline; LoRAs and derived pipelines are made again."""
    loaded.pipes.clear()
    loaded.pipe = None
    loaded.loras.clear()
    loaded.tiled = False
    _free_memory(loaded.plan.device)
    fresh = load_model(loaded.source.ref, loaded.plan, savers)
    loaded.pipe, loaded.savers = fresh.pipe, savers


def _free_memory(device: str) -> None:
    import gc

    gc.collect()
    if device.startswith("cuda"):
        import torch

        torch.cuda.empty_cache()


def denoiser(pipe: Any) -> Any:
    """The pipeline's transformer or UNet: the part the savers apply to."""
    return getattr(pipe, "transformer", None) or getattr(pipe, "unet", None)


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


def load_model(model: str, plan: LoadPlan, savers: Savers | None = None) -> LoadedVideo:
    """Locate, check memory, load and place ``model`` as ``plan`` and ``savers`` say."""
    savers = savers or Savers()
    check_savers(savers, plan)
    # 1. Resolve the reference and its family; pickles are refused before any read.
    source = locate(model, plan.allow_pickle)
    # 2. Refuse clearly when the weights cannot fit, rather than crash half-way.
    check_fits(source, plan)
    # 3. Load by the declared class (DiffusionPipeline picks it from model_index.json).
    pipe = _from_source(source, plan)
    pipe.set_progress_bar_config(disable=True)
    # 4. Place on the device, with the savers asked for.
    place(pipe, plan, savers)
    return LoadedVideo(source, plan, pipe, savers=savers)


def place(pipe: Any, plan: LoadPlan, savers: Savers) -> None:
    """Move ``pipe`` to the plan's device; float8 storage and group offload on the denoiser."""
    net = denoiser(pipe)
    for name, wanted in (("enable_layerwise_casting", savers.fp8_storage),
                         ("enable_group_offload", savers.group_offload)):
        if wanted and not hasattr(net, name):
            raise ModelError(f"{type(pipe).__name__}'s {type(net).__name__} has no {name} in "
                             "this diffusers: leave that memory saver off")
    if savers.fp8_storage:
        import torch

        net.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn,
                                     compute_dtype=torch_dtype(plan.dtype))
    if savers.group_offload:
        import torch

        # Everything but the denoiser on the GPU; the denoiser's layers stay in CPU
        # memory and are copied in on a side stream while the previous one runs.
        for name, component in pipe.components.items():
            if component is not net and hasattr(component, "to") and name != "scheduler":
                component.to(plan.device)
        net.enable_group_offload(onload_device=torch.device(plan.device),
                                 offload_device=torch.device("cpu"), offload_type="leaf_level",
                                 use_stream=True)
    elif plan.offload and plan.device != "cpu":
        pipe.enable_model_cpu_offload(device=plan.device)
    else:
        pipe.to(plan.device)


def _from_source(source: VideoSource, plan: LoadPlan) -> Any:
    from diffusers import DiffusionPipeline
    from diffusers.utils import logging as diffusers_logging

    diffusers_logging.disable_progress_bar()
    kwargs: dict[str, Any] = {_dtype_keyword(): torch_dtype(plan.dtype),
                              "local_files_only": True}
    if not plan.allow_pickle:
        kwargs["use_safetensors"] = True
    assert source.folder is not None
    try:
        if source.adapter is not None:
            from diffusers import AnimateDiffPipeline, MotionAdapter

            adapter = MotionAdapter.from_pretrained(str(source.adapter), **kwargs)
            return AnimateDiffPipeline.from_pretrained(str(source.folder),
                                                       motion_adapter=adapter, **kwargs)
        return DiffusionPipeline.from_pretrained(str(source.folder), **kwargs)
    except (OSError, ValueError, TypeError) as exc:
        raise ModelError(f"cannot load model {source.ref!r}: {_first_line(exc)}") from exc


def _dtype_keyword() -> str:
    # diffusers renamed torch_dtype to dtype; releases before the rename know only
    # torch_dtype.
    try:
        from diffusers.utils.deprecation_utils import _resolve_dtype  # noqa: F401
    except ImportError:
        return "torch_dtype"
    return "dtype"


def check_fits(source: VideoSource, plan: LoadPlan) -> None:
    """Raise before loading when the weights cannot fit the device under ``plan``.

    Without offload, a CUDA shortfall raises torch's own out-of-memory error so the
    host retries with CPU offload; with offload only the largest component must fit.
    """
    files = weight_files(source)
    if not files or not plan.device.startswith("cuda"):
        return
    import torch

    need = int(estimate_weight_bytes(files, plan.dtype) * ACTIVATION_FACTOR)
    free, _total = torch.cuda.mem_get_info(torch.device(plan.device))
    if not plan.offload and need > free:
        raise torch.OutOfMemoryError(
            f"CUDA out of memory: {source.name} needs about {need / 1e9:.1f} GB, "
            f"{free / 1e9:.1f} GB free")
    largest = max(estimate_weight_bytes([f], plan.dtype) for f in files)
    if plan.offload and largest * ACTIVATION_FACTOR > free:
        raise OutOfMemory(
            f"{source.name} needs at least {largest * ACTIVATION_FACTOR / 1e9:.1f} GB of GPU "
            f"memory even with CPU offload and {free / 1e9:.1f} GB are free: choose "
            "bfloat16, close other GPU programs or use a smaller model")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0].rstrip(".") if text else type(exc).__name__
