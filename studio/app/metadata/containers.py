"""Find the metadata a file carries without decoding its pixels or samples.

Each reader walks its format's own structure (PNG chunks, JPEG segments, RIFF
chunks) over bytes already in memory and returns the text fields it found, keyed
the way the tools name them (PNG keywords; ``exif:UserComment`` and friends for
EXIF). A structure that ends early raises ``Truncated``.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

from studio.app.metadata.exif import exif_fields

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Decompressed text chunks larger than this are refused (a zip bomb in a zTXt chunk).
MAX_TEXT = 16 * 1024 * 1024


class Truncated(Exception):
    """The file ends before its own structure says it should."""


class Malformed(Exception):
    """The file's structure is broken in a way other than ending early."""


@dataclass
class Found:
    """The text fields one file carries and what is needed to look further."""

    format: str
    text: dict[str, str] = field(default_factory=dict)
    #: True when the image may hide stealth info in its pixels (PNG or WebP).
    pixels_may_hide: bool = False
    time_chunk: str | None = None


def sniff(data: bytes) -> str | None:
    """The format ``data`` starts with: png, jpeg, webp, wav, flac, mp4, markdown, or None."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data.startswith(b"fLaC"):
        return "flac"
    if data[4:8] == b"ftyp":
        return "mp4"
    if data.lstrip(b"\xef\xbb\xbf").startswith((b"---\n", b"---\r\n")):
        return "markdown"
    return None


# -- PNG -------------------------------------------------------------------------


def png_text(data: bytes) -> Found:
    """tEXt, zTXt and iTXt chunks of a PNG; ``Truncated`` when IEND is missing."""
    found = Found("png")
    pos = len(PNG_SIGNATURE)
    seen_header = False
    while True:
        if pos + 8 > len(data):
            raise Truncated("it ends before its IEND chunk")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 8 + length + 4
        if end > len(data):
            raise Truncated(f"its {kind.decode('latin-1')!r} chunk is cut short")
        body = data[pos + 8:pos + 8 + length]
        if not seen_header:
            if kind != b"IHDR" or length != 13:
                raise Malformed("it has no IHDR header chunk")
            seen_header = True
            color_type = body[9]
            # Colour types 4 and 6 carry alpha; stealth RGB info fits any colour image.
            found.pixels_may_hide = color_type in (2, 3, 4, 6)
        elif kind == b"IEND":
            return found
        elif kind in (b"tEXt", b"zTXt", b"iTXt"):
            item = _png_text_chunk(kind, body)
            if item is not None and item[0] not in found.text:
                found.text[item[0]] = item[1]
        elif kind == b"tIME" and length == 7:
            y, mo, d, h, mi, s = struct.unpack(">HBBBBB", body)
            found.time_chunk = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}+00:00"
        pos = end


def _png_text_chunk(kind: bytes, body: bytes) -> tuple[str, str] | None:
    key, sep, rest = body.partition(b"\0")
    if not sep or not key:
        return None
    keyword = key.decode("latin-1")
    try:
        if kind == b"tEXt":
            return keyword, rest.decode("latin-1")
        if kind == b"zTXt":
            return keyword, _inflate(rest[1:]).decode("latin-1")
        compressed, _method = rest[0], rest[1]
        _lang, _, rest = rest[2:].partition(b"\0")
        _translated, _, text = rest.partition(b"\0")
        raw = _inflate(text) if compressed else text
        return keyword, raw.decode("utf-8", "replace")
    except (IndexError, zlib.error, ValueError):
        return None


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, MAX_TEXT)
    if inflater.unconsumed_tail:
        raise ValueError("compressed text too large")
    return out


# -- JPEG ------------------------------------------------------------------------


def jpeg_text(data: bytes) -> Found:
    """EXIF (APP1), XMP (APP1) and COM segments of a JPEG, read up to its scan data."""
    found = Found("jpeg")
    pos = 2
    while True:
        while pos < len(data) and data[pos] == 0xFF and pos + 1 < len(data) \
                and data[pos + 1] == 0xFF:
            pos += 1  # fill bytes
        if pos + 4 > len(data):
            raise Truncated("it ends before its image data")
        if data[pos] != 0xFF:
            raise Malformed("a segment marker is missing")
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker == 0xD9:
            raise Truncated("it ends before its image data")
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        body = data[pos + 4:pos + 2 + length]
        if length < 2 or pos + 2 + length > len(data):
            raise Truncated("a segment is cut short")
        if marker == 0xDA:  # start of scan: the rest is pixels, then EOI
            if data.rfind(b"\xff\xd9", pos) == -1:
                raise Truncated("its image data is cut short (no end marker)")
            return found
        if marker == 0xE1 and body.startswith(b"Exif\0"):
            found.text.update(exif_fields(body))
        elif marker == 0xE1 and body.startswith(b"http://ns.adobe.com/xap/1.0/\0"):
            found.text.setdefault("XML:com.adobe.xmp",
                                  body.split(b"\0", 1)[1].decode("utf-8", "replace"))
        elif marker == 0xFE:
            found.text.setdefault("jpeg:comment", body.decode("utf-8", "replace"))
        pos += 2 + length


# -- RIFF: WebP ------------------------------------------------------------------


def webp_text(data: bytes) -> Found:
    """EXIF and XMP chunks of a WebP file."""
    found = Found("webp")
    chunks = _riff_chunks(data)
    for kind, body in chunks:
        if kind == b"EXIF":
            found.text.update(exif_fields(body))
        elif kind == b"XMP ":
            found.text.setdefault("XML:com.adobe.xmp", body.decode("utf-8", "replace"))
        elif kind == b"VP8X" and body:
            found.pixels_may_hide = bool(body[0] & 0x10)  # the alpha flag
        elif kind == b"VP8L" and len(body) >= 5:
            found.pixels_may_hide = True  # lossless: pixel bits survive
    if not any(k in (b"VP8 ", b"VP8L", b"ANMF") for k, _ in chunks):
        raise Truncated("it holds no image data")
    return found


def _riff_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    (size,) = struct.unpack("<I", data[4:8])
    if size + 8 > len(data):
        raise Truncated("it is shorter than its RIFF header says")
    chunks: list[tuple[bytes, bytes]] = []
    pos, end = 12, size + 8
    while pos + 8 <= end:
        kind = data[pos:pos + 4]
        (length,) = struct.unpack("<I", data[pos + 4:pos + 8])
        if pos + 8 + length > end:
            raise Truncated(f"its {kind.decode('latin-1')!r} chunk is cut short")
        chunks.append((kind, data[pos + 8:pos + 8 + length]))
        pos += 8 + length + (length & 1)
    return chunks
