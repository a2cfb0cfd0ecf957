"""Private chunks in RIFF/WAVE files.

libsndfile keeps WAV ``INFO`` strings under about 2 KB and drops longer ones on
write and on read, while Studio's JSON (a long prompt, song lyrics) can be larger.
So WAV files also carry the JSON whole in a chunk of their own, which other
programs skip as the RIFF format asks of unknown chunks (issue #11).
"""

from __future__ import annotations

import struct
from typing import BinaryIO

#: The chunk holding Studio's JSON in a WAV file.
STUDIO_CHUNK = b"stdo"

_HEADER = struct.Struct("<4sI")


def add_chunk(wav: bytes, chunk_id: bytes, payload: bytes) -> bytes:
    """Return ``wav`` with a chunk appended and the RIFF size updated."""
    if len(chunk_id) != 4:
        raise ValueError("a RIFF chunk id has 4 bytes")
    if wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        raise ValueError("not a RIFF/WAVE file")
    pad = b"\0" if len(payload) % 2 else b""  # chunks start on even offsets
    out = bytearray(wav)
    if len(out) % 2:
        out += b"\0"
    out += _HEADER.pack(chunk_id, len(payload)) + payload + pad
    if len(out) - 8 > 0xFFFFFFFF:
        raise ValueError("the WAV file would pass the 4 GiB RIFF limit")
    out[4:8] = struct.pack("<I", len(out) - 8)
    return bytes(out)


def find_chunk(file: BinaryIO, chunk_id: bytes, limit: int = 64 << 20) -> bytes | None:
    """The payload of the first ``chunk_id`` chunk of a WAV file, or None.

    Only chunk headers are read on the way, not the samples. A chunk larger than
    ``limit`` bytes, or a file that is not RIFF/WAVE, reads as None.
    """
    start = file.tell()
    try:
        head = file.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        while True:
            header = file.read(_HEADER.size)
            if len(header) < _HEADER.size:
                return None
            cid, size = _HEADER.unpack(header)
            if cid == chunk_id:
                if size > limit:
                    return None
                payload = file.read(size)
                return payload if len(payload) == size else None
            file.seek(size + (size & 1), 1)
    finally:
        file.seek(start)
