"""SwarmUI: ``parameters`` (PNG) or EXIF UserComment (JPEG/WebP) holding
``{"sui_image_params": {prompt, negativeprompt, model, seed, steps, cfgscale, width,
height, sampler, scheduler, loras, loraweights, ...}, "sui_extra_data": {date, ...}}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from studio.app.metadata.model import FileMetadata, LoraRef, image_request, to_float, to_str


def looks_like(meta: dict[str, Any]) -> bool:
    return isinstance(meta.get("sui_image_params"), dict)


def parse(meta: dict[str, Any], raw: dict[str, Any]) -> FileMetadata:
    params = meta["sui_image_params"]
    names = params.get("loras") if isinstance(params.get("loras"), list) else []
    weights = params.get("loraweights") if isinstance(params.get("loraweights"), list) else []
    loras = [
        LoraRef(name, to_float(weights[i]) if i < len(weights) else None)
        for i, name in enumerate(names) if isinstance(name, str) and name
    ]
    request = image_request(
        prompt=to_str(params.get("prompt")),
        negative=to_str(params.get("negativeprompt")),
        model=to_str(params.get("model")),
        seed=params.get("seed"), steps=params.get("steps"), cfg=params.get("cfgscale"),
        width=params.get("width"), height=params.get("height"),
        sampler=to_str(params.get("sampler")) or None,
        schedule=to_str(params.get("scheduler")) or None,
        strength=params.get("initimagecreativity"),
        loras=loras,
    )
    extra = meta.get("sui_extra_data") if isinstance(meta.get("sui_extra_data"), dict) else {}
    return FileMetadata(
        tool="swarmui", request=request, raw=raw, created=_date(extra.get("date")),
        loras=tuple(loras), sampler=to_str(params.get("sampler")) or None,
    )


def _date(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.strip()).timestamp()
    except ValueError:
        return None
