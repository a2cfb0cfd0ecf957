"""EXIF text fields, UserComment with its 8-byte character-code prefix above all."""

from __future__ import annotations

import warnings
from typing import Any

#: tag -> the key under which ``exif_fields`` reports it.
TAGS = {
    0x9286: "exif:UserComment",
    0x010E: "exif:ImageDescription",
    0x0131: "exif:Software",
    0x927C: "exif:MakerNote",
    0x010F: "exif:Make",
    0x0110: "exif:Model",
    0x9003: "exif:DateTimeOriginal",
    0x0132: "exif:DateTime",
    0x9C9C: "exif:XPComment",
}
_EXIF_IFD = 0x8769


def exif_fields(blob: bytes) -> dict[str, str]:
    """The text tags of an EXIF block (with or without its ``Exif\\0\\0`` header)."""
    from PIL import Image

    exif = Image.Exif()
    # Pillow's TIFF reader raises many kinds of error on hostile input; a broken EXIF
    # block only means this file has no EXIF text, so all of them end here. Its
    # warnings about corrupt tags would reach the user's terminal: silenced.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exif.load(blob)
            tags: dict[int, Any] = dict(exif.items())
            tags.update(exif.get_ifd(_EXIF_IFD))
    except Exception:
        return {}
    out: dict[str, str] = {}
    for tag, key in TAGS.items():
        if tag not in tags:
            continue
        text = user_comment(tags[tag]) if tag in (0x9286, 0x927C) else _plain(tag, tags[tag])
        if text:
            out[key] = text
    return out


def user_comment(value: Any) -> str:
    """Decode a UserComment: ``UNICODE\\0`` (UTF-16 either way round), ``ASCII\\0\\0\\0``..."""
    if isinstance(value, str):
        return value.rstrip("\0")
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        value = bytes(v & 0xFF for v in value)
    if not isinstance(value, bytes):
        return ""
    prefix, body = value[:8], value[8:]
    if prefix == b"UNICODE\0":
        text = _utf16(body)
    elif prefix in (b"ASCII\0\0\0", b"\0" * 8, b"JIS\0\0\0\0\0"):
        text = body.decode("utf-8", "replace")
    else:  # no prefix at all (Fooocus writes a plain string)
        text = value.decode("utf-8", "replace")
    return text.rstrip("\0")


def _utf16(body: bytes) -> str:
    if body.startswith(b"\xff\xfe"):
        return body[2:].decode("utf-16-le", "replace")
    if body.startswith(b"\xfe\xff"):
        return body[2:].decode("utf-16-be", "replace")
    # No BOM: text that is mostly Latin has its zero bytes on the high side, which
    # tells the byte order (piexif, and so A1111, writes big-endian; others little).
    zero_even = body[0::2].count(0)
    zero_odd = body[1::2].count(0)
    encoding = "utf-16-le" if zero_odd > zero_even else "utf-16-be"
    return body[: len(body) // 2 * 2].decode(encoding, "replace")


def _plain(tag: int, value: Any) -> str:
    if tag == 0x9C9C:  # XPComment: UTF-16LE bytes, sometimes as a tuple of ints
        if isinstance(value, tuple):
            value = bytes(v & 0xFF for v in value if isinstance(v, int))
        if isinstance(value, bytes):
            return value.decode("utf-16-le", "replace").rstrip("\0")
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").rstrip("\0")
    return value.rstrip("\0") if isinstance(value, str) else ""
