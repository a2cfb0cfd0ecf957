"""Fooocus: the ``parameters`` chunk (or EXIF UserComment) holding JSON, with
``fooocus_scheme`` = "fooocus" beside it (EXIF: MakerNote). In its "a1111" scheme
Fooocus writes A1111 infotext instead, read by ``a1111.parse``.

Keys: prompt, negative_prompt, steps, guidance_scale, seed (a string), resolution
("(1152, 896)"), sampler, scheduler, base_model, base_model_hash, loras
([[name, weight, hash], ...]), styles, performance, version...
"""

from __future__ import annotations

import re
from typing import Any

from studio.app.metadata.model import FileMetadata, LoraRef, image_request, to_float, to_str

_RESOLUTION = re.compile(r"\(?\s*(\d+)\s*[,x\u00d7]\s*(\d+)\s*\)?")
#: Keys only Fooocus writes, to recognise its JSON when the scheme marker is lost.
MARKERS = ("base_model", "full_prompt", "performance", "sharpness", "adm_guidance")


def looks_like(meta: dict[str, Any]) -> bool:
    return sum(key in meta for key in MARKERS) >= 2 or (
        to_str(meta.get("version")).startswith("Fooocus")
    )


def parse(meta: dict[str, Any], raw: dict[str, Any]) -> FileMetadata:
    loras = []
    for item in meta.get("loras") or ():
        if isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
            weight = to_float(item[1]) if len(item) > 1 else None
            digest = item[2] if len(item) > 2 and isinstance(item[2], str) else None
            loras.append(LoraRef(item[0], weight, digest or None))
    size = _RESOLUTION.fullmatch(to_str(meta.get("resolution")).strip())
    request = image_request(
        prompt=to_str(meta.get("prompt")),
        negative=to_str(meta.get("negative_prompt")),
        model=to_str(meta.get("base_model")),
        seed=meta.get("seed"), steps=meta.get("steps"), cfg=meta.get("guidance_scale"),
        width=size.group(1) if size else None, height=size.group(2) if size else None,
        sampler=to_str(meta.get("sampler")) or None, schedule=to_str(meta.get("scheduler")),
        loras=loras,
    )
    return FileMetadata(
        tool="fooocus", request=request, raw=raw,
        model_hash=to_str(meta.get("base_model_hash")) or None, loras=tuple(loras),
        sampler=to_str(meta.get("sampler")) or None,
    )
