"""The ``loras`` parameter every diffusers pack takes: parsing and checking it.

Packs import only ``studio.api``, so the text format lives here once: the image and
video packs apply the result with their pipeline's ``load_lora_weights``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from studio.api.errors import ModelError, ParamError

#: Weight files that are pickles (they can run code when loaded).
PICKLE_SUFFIXES = (".ckpt", ".pt", ".pth", ".bin", ".pkl")
#: The range a LoRA weight may take.
WEIGHT_RANGE = (-5.0, 5.0)


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
    """Refuse missing files, pickles the settings do not allow and weights out of range."""
    low, high = WEIGHT_RANGE
    for path, weight in loras:
        if not path.is_file():
            raise ParamError(f"LoRA file {str(path)!r} does not exist")
        if path.suffix.lower() in PICKLE_SUFFIXES and not allow_pickle:
            raise ModelError(
                f"LoRA {path.name} is a pickle file, which can run code when it is loaded; "
                "use a .safetensors version, or turn on allow_pickle in the settings")
        if not low <= weight <= high:
            raise ParamError(f"LoRA weight for {path.name} must be from {low:g} to {high:g}, "
                             f"got {weight:g}; the nearest allowed value is "
                             f"{max(low, min(high, weight)):g}")


def adapter_name(path: Path) -> str:
    """A stable adapter name per file (peft names may not contain dots)."""
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:8]
    stem = "".join(c if c.isalnum() else "_" for c in path.stem)[:40]
    return f"{stem}_{digest}"
