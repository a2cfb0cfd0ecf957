"""LoRA files with per-file weights: parsing the ``loras`` parameter and applying it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from studio.api import ModelError, ParamError
from studio_image.models import PICKLE_SUFFIXES


def parse_loras(text: str) -> list[tuple[Path, float]]:
    """``"a.safetensors:0.8;b.safetensors"`` -> [(a, 0.8), (b, 1.0)].

    The weight is split at the last colon only when what follows is a number, so
    Windows paths (``C:\\loras\\x.safetensors``) keep their drive letter.
    """
    out: list[tuple[Path, float]] = []
    for item in text.split(";"):
        item = item.strip()
        if not item:
            continue
        path, weight = item, 1.0
        head, sep, tail = item.rpartition(":")
        if sep and head:
            try:
                weight = float(tail)
                path = head
            except ValueError:
                pass
        out.append((Path(path.strip()).expanduser(), weight))
    return out


def check_loras(loras: list[tuple[Path, float]], allow_pickle: bool) -> None:
    for path, weight in loras:
        if not path.is_file():
            raise ParamError(f"LoRA file {str(path)!r} does not exist")
        if path.suffix.lower() in PICKLE_SUFFIXES and not allow_pickle:
            raise ModelError(
                f"LoRA {path.name} is a pickle file, which can run code when it is loaded; "
                "use a .safetensors version, or turn on allow_pickle in the settings"
            )
        if not -5 <= weight <= 5:
            raise ParamError(f"LoRA weight for {path.name} must be from -5 to 5, got {weight}")


def adapter_name(path: Path) -> str:
    """A stable adapter name per file (peft names may not contain dots)."""
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:8]
    stem = "".join(c if c.isalnum() else "_" for c in path.stem)[:40]
    return f"{stem}_{digest}"


def apply_loras(pipe: Any, loaded: set[str], loras: list[tuple[Path, float]]) -> str:
    """Make exactly ``loras`` active on ``pipe``; ``loaded`` tracks adapters already in it.

    Returns "name: weight, ..." for the image's ``parameters`` text.
    """
    if not loras:
        if loaded:
            pipe.disable_lora()
        return ""
    try:
        import peft  # noqa: F401
    except ImportError:
        raise ModelError("LoRAs need the peft package: pip install peft") from None
    names, weights = [], []
    for path, weight in loras:
        name = adapter_name(path)
        if name not in loaded:
            try:
                pipe.load_lora_weights(str(path), adapter_name=name)
            except (ValueError, KeyError, OSError) as exc:
                raise ModelError(f"LoRA {path.name} does not fit this model: {exc}") from exc
            loaded.add(name)
        names.append(name)
        weights.append(weight)
    pipe.enable_lora()
    pipe.set_adapters(names, adapter_weights=weights)
    return ", ".join(f"{p.stem}: {w:g}" for p, w in loras)
