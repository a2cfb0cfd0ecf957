"""LoRA files on a video pipeline, as the image pack loads them (``loras`` parameter).

Distilled few-step LoRAs (Lightning-style, for Wan and others) load this way too:
``path.safetensors:1.0``, with the steps and guidance the LoRA was made for.
A file whose keys name no layer of the model is refused by name: diffusers only
logs a warning and runs without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.api import ModelError
from studio.api.loras import adapter_name


def apply_loras(pipe: Any, loaded: set[str], loras: list[tuple[Path, float]]) -> str:
    """Make exactly ``loras`` active on ``pipe``; ``loaded`` tracks adapters already in it.

    Returns "name: weight, ..." for the clip's metadata. Raises ``ModelError`` naming
    the file when the pipeline takes no LoRAs or the file does not fit the model.
    """
    if not loras:
        if loaded:
            pipe.disable_lora()
        return ""
    if not hasattr(pipe, "load_lora_weights"):
        raise ModelError(f"{type(pipe).__name__} takes no LoRAs in this diffusers")
    try:
        import peft  # noqa: F401
    except ImportError:
        raise ModelError("LoRAs need the peft package: pip install peft") from None
    names, weights = [], []
    for path, weight in loras:
        name = adapter_name(path)
        if name not in loaded:
            _load(pipe, path, name)
            loaded.add(name)
        names.append(name)
        weights.append(weight)
    pipe.enable_lora()
    pipe.set_adapters(names, adapter_weights=weights)
    return ", ".join(f"{p.stem}: {w:g}" for p, w in loras)


def _load(pipe: Any, path: Path, name: str) -> None:
    try:
        pipe.load_lora_weights(str(path), adapter_name=name)
    except Exception as exc:  # any failure here is the file's: name it, in one line
        _forget(pipe, name)
        if isinstance(exc, KeyError):
            # diffusers' key converters fail on a key they expected and did not find.
            why = (f"its keys ({_sample_key(path)}, ...) are in a format this diffusers "
                   f"does not convert for {type(pipe).__name__} (no {exc.args[0]!r})")
        else:
            why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"LoRA {path.name} does not fit this model: {why}") from exc
    adapters = {a for names in pipe.get_list_adapters().values() for a in names}
    if name not in adapters:
        raise ModelError(
            f"LoRA {path.name} does not fit this model: none of its keys ({_sample_key(path)}"
            f", ...) names a layer of {type(pipe).__name__}; it is for another model or in "
            "a key format this diffusers does not convert")


def _forget(pipe: Any, name: str) -> None:
    try:
        pipe.delete_adapters(name)
    except Exception:  # nothing was loaded under that name
        pass


def _sample_key(path: Path) -> str:
    try:
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as f:
            keys = list(f.keys())
    except Exception:
        return "unreadable"
    return repr(keys[0]) if keys else "none"
