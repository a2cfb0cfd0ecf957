"""Loading the diffusers audio pipelines (Stable Audio, ACE-Step) one way."""

from __future__ import annotations

from typing import Any

from studio.api import LoadPlan, ModelError
from studio_music.models import ModelSource, declared_family, locate


def dtype_keyword() -> str:
    # diffusers renamed torch_dtype to dtype and warns on the old name; releases
    # before the rename know only torch_dtype.
    try:
        from diffusers.utils.deprecation_utils import _resolve_dtype  # noqa: F401
    except ImportError:
        return "torch_dtype"
    return "dtype"


def load_pipeline(class_name: str, family: str, label: str, model: str,
                  plan: LoadPlan) -> tuple[ModelSource, Any]:
    """``(source, pipeline)`` of diffusers class ``class_name`` on the plan's device.

    The folder must declare ``family`` (refused naming ``label`` otherwise); load
    errors become one-line ``ModelError``s naming the model.
    """
    import diffusers
    import torch
    from diffusers.utils import logging as diffusers_logging

    diffusers_logging.disable_progress_bar()
    source = locate(model, plan.allow_pickle)
    if declared_family(source) != family:
        raise ModelError(f"{source.name} is not a {label} model")
    dtype = {"float16": torch.float16, "bfloat16": torch.bfloat16}.get(plan.dtype,
                                                                        torch.float32)
    try:
        pipe = getattr(diffusers, class_name).from_pretrained(
            str(source.path), local_files_only=True, use_safetensors=not plan.allow_pickle,
            **{dtype_keyword(): dtype})
    except (OSError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ModelError(f"cannot load model {source.ref!r}: {first}") from exc
    pipe.set_progress_bar_config(disable=True)
    if plan.offload and plan.device != "cpu":
        pipe.enable_model_cpu_offload(device=plan.device)
    else:
        pipe.to(plan.device)
    return source, pipe
