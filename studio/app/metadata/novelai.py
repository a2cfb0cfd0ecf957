"""NovelAI: PNG text ``Software`` = "NovelAI", ``Description`` = the prompt, ``Source``
= the model and its hash ("NovelAI Diffusion V3 7BCCAA2C"), ``Comment`` = JSON with
steps, scale, seed, sampler, uc (the negative prompt), width, height, strength.
Its stealth pixels carry the same fields as one JSON object.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from studio.api import RequestError
from studio.app.metadata.model import FileMetadata, image_request, loads_object, to_str

_SOURCE = re.compile(r"^(.*?)\s+([0-9A-Fa-f]{8})$")


def is_novelai(fields: Mapping[str, Any]) -> bool:
    return to_str(fields.get("Software")).startswith("NovelAI") or (
        "Comment" in fields and to_str(fields.get("Source")).startswith("NovelAI")
    )


def parse(fields: Mapping[str, Any]) -> FileMetadata:
    comment = fields.get("Comment")
    meta = comment if isinstance(comment, dict) else loads_object(to_str(comment))
    if meta is None:
        raise RequestError("the NovelAI Comment chunk is not a JSON object")
    prompt = to_str(fields.get("Description")) or to_str(meta.get("prompt"))
    negative = to_str(meta.get("uc"))
    # NovelAI 4 keeps the prompts in caption objects too.
    v4 = meta.get("v4_negative_prompt")
    if not negative and isinstance(v4, dict) and isinstance(v4.get("caption"), dict):
        negative = to_str(v4["caption"].get("base_caption"))
    source = _SOURCE.match(to_str(fields.get("Source")).strip())
    raw = {k: v for k, v in fields.items() if isinstance(v, str)}
    raw["Comment"] = meta
    request = image_request(
        prompt=prompt, negative=negative,
        model=source.group(1) if source else to_str(fields.get("Source")),
        seed=meta.get("seed"), steps=meta.get("steps"), cfg=meta.get("scale"),
        width=meta.get("width"), height=meta.get("height"),
        sampler=to_str(meta.get("sampler")) or None,
        strength=meta.get("strength") if meta.get("image") or meta.get("request_type")
        == "Img2ImgRequest" else None,
    )
    return FileMetadata(
        tool="novelai", request=request, raw=raw,
        model_hash=source.group(2) if source else None,
        sampler=to_str(meta.get("sampler")) or None,
    )
