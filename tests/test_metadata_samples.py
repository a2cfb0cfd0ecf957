"""Files in each tool's published metadata layout, built here so every test is hermetic.

The builders follow the formats as their tools describe them; the tests in this
module check the builders themselves write what they claim.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, PngImagePlugin

A1111_TEXT = (
    "masterpiece, <lora:detail:0.7> a cat\nNegative prompt: dog, blurry\n"
    "Steps: 20, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Seed: 42, "
    "Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, VAE: vae-ft-mse, "
    'Clip skip: 2, Lora hashes: "detail: 1a2b3c4d", Version: v1.10.1'
)


def png(path: Path, text: dict[str, str] | None = None, itxt: dict[str, str] | None = None,
        mode: str = "RGB", size: tuple[int, int] = (8, 8)) -> Path:
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    for key, value in (itxt or {}).items():
        info.add_itxt(key, value)
    Image.new(mode, size).save(path, pnginfo=info)
    return path


def exif_image(path: Path, tags: dict[int, Any], fmt: str = "JPEG",
               exif_ifd: dict[int, Any] | None = None) -> Path:
    """A JPEG or WebP whose EXIF holds ``tags`` (IFD0) and ``exif_ifd`` (the Exif IFD)."""
    exif = Image.Exif()
    for tag, value in tags.items():
        exif[tag] = value
    for tag, value in (exif_ifd or {}).items():
        exif.get_ifd(0x8769)[tag] = value
    Image.new("RGB", (16, 16), (90, 120, 200)).save(path, fmt, exif=exif.tobytes())
    return path


def user_comment(text: str, charset: str = "unicode-be") -> bytes:
    """EXIF UserComment bytes: the 8-byte character code, then the text."""
    if charset == "unicode-be":  # what piexif, and so A1111, writes
        return b"UNICODE\0" + text.encode("utf-16-be")
    if charset == "unicode-le":
        return b"UNICODE\0" + text.encode("utf-16-le")
    return b"ASCII\0\0\0" + text.encode("ascii")


def stealth_png(path: Path, text: str, signature: str = "stealth_pngcomp",
                size: tuple[int, int] = (96, 96), mode: str = "RGBA") -> Path:
    """An image whose pixel LSBs carry ``text`` the way the stealth_pnginfo extension does:
    column by column, alpha LSBs ("stealth_png*") or R, G, B LSBs ("stealth_rgb*")."""
    payload = text.encode()
    if signature.endswith("comp"):
        payload = gzip.compress(payload)
    bits = "".join(f"{b:08b}" for b in signature.encode())
    bits += f"{len(payload) * 8:032b}" + "".join(f"{b:08b}" for b in payload)
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (size[1], size[0], len(mode)), dtype=np.uint8)
    height = size[1]
    if signature.startswith("stealth_png"):
        assert len(bits) <= size[0] * size[1], "image too small for the payload"
        for i, bit in enumerate(bits):
            y, x = i % height, i // height
            pixels[y, x, 3] = (pixels[y, x, 3] & 0xFE) | int(bit)
    else:
        assert len(bits) <= size[0] * size[1] * 3, "image too small for the payload"
        for i, bit in enumerate(bits):
            pixel, channel = divmod(i, 3)
            y, x = pixel % height, pixel // height
            pixels[y, x, channel] = (pixels[y, x, channel] & 0xFE) | int(bit)
    Image.fromarray(pixels, mode).save(path)
    return path


COMFY_API = {
    "3": {"class_type": "KSampler", "inputs": {
        "seed": 156680208700286, "steps": 20, "cfg": 8.0, "sampler_name": "euler_ancestral",
        "scheduler": "normal", "denoise": 1.0, "model": ["10", 0], "positive": ["6", 0],
        "negative": ["7", 0], "latent_image": ["5", 0]}},
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5.safetensors"}},
    "10": {"class_type": "LoraLoader", "inputs": {
        "lora_name": "ink.safetensors", "strength_model": 0.6, "strength_clip": 0.6,
        "model": ["4", 0], "clip": ["4", 1]}},
    "5": {"class_type": "EmptyLatentImage",
          "inputs": {"width": 512, "height": 640, "batch_size": 1}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a bottle of stars",
                                                      "clip": ["10", 1]}},
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "text, watermark",
                                                      "clip": ["10", 1]}},
    "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
    "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0],
                                                "filename_prefix": "ComfyUI"}},
}


def test_stealth_builder_puts_the_signature_in_the_first_alpha_bits(tmp_path):
    path = stealth_png(tmp_path / "s.png", "hello", "stealth_pnginfo")
    with Image.open(path) as im:
        alpha = np.asarray(im)[..., 3].T.reshape(-1) & 1
    assert np.packbits(alpha[:120]).tobytes() == b"stealth_pnginfo"


def test_exif_builder_writes_the_user_comment_into_the_exif_ifd(tmp_path):
    path = exif_image(tmp_path / "x.jpg", {}, exif_ifd={0x9286: user_comment("hi")})
    with Image.open(path) as im:
        assert im.getexif().get_ifd(0x8769)[0x9286] == b"UNICODE\0\0h\0i"


def test_png_builder_writes_text_chunks(tmp_path):
    path = png(tmp_path / "p.png", text={"a": "1"}, itxt={"b": json.dumps({"x": 1})})
    with Image.open(path) as im:
        assert im.text == {"a": "1", "b": '{"x": 1}'}


def png_with_filters(path: Path, pixels: np.ndarray) -> Path:
    """A PNG whose rows use filter types 0-4 in turn (Pillow picks one for all rows)."""
    import struct
    import zlib

    height, width, channels = pixels.shape
    raw = pixels.astype(np.int16).reshape(height, width * channels)
    out = bytearray()
    for y in range(height):
        kind = y % 5
        row = raw[y]
        up = raw[y - 1] if y else np.zeros_like(row)
        left = np.concatenate([np.zeros(channels, np.int16), row[:-channels]])
        corner = np.concatenate([np.zeros(channels, np.int16), up[:-channels]])
        if kind == 0:
            pred = np.zeros_like(row)
        elif kind == 1:
            pred = left
        elif kind == 2:
            pred = up
        elif kind == 3:
            pred = (left + up) // 2
        else:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            pred = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, up, corner))
        out.append(kind)
        out += ((row - pred) & 0xFF).astype(np.uint8).tobytes()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + \
            struct.pack(">I", zlib.crc32(kind + body))

    color = {3: 2, 4: 6}[channels]
    header = struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0)
    data = bytes(out)
    # Several IDAT chunks, as encoders write them.
    compressed = zlib.compress(data)
    idats = b"".join(chunk(b"IDAT", compressed[i:i + 4096])
                     for i in range(0, len(compressed), 4096))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + idats
                     + chunk(b"IEND", b""))
    return path


def test_filtered_png_builder_decodes_to_the_same_pixels(tmp_path):
    pixels = np.random.default_rng(1).integers(0, 256, (12, 7, 4), dtype=np.uint8)
    with Image.open(png_with_filters(tmp_path / "f.png", pixels)) as im:
        assert np.array_equal(np.asarray(im), pixels)
