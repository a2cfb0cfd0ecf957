"""What a file's generation metadata says, in Studio's terms, plus the shared converters."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from studio.api import GenerationRequest, RequestError


class NoMetadata(RequestError):
    """The file is readable but carries no generation metadata (an ordinary photo)."""


@dataclass(frozen=True)
class LoraRef:
    """One LoRA a file names: its name as the tool wrote it, weight and hash when given."""

    name: str
    weight: float | None = None
    hash: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "weight": self.weight, "hash": self.hash}


@dataclass(frozen=True)
class FileMetadata:
    """The generation metadata found in one file.

    ``tool`` names the program that wrote it; ``request`` maps it onto Studio's
    request (parameter names the image pack shares); ``raw`` holds the metadata as
    found (JSON-safe); ``sampler`` is the tool's own sampler name, which
    ``request.params["scheduler"]`` holds only when Studio has the same one.
    """

    tool: str
    request: GenerationRequest
    raw: dict[str, Any] = field(default_factory=dict)
    created: float | None = None
    model_hash: str | None = None
    loras: tuple[LoraRef, ...] = ()
    sampler: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "request": self.request.to_dict(),
            "raw": json_safe(self.raw),
            "created": self.created,
            "model_hash": self.model_hash,
            "loras": [lora.to_dict() for lora in self.loras],
            "sampler": self.sampler,
        }


#: Sampler names as the tools write them (lower case, spaces or underscores) -> Studio's.
#: Only exact equivalents: an SDE variant, or Karras sigmas on a sampler Studio has
#: no Karras form of, is a different sampler.
SAMPLERS = {
    "euler": "euler", "euler a": "euler_a", "euler_a": "euler_a",
    "euler_ancestral": "euler_a", "k_euler": "euler", "k_euler_a": "euler_a",
    "k_euler_ancestral": "euler_a",
    "dpm++ 2m": "dpmpp_2m", "dpmpp_2m": "dpmpp_2m", "k_dpmpp_2m": "dpmpp_2m",
    "ddim": "ddim", "unipc": "unipc", "uni_pc": "unipc", "uni_pc_bh2": "unipc",
    "lcm": "lcm",
}
#: The same samplers on Karras sigmas (A1111's "Schedule type: Karras", older "... Karras"
#: names, ComfyUI's scheduler "karras").
KARRAS_SAMPLERS = {"dpmpp_2m": "dpmpp_2m_karras"}


def studio_scheduler(sampler: str | None, schedule: str | None = None) -> str | None:
    """Studio's scheduler for a tool's sampler name, or None when it has no equivalent.

    A1111 wrote "DPM++ 2M Karras" before it split "Schedule type" out; both spellings
    of the plain (non-Karras) schedule count as the same sampler.
    """
    if not sampler:
        return None
    name = sampler.strip().lower()
    karras = name.endswith(" karras")
    name = name.removesuffix(" karras")
    kind = (schedule or "").strip().lower()
    if kind == "karras":
        karras = True
    elif kind not in {"", "automatic", "normal", "simple", "default"}:
        return None
    found = SAMPLERS.get(name)
    return KARRAS_SAMPLERS.get(found or "") if karras else found


def to_int(value: Any) -> int | None:
    """An int from an int, a float with no fraction, or a decimal string; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d{1,40}", text):
            return int(text)
        if re.fullmatch(r"[+-]?\d{1,40}\.0*", text):
            return int(text.split(".")[0])
    return None


def to_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def to_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def json_safe(value: Any, depth: int = 0) -> Any:
    """``value`` with everything JSON cannot hold turned into strings (and nesting capped)."""
    if depth > 64:
        return "..."
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, Mapping):
        return {str(k): json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v, depth + 1) for v in value]
    return str(value)


def loads_object(text: str) -> dict[str, Any] | None:
    """``text`` as a JSON object, or None when it is not one."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def image_request(
    *,
    prompt: str = "",
    negative: str = "",
    model: str = "",
    seed: Any = None,
    steps: Any = None,
    cfg: Any = None,
    width: Any = None,
    height: Any = None,
    sampler: str | None = None,
    schedule: str | None = None,
    strength: Any = None,
    loras: Iterable[LoraRef] = (),
    task: str = "txt2img",
) -> GenerationRequest:
    """A Studio image request from the fields every tool has, under Studio's names."""
    params: dict[str, Any] = {}
    if negative:
        params["negative_prompt"] = negative
    for key, value in (("steps", to_int(steps)), ("width", to_int(width)),
                       ("height", to_int(height))):
        if value is not None and value > 0:
            params[key] = value
    guidance = to_float(cfg)
    if guidance is not None:
        params["guidance_scale"] = guidance
    scheduler = studio_scheduler(sampler, schedule)
    if scheduler:
        params["scheduler"] = scheduler
    amount = to_float(strength)
    if amount is not None and 0 < amount < 1:
        params["strength"] = amount
        if task == "txt2img":
            task = "img2img"
    lora_text = ";".join(
        lora.name if lora.weight is None else f"{lora.name}:{lora.weight:g}" for lora in loras
    )
    if lora_text:
        params["loras"] = lora_text
    number = to_int(seed)
    return GenerationRequest(
        modality="image", prompt=prompt.strip(), task=task, model=model.strip(),
        params=params, seed=number if number is not None and number >= 0 else None,
    )
