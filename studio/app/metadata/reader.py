"""``read_file_metadata``: which tool made a file, and with what settings.

The file is read once; the container is walked for its text fields without decoding
pixels, and the fields decide the tool. Only a PNG or WebP that carries no text
metadata has its pixels decoded, to look for stealth info.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import replace
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from studio.api import RequestError
from studio.app.metadata import (
    a1111,
    comfyui,
    drawthings,
    easydiffusion,
    fooocus,
    invokeai,
    novelai,
    studio_format,
    swarmui,
)
from studio.app.metadata.containers import (
    Found,
    Malformed,
    Truncated,
    jpeg_text,
    png_text,
    sniff,
    webp_text,
)
from studio.app.metadata.model import FileMetadata, NoMetadata, loads_object
from studio.app.metadata.stealth import png_may_hold_stealth, read_stealth

log = logging.getLogger(__name__)

#: Images larger than this are not decoded to look for stealth info.
MAX_PIXEL_FILE = 256 << 20
#: Markdown front matter is looked for in this much of a text file.
MAX_TEXT_FILE = 16 << 20
READABLE = "PNG, JPEG, WebP, FLAC, WAV, MP4 or Markdown"


def read_file_metadata(path: Path) -> FileMetadata:
    """The generation metadata in ``path``.

    Raises ``RequestError`` with one line naming the file and the problem when the
    file is missing, empty, truncated, not a format listed in ``READABLE``, holds no
    generation metadata, or holds a chunk that is not what it claims to be. No other
    exception escapes; ``NoMetadata``, a ``RequestError``, says the file is fine but
    carries no generation metadata.
    """
    path = Path(path)
    try:
        return _read(path)
    except NoMetadata as exc:
        raise NoMetadata(_one_line(path, str(exc))) from None
    except RequestError as exc:
        raise RequestError(_one_line(path, str(exc))) from None
    except Truncated as exc:
        raise RequestError(_one_line(path, f"is truncated ({exc})")) from None
    except Malformed as exc:
        raise RequestError(_one_line(path, f"is not a valid image ({exc})")) from None
    except MemoryError:
        raise RequestError(_one_line(path, "is too large to read")) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise RequestError(_one_line(path, f"cannot be read ({reason})")) from None
    except Exception as exc:  # the contract: only RequestError escapes
        # The traceback goes to the log (shown with --verbose), never as the message.
        log.info("reading metadata of %s failed", path, exc_info=True)
        raise RequestError(_one_line(
            path, f"has metadata Studio could not read ({type(exc).__name__})")) from None


def _one_line(path: Path, message: str) -> str:
    where = str(path)
    if not message.startswith(where):
        message = f"{where} {message}" if message.startswith("is ") else f"{where}: {message}"
    return " ".join(message.split())


def _read(path: Path) -> FileMetadata:
    if not path.exists():
        raise RequestError(f"{path} does not exist")
    if path.is_dir():
        raise RequestError(f"{path} is a folder, not a file")
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        head = f.read(64)
        if not head:
            raise RequestError(f"{path} is empty")
        kind = sniff(head)
        f.seek(0)
        if kind in ("flac", "wav"):
            return _found(path, studio_format.from_audio(f))
        if kind == "mp4":
            return _found(path, studio_format.from_mp4(f))
        if kind == "markdown":
            return _found(path, studio_format.from_markdown(f.read(MAX_TEXT_FILE)))
        if kind is None:
            if path.suffix.lower() in (".md", ".markdown", ".txt"):
                return _found(path, None)
            raise RequestError(f"{path} is not a {READABLE} file Studio can read metadata from")
        found = {"png": png_text, "jpeg": jpeg_text, "webp": webp_text}[kind](f, size)
        meta = from_fields(found.text)
        if meta is None and found.pixels_may_hide and size <= MAX_PIXEL_FILE \
                and png_may_hold_stealth(f, found):
            f.seek(0)
            hidden = read_stealth(f.read())
            if hidden is not None:
                meta = from_stealth(hidden)
    meta = _found(path, meta)
    if meta.created is None:
        meta = replace(meta, created=_created(found))
    return meta


def _found(path: Path, meta: FileMetadata | None) -> FileMetadata:
    if meta is None:
        raise NoMetadata(
            f"{path} carries no generation metadata (no Studio, A1111, ComfyUI, InvokeAI, "
            "NovelAI, Fooocus, SwarmUI or Draw Things fields); it may have been re-saved "
            "by a program that drops metadata"
        )
    return meta


def from_fields(text: dict[str, str]) -> FileMetadata | None:
    """The metadata a file's text fields hold (PNG keywords, ``exif:*`` keys), or None."""
    if "studio" in text:
        return studio_format.parse_json(text["studio"], "studio chunk")
    if "invokeai_metadata" in text:
        return invokeai.parse_v3(text["invokeai_metadata"])
    if "sd-metadata" in text:
        return invokeai.parse_v2(text["sd-metadata"])
    if "Dream" in text:
        return invokeai.parse_dream(text["Dream"])
    if novelai.is_novelai(text):
        return novelai.parse(text)
    where = "parameters" if "parameters" in text else "exif:UserComment"
    params = text.get(where)
    scheme = text.get("fooocus_scheme") or text.get("exif:MakerNote")
    if params is not None and params.lstrip().startswith("{"):
        meta = loads_object(params)
        raw = {where: meta if meta is not None else params}
        if meta is not None:
            if swarmui.looks_like(meta):
                return swarmui.parse(meta, raw)
            if scheme == "fooocus" or fooocus.looks_like(meta):
                return fooocus.parse(meta, raw)
            raise RequestError(f"the {where} field holds JSON that no known tool writes")
        # A prompt may start with "{" (wildcards); infotext always has a Steps field.
        if scheme == "fooocus" or "Steps:" not in params:
            raise RequestError(f"the {where} field looks like JSON but does not parse")
    graphs = _comfy_chunks(text)
    if graphs is not None:
        return comfyui.parse(*graphs)
    if easydiffusion.looks_like(text):
        return easydiffusion.parse(text)
    if params is not None and params.strip():
        tool = "fooocus" if scheme == "a1111" else "automatic1111"
        return a1111.parse(params, tool=tool, raw={where: params})
    xmp = text.get("XML:com.adobe.xmp")
    if xmp is not None and drawthings.looks_like(xmp):
        return drawthings.parse(xmp)
    return None


def _comfy_chunks(text: dict[str, str]) -> tuple[str | None, str | None] | None:
    prompt, workflow = text.get("prompt"), text.get("workflow")
    # ComfyUI's WebP files keep the graphs in EXIF Model / Make as "prompt:{...}".
    for key in ("exif:Model", "exif:Make", "exif:ImageDescription"):
        value = text.get(key, "")
        if value.startswith("prompt:") and prompt is None:
            prompt = value[len("prompt:"):]
        elif value.startswith("workflow:") and workflow is None:
            workflow = value[len("workflow:"):]
    if prompt is not None and not prompt.lstrip().startswith("{") and workflow is None:
        return None  # a plain-text prompt field (Easy Diffusion and others)
    if prompt is None and workflow is None:
        return None
    return prompt, workflow


def from_stealth(hidden: str) -> FileMetadata:
    """The metadata of stealth text: NovelAI's JSON object, or A1111 infotext."""
    meta = loads_object(hidden)
    if meta is not None:
        if novelai.is_novelai(meta) or "Comment" in meta:
            return novelai.parse(meta)
        found = from_fields({k: v for k, v in meta.items() if isinstance(v, str)})
        if found is not None:
            return found
        raise RequestError("its stealth pixel info holds JSON that no known tool writes")
    return a1111.parse(hidden, raw={"stealth": hidden})


def _created(found: Found) -> float | None:
    text = found.text
    for key in ("Creation Time", "exif:DateTimeOriginal", "exif:DateTime"):
        value = text.get(key)
        if value:
            stamp = _timestamp(value)
            if stamp is not None:
                return stamp
    return _timestamp(found.time_chunk) if found.time_chunk else None


def _timestamp(value: str) -> float | None:
    value = value.strip()
    try:  # EXIF: "2024:05:01 12:30:00", local time
        return time.mktime(time.strptime(value[:19], "%Y:%m:%d %H:%M:%S"))
    except (ValueError, OverflowError):
        pass
    try:
        return datetime.fromisoformat(value).timestamp()
    except (ValueError, OverflowError):
        pass
    try:  # PNG "Creation Time" in RFC 1123 form
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
