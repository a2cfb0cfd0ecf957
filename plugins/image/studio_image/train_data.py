"""The training set of a LoRA job: the manifest the app writes, its images and captions.

The manifest is a JSON file named by the request's ``manifest`` input::

    {"name": "my-style", "key": "<hex>", "checkpoint_dir": "<folder>",
     "items": [{"id": "<artifact id>", "path": "<image file>", "caption": "<text>"}, ...]}

``key`` names one training (the images, captions, model and settings); a rerun with the
same key resumes from ``checkpoint_dir``. No torch here: the request is checked with it
before any model loads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.api import RequestError

#: Fewer images than this teach noise, not a style.
MIN_IMAGES = 8


@dataclass(frozen=True)
class Manifest:
    name: str
    key: str
    checkpoint_dir: Path | None
    items: tuple[dict[str, str], ...]

    @property
    def ids(self) -> list[str]:
        return [item["id"] for item in self.items]


def read_manifest(path: str | Path) -> Manifest:
    """Read and check a manifest; every problem is one ``RequestError`` line."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RequestError(f"training manifest {str(path)!r} cannot be read: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise RequestError(f"training manifest {str(path)!r} has no list of items")
    items = []
    for n, item in enumerate(data["items"], 1):
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise RequestError(f"training manifest item {n} has no image path")
        caption = item.get("caption", "")
        if not isinstance(caption, str):
            raise RequestError(f"training manifest item {n}: the caption must be text")
        items.append({"id": str(item.get("id") or Path(item["path"]).stem),
                      "path": item["path"], "caption": caption})
    check_count(len(items))
    ckpt = data.get("checkpoint_dir")
    return Manifest(name=str(data.get("name") or "my-style"), key=str(data.get("key") or ""),
                    checkpoint_dir=Path(ckpt) if isinstance(ckpt, str) and ckpt else None,
                    items=tuple(items))


def check_count(n: int) -> None:
    if n < MIN_IMAGES:
        raise RequestError(f"training a LoRA needs at least {MIN_IMAGES} images, you have {n}")


def check_images(manifest: Manifest) -> None:
    """Refuse a missing or unreadable image by its path (headers only)."""
    from PIL import Image, UnidentifiedImageError

    for item in manifest.items:
        try:
            with Image.open(item["path"]) as im:
                im.verify()
        except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as exc:
            raise RequestError(f"training image {item['path']!r} is not a readable image: "
                               f"{str(exc).splitlines()[0] if str(exc) else exc}") from None


def load_pixels(path: str, resolution: int) -> Any:
    """The image centre-cropped to a square, resized to ``resolution``, as a (3, R, R)
    float tensor in [-1, 1] (what the VAE encodes)."""
    import numpy as np
    import torch
    from PIL import Image

    with Image.open(path) as im:
        im = im.convert("RGB")
        side = min(im.size)
        left, top = (im.width - side) // 2, (im.height - side) // 2
        im = im.crop((left, top, left + side, top + side))
        im = im.resize((resolution, resolution), Image.Resampling.BICUBIC)
        arr = np.asarray(im, dtype=np.float32) / 127.5 - 1.0
    return torch.from_numpy(arr).permute(2, 0, 1).contiguous()
