"""LoRA files with per-file weights: parsing the ``loras`` parameter and applying it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.api import ModelError
from studio.api.loras import adapter_name


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
