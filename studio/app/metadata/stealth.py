"""Stealth info: text hidden in the least significant bits of an image's pixels.

The format of the A1111 "stealth_pnginfo" extension (which NovelAI also writes):
pixels are walked column by column; in alpha mode each pixel gives the LSB of its
alpha, in RGB mode the LSBs of R, G and B in turn. The bits spell a 15-byte
signature, a 32-bit big-endian length in bits, then that many bits of text,
gzip-compressed when the signature ends in "comp".
"""

from __future__ import annotations

import io
import warnings
import zlib
from typing import Any, BinaryIO

from studio.app.metadata.containers import MAX_TEXT, Found

ALPHA_SIGNATURES = {b"stealth_pnginfo": False, b"stealth_pngcomp": True}
RGB_SIGNATURES = {b"stealth_rgbinfo": False, b"stealth_rgbcomp": True}
_HEADER_BITS = 15 * 8 + 32
#: Pixels that hold the signature: 120 alpha bits, or 40 pixels of R, G, B bits.
_SIGNATURE_PIXELS = 120


def png_may_hold_stealth(f: BinaryIO, found: Found) -> bool:
    """False when a PNG's first column surely spells no stealth signature.

    Column 0's top 120 pixels hold every signature bit; they need only the first 120
    rows inflated, and unfiltering a row's first pixel needs only the pixel above
    (PNG filters predict it from the left, which is zero there). So most images
    without stealth info are ruled out without decoding them. Anything unusual
    (16-bit, interlaced, palette, short) answers True: the full decode decides.
    """
    import numpy as np

    if found.png_header is None:
        return True
    width, height, depth, color_type, interlace = found.png_header
    if depth != 8 or interlace or color_type not in (2, 6) or height < _SIGNATURE_PIXELS:
        return True
    bpp = 4 if color_type == 6 else 3
    stride = 1 + width * bpp
    want = _SIGNATURE_PIXELS * stride
    inflater = zlib.decompressobj()
    out = bytearray()
    try:
        for offset, length in found.idat:
            f.seek(offset)
            out += inflater.decompress(f.read(length), want - len(out))
            if len(out) >= want:
                break
    except zlib.error:
        return True
    if len(out) < want:
        return True
    rows = np.frombuffer(bytes(out[:want]), np.uint8).reshape(_SIGNATURE_PIXELS, stride)
    column = np.zeros((_SIGNATURE_PIXELS, bpp), np.int32)
    above = np.zeros(bpp, np.int32)
    for y in range(_SIGNATURE_PIXELS):
        kind, raw = rows[y, 0], rows[y, 1:1 + bpp].astype(np.int32)
        if kind in (0, 1):  # none, sub (left is zero)
            above = raw
        elif kind in (2, 4):  # up, paeth (which picks the pixel above here)
            above = (raw + above) & 0xFF
        elif kind == 3:  # average of left (zero) and above
            above = (raw + above // 2) & 0xFF
        else:
            return True
        column[y] = above
    rgb = np.packbits((column[:40, :3] & 1).reshape(-1)).tobytes()
    if rgb in RGB_SIGNATURES:
        return True
    return bpp == 4 and np.packbits(column[:, 3] & 1).tobytes() in ALPHA_SIGNATURES


def read_stealth(data: bytes) -> str | None:
    """The stealth text hidden in the image ``data``, or None when there is none."""
    import numpy as np
    from PIL import Image

    # Decoding hostile image data can fail in many ways inside Pillow; any of them
    # means there is no readable stealth text, which the caller reports.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's size and truncation warnings
            with Image.open(io.BytesIO(data)) as im:
                alpha = im.mode in ("RGBA", "LA", "PA", "RGBa", "La") \
                    or "transparency" in im.info
                pixels = np.asarray(im.convert("RGBA" if alpha else "RGB"))
    except Exception:
        return None
    if pixels.ndim != 3:
        return None
    columns = pixels.transpose(1, 0, 2)
    if alpha:
        text = _decode(columns[..., 3].reshape(-1) & 1, ALPHA_SIGNATURES)
        if text is not None:
            return text
    return _decode((columns[..., :3] & 1).reshape(-1), RGB_SIGNATURES)


def _decode(bits: Any, signatures: dict[bytes, bool]) -> str | None:
    import numpy as np

    if bits.size < _HEADER_BITS:
        return None
    signature = np.packbits(bits[:120]).tobytes()
    if signature not in signatures:
        return None
    length = int("".join(str(int(b)) for b in bits[120:_HEADER_BITS]), 2)
    if length == 0 or length > bits.size - _HEADER_BITS or length > MAX_TEXT * 8:
        return None
    payload = np.packbits(bits[_HEADER_BITS:_HEADER_BITS + length]).tobytes()
    if signatures[signature]:
        inflater = zlib.decompressobj(wbits=31)  # gzip
        try:
            payload = inflater.decompress(payload, MAX_TEXT)
        except zlib.error:
            return None
        if inflater.unconsumed_tail:
            return None
    return payload.decode("utf-8", "ignore") or None
