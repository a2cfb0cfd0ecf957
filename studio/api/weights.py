"""Read what a safetensors file holds without loading it: for memory estimates before a load.

Every pack estimates its model's memory from the weights' headers (``estimate_bytes``),
so the checked reader lives here, on the studio side of the contract, once.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

from studio.api.errors import ModelError

#: The safetensors format's own limit on the JSON header (the library refuses more).
MAX_HEADER_BYTES = 100_000_000


def read_safetensors_header(path: Path) -> dict:
    """The JSON header of a safetensors file, checked before anything large is read.

    The first 8 bytes give the header's length; a damaged or foreign file can claim
    gigabytes there, so the length is checked against the file size and the
    format's limit before reading. Raises ``ModelError`` naming the file.
    """
    path = Path(path)

    def invalid(reason: str) -> ModelError:
        return ModelError(f"{path} is not a valid safetensors file ({reason})")

    try:
        with path.open("rb") as f:
            head = f.read(8)
            if len(head) < 8:
                raise invalid("shorter than its 8-byte header length")
            (size,) = struct.unpack("<Q", head)
            available = os.fstat(f.fileno()).st_size - 8
            if size > min(MAX_HEADER_BYTES, available):
                raise invalid(f"its header claims {size} bytes, the file has {available} "
                              f"after the length and the format allows {MAX_HEADER_BYTES}")
            raw = f.read(size)
    except OSError as exc:
        raise ModelError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        header = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid("its header is not JSON") from None
    if not isinstance(header, dict):
        raise invalid("its header is not a JSON object")
    for name, info in header.items():
        if name == "__metadata__":
            continue
        shape = info.get("shape") if isinstance(info, dict) else None
        if (not isinstance(info.get("dtype") if isinstance(info, dict) else None, str)
                or not isinstance(shape, list)
                or not all(isinstance(d, int) and d >= 0 for d in shape)):
            raise invalid(f"tensor {name!r} has no valid dtype and shape")
    return header


def element_counts(path: Path) -> dict[str, int]:
    """{safetensors dtype: number of elements} of every tensor in the file."""
    counts: dict[str, int] = {}
    for name, info in read_safetensors_header(path).items():
        if name == "__metadata__":
            continue
        n = 1
        for dim in info["shape"]:
            n *= dim
        counts[info["dtype"]] = counts.get(info["dtype"], 0) + n
    return counts
