"""One frame of a studio video as a PNG that image tools read (issue #12).

The PNG carries A1111's ``parameters`` text (what Civitai, A1111 and most image
sites show) and Studio's own ``studio`` JSON chunk (the clip's full metadata plus
which frame it is), so ``studio info`` and the library read it like any image.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from studio.api import Output, RequestError
from studio.app.exports import write_export
from studio.app.metadata import read_file_metadata


def frame_png(video: Path, index: int = 0) -> bytes:
    """Frame ``index`` of the studio video at ``video`` as PNG bytes with its metadata.

    Raises ``RequestError`` (one line) for a file without studio metadata, one that
    does not decode, or a frame the clip does not have.
    """
    from studio.api.video import read_frame
    from studio.app import writers

    video = Path(video)
    meta = read_file_metadata(video)  # one-line RequestError for a missing or foreign file
    if meta.tool != "studio" or meta.request.modality != "video":
        raise RequestError(f"{video} is not a studio video (its metadata is from "
                           f"{meta.tool}, {meta.request.modality or 'no'} modality)")
    try:
        image, total = read_frame(video.read_bytes(), index)
    except ValueError as exc:
        raise RequestError(f"{video}: {exc}") from None
    except OSError as exc:
        raise RequestError(f"{video} cannot be read ({exc.strerror})") from None
    number = index if index >= 0 else total + index
    raw: dict[str, Any] = {**meta.raw, "frame": number, "frames": total,
                           "frame_of": video.name}
    text = infotext(raw, image.size, number)
    return writers.encode(Output("image", image, raw, {"parameters": text}), raw)[0]


def export_frame(video: Path, index: int = 0, out: Path | None = None) -> Path:
    """Write ``frame_png`` atomically to ``out`` (default: ``<stem>-frame<N>.png``
    in the current folder; a folder gets that name inside it); return the path."""
    video = Path(video)
    data = frame_png(video, index)
    if out is None:
        out = Path(f"{video.stem}-frame{index}.png")
    if out.is_dir():
        out = out / f"{video.stem}-frame{index}.png"
    if not out.parent.is_dir():
        raise RequestError(f"the folder {out.parent} does not exist")
    try:
        write_export(out, data)
    except OSError as exc:
        raise RequestError(f"{out} cannot be written ({exc.strerror})") from None
    return out


def infotext(meta: dict[str, Any], size: tuple[int, int], frame: int) -> str:
    """A1111's ``prompt / Negative prompt: ... / Steps: ..., Seed: ...`` for a frame."""
    request = meta.get("request") if isinstance(meta.get("request"), dict) else {}
    params = request.get("params") if isinstance(request.get("params"), dict) else {}
    model = str(meta.get("model") or request.get("model") or "")
    # A1111 names a model by its checkpoint name, not a path.
    name = Path(model).name if ("/" in model and Path(model).is_absolute()) else model
    fields = {
        "Steps": meta.get("steps", params.get("steps")),
        "CFG scale": meta.get("guidance_scale", params.get("guidance_scale")),
        "Seed": meta.get("seed", request.get("seed")),
        "Size": f"{size[0]}x{size[1]}",
        "Model": name,
        "Frame": frame,
        "FPS": meta.get("fps", params.get("fps")),
    }
    parts = []
    for key, value in fields.items():
        if value is None or value == "":
            continue
        value = _number(value) if isinstance(value, float) else str(value)
        if any(c in value for c in ',:"\n'):
            value = json.dumps(value, ensure_ascii=False)  # A1111 quotes such values
        parts.append(f"{key}: {value}")
    lines = [str(request.get("prompt") or "")]
    negative = str(params.get("negative_prompt") or "")
    if negative:
        lines.append(f"Negative prompt: {negative}")
    lines.append(", ".join(parts))
    return "\n".join(lines)


def _number(x: float) -> str:
    return str(int(x)) if x.is_integer() else repr(x)
