"""Scheduler choice by name, built from the model's own scheduler config."""

from __future__ import annotations

from typing import Any

from studio.api import ParamError

#: name -> (diffusers class, config overrides, the sampler name A1111 and Civitai show)
SCHEDULERS: dict[str, tuple[str, dict[str, Any], str]] = {
    "euler": ("EulerDiscreteScheduler", {}, "Euler"),
    "euler_a": ("EulerAncestralDiscreteScheduler", {}, "Euler a"),
    "dpmpp_2m": ("DPMSolverMultistepScheduler",
                 {"algorithm_type": "dpmsolver++", "solver_order": 2}, "DPM++ 2M"),
    # The sampler most A1111 and Civitai images name: DPM++ 2M on Karras sigmas.
    "dpmpp_2m_karras": ("DPMSolverMultistepScheduler",
                        {"algorithm_type": "dpmsolver++", "solver_order": 2,
                         "use_karras_sigmas": True}, "DPM++ 2M Karras"),
    "ddim": ("DDIMScheduler", {}, "DDIM"),
    "unipc": ("UniPCMultistepScheduler", {}, "UniPC"),
    "lcm": ("LCMScheduler", {}, "LCM"),
}

#: A1111 names for the schedulers models ship with, when none was chosen.
_NATIVE_NAMES = {
    "PNDMScheduler": "PLMS",
    "EulerDiscreteScheduler": "Euler",
    "EulerAncestralDiscreteScheduler": "Euler a",
    "DDIMScheduler": "DDIM",
    "LCMScheduler": "LCM",
    "UniPCMultistepScheduler": "UniPC",
    "DPMSolverMultistepScheduler": "DPM++ 2M",
    "LMSDiscreteScheduler": "LMS",
    "HeunDiscreteScheduler": "Heun",
}


def make_scheduler(name: str, base: Any) -> Any:
    """A new scheduler of kind ``name`` configured from ``base`` (the model's own)."""
    import diffusers

    try:
        cls_name, overrides, _label = SCHEDULERS[name]
    except KeyError:
        raise ParamError(f"scheduler must be one of {', '.join(SCHEDULERS)}; got {name!r}") \
            from None
    cls = getattr(diffusers, cls_name)
    return cls.from_config(base.config, **overrides)


def sampler_label(name: str | None, scheduler: Any) -> str:
    """The sampler name to write into A1111 ``parameters`` text."""
    if name:
        return SCHEDULERS[name][2]
    cls_name = type(scheduler).__name__
    return _NATIVE_NAMES.get(cls_name, cls_name.removesuffix("Scheduler"))
