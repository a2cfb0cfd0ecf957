"""Draw Things: XMP (PNG iTXt ``XML:com.adobe.xmp``) whose ``exif:UserComment`` holds
JSON: {"c": prompt, "uc": negative, "seed", "steps", "scale", "sampler",
"size": "512x512", "model", "strength", "lora": [{"file", "weight"}]}. The prompt is
also in ``dc:description``.

The XMP is read with patterns, never an XML parser: the file is untrusted and only
two elements are needed.
"""

from __future__ import annotations

import html
import re
from datetime import datetime

from studio.api import RequestError
from studio.app.metadata.model import (
    FileMetadata,
    LoraRef,
    image_request,
    loads_object,
    to_float,
    to_str,
)

_COMMENT = re.compile(r"<exif:UserComment\b[^>]*>(.*?)</exif:UserComment>", re.DOTALL)
_COMMENT_ATTR = re.compile(r'exif:UserComment\s*=\s*"([^"]*)"')
_LI = re.compile(r"<rdf:li\b[^>]*>(.*?)</rdf:li>", re.DOTALL)
_CREATED = re.compile(r"<xmp:CreateDate>([^<]+)</xmp:CreateDate>|xmp:CreateDate=\"([^\"]+)\"")
_SIZE = re.compile(r"^\s*(\d+)\s*x\s*(\d+)\s*$")


def user_comment(xmp: str) -> str | None:
    """The UserComment text in an XMP packet, or None."""
    match = _COMMENT.search(xmp)
    if match:
        inner = match.group(1)
        item = _LI.search(inner)
        return html.unescape((item.group(1) if item else inner).strip())
    match = _COMMENT_ATTR.search(xmp)
    return html.unescape(match.group(1)) if match else None


def looks_like(xmp: str) -> bool:
    comment = user_comment(xmp)
    return "Draw Things" in xmp or bool(comment and comment.lstrip().startswith("{"))


def parse(xmp: str) -> FileMetadata:
    comment = user_comment(xmp)
    meta = loads_object(comment or "")
    if meta is None:
        raise RequestError("the XMP UserComment is not the JSON Draw Things writes")
    size = _SIZE.match(to_str(meta.get("size")))
    loras = []
    for item in meta.get("lora") or ():
        if isinstance(item, dict) and isinstance(item.get("file"), str):
            loras.append(LoraRef(item["file"], to_float(item.get("weight"))))
    request = image_request(
        prompt=to_str(meta.get("c")), negative=to_str(meta.get("uc")),
        model=to_str(meta.get("model")), seed=meta.get("seed"), steps=meta.get("steps"),
        cfg=meta.get("scale"), width=size.group(1) if size else None,
        height=size.group(2) if size else None, sampler=to_str(meta.get("sampler")) or None,
        strength=meta.get("strength"), loras=loras,
    )
    return FileMetadata(
        tool="drawthings", request=request, raw={"XML:com.adobe.xmp": xmp, "UserComment": meta},
        created=_created(xmp), loras=tuple(loras), sampler=to_str(meta.get("sampler")) or None,
    )


def _created(xmp: str) -> float | None:
    match = _CREATED.search(xmp)
    if not match:
        return None
    try:
        return datetime.fromisoformat((match.group(1) or match.group(2)).strip()).timestamp()
    except ValueError:
        return None


