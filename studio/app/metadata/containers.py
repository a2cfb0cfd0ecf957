"""Find the metadata a file carries without decoding its pixels or samples.

Each reader walks its format's own structure (PNG chunks, JPEG segments, RIFF
chunks) in an open file, seeking past pixel data rather than reading it, and
returns the text fields it found, keyed the way the tools name them (PNG keywords;
``exif:UserComment`` and friends for EXIF). A structure that ends early raises
``Truncated``.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from typing import BinaryIO

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
    #: PNG only: (width, height, bit depth, colour type, interlace) and where the
    #: IDAT chunks lie, so the first rows can be inflated without decoding the rest.
    png_header: tuple[int, int, int, int, int] | None = None
    idat: list[tuple[int, int]] = field(default_factory=list)


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


def png_text(f: BinaryIO, size: int) -> Found:
    """tEXt, zTXt and iTXt chunks of a PNG; ``Truncated`` when IEND is missing."""
    found = Found("png")
    f.seek(len(PNG_SIGNATURE))
    seen_header = False
    while True:
        head = f.read(8)
        if len(head) < 8:
            raise Truncated("it ends before its IEND chunk")
        length, kind = struct.unpack(">I4s", head)
        if f.tell() + length + 4 > size:
            raise Truncated(f"its {kind.decode('latin-1')!r} chunk is cut short")
        if not seen_header:
            if kind != b"IHDR" or length != 13:
                raise Malformed("it has no IHDR header chunk")
            seen_header = True
            width, height, depth, color_type, _c, _f, interlace = struct.unpack(
                ">IIBBBBB", f.read(length))
            found.png_header = (width, height, depth, color_type, interlace)
            # Colour types 4 and 6 carry alpha; stealth RGB info fits any colour image.
            found.pixels_may_hide = color_type in (2, 3, 4, 6)
        elif kind == b"IEND":
            return found
        elif kind in (b"tEXt", b"zTXt", b"iTXt"):
            item = _png_text_chunk(kind, f.read(length))
            if item is not None and item[0] not in found.text:
                found.text[item[0]] = item[1]
        elif kind == b"tIME" and length == 7:
            y, mo, d, h, mi, s = struct.unpack(">HBBBBB", f.read(7))
            found.time_chunk = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}+00:00"
        else:
            if kind == b"IDAT":
                found.idat.append((f.tell(), length))
            f.seek(length, 1)  # pixel data and other chunks: not read
        f.seek(4, 1)  # CRC


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


def jpeg_text(f: BinaryIO, size: int) -> Found:
    """EXIF (APP1), XMP (APP1) and COM segments of a JPEG, read up to its scan data."""
    found = Found("jpeg")
    f.seek(2)
    while True:
        marker = f.read(2)
        while marker == b"\xff\xff":  # fill bytes
            marker = b"\xff" + f.read(1)
        if len(marker) < 2:
            raise Truncated("it ends before its image data")
        if marker[0] != 0xFF:
            raise Malformed("a segment marker is missing")
        code = marker[1]
        if code in (0xD8, 0x01) or 0xD0 <= code <= 0xD7:
            continue  # markers without a length
        if code == 0xD9:
            raise Truncated("it ends before its image data")
        raw_length = f.read(2)
        if len(raw_length) < 2:
            raise Truncated("a segment is cut short")
        (length,) = struct.unpack(">H", raw_length)
        if length < 2 or f.tell() + length - 2 > size:
            raise Truncated("a segment is cut short")
        if code == 0xDA:  # start of scan: the rest is pixels, then EOI
            if not _has_end_marker(f, size):
                raise Truncated("its image data is cut short (no end marker)")
            return found
        if code not in (0xE1, 0xFE):
            f.seek(length - 2, 1)
            continue
        body = f.read(length - 2)
        if code == 0xE1 and body.startswith(b"Exif\0"):
            found.text.update(exif_fields(body))
        elif code == 0xE1 and body.startswith(b"http://ns.adobe.com/xap/1.0/\0"):
            found.text.setdefault("XML:com.adobe.xmp",
                                  body.split(b"\0", 1)[1].decode("utf-8", "replace"))
        elif code == 0xFE:
            found.text.setdefault("jpeg:comment", body.decode("utf-8", "replace"))


def _has_end_marker(f: BinaryIO, size: int) -> bool:
    # Entropy-coded data stuffs every 0xFF, so FF D9 after the scan starts can only be
    # the end marker. It is nearly always the file's last bytes; data appended after
    # it (motion photos) costs a full scan.
    start = f.tell()
    f.seek(max(start, size - 64))
    if b"\xff\xd9" in f.read():
        return True
    f.seek(start)
    previous = b""
    while block := f.read(1 << 20):
        if b"\xff\xd9" in previous[-1:] + block:
            return True
        previous = block
    return False


# -- RIFF: WebP ------------------------------------------------------------------


def webp_text(f: BinaryIO, size: int) -> Found:
    """EXIF and XMP chunks of a WebP file."""
    found = Found("webp")
    f.seek(4)
    (riff_size,) = struct.unpack("<I", f.read(4))
    if riff_size + 8 > size:
        raise Truncated("it is shorter than its RIFF header says")
    end = riff_size + 8
    pos = 12
    has_image = False
    while pos + 8 <= end:
        f.seek(pos)
        kind, length = struct.unpack("<4sI", f.read(8))
        if pos + 8 + length > end:
            raise Truncated(f"its {kind.decode('latin-1')!r} chunk is cut short")
        if kind == b"EXIF":
            found.text.update(exif_fields(f.read(length)))
        elif kind == b"XMP ":
            found.text.setdefault("XML:com.adobe.xmp", f.read(length).decode("utf-8", "replace"))
        elif kind == b"VP8X" and length:
            found.pixels_may_hide = bool(f.read(1)[0] & 0x10)  # the alpha flag
        elif kind == b"VP8L":
            found.pixels_may_hide = True  # lossless: pixel bits survive
        has_image = has_image or kind in (b"VP8 ", b"VP8L", b"ANMF")
        pos += 8 + length + (length & 1)
    if not has_image:
        raise Truncated("it holds no image data")
    return found
