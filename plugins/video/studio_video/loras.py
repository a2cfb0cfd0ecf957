"""LoRA files on a video pipeline, as the image pack loads them (``loras`` parameter).

Distilled few-step LoRAs (Lightning-style, for Wan and others) load this way too:
``path.safetensors:1.0``, with the steps and guidance the LoRA was made for.
A file whose keys name no layer of the model is refused by name: diffusers only
logs a warning and runs without it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from studio.api import ModelError, ParamError
from studio_video.models import PICKLE_SUFFIXES


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
    """Refuse missing files, pickles the settings do not allow and wild weights."""
    for path, weight in loras:
        if not path.is_file():
            raise ParamError(f"LoRA file {str(path)!r} does not exist")
        if path.suffix.lower() in PICKLE_SUFFIXES and not allow_pickle:
            raise ModelError(
                f"LoRA {path.name} is a pickle file, which can run code when it is loaded; "
                "use a .safetensors version, or turn on allow_pickle in the settings")
        if not -5 <= weight <= 5:
            raise ParamError(f"LoRA weight for {path.name} must be from -5 to 5, got {weight:g}; "
                             f"the nearest allowed value is {max(-5.0, min(5.0, weight)):g}")


def adapter_name(path: Path) -> str:
    """A stable adapter name per file (peft names may not contain dots)."""
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:8]
    stem = "".join(c if c.isalnum() else "_" for c in path.stem)[:40]
    return f"{stem}_{digest}"


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
