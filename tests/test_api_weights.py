import json
import struct

import pytest

from studio.api import ModelError
from studio.api.weights import element_counts, read_safetensors_header


def _write(path, header: dict, payload: bytes = b"", claimed: int | None = None):
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw) if claimed is None else claimed) + raw + payload)
    return path


def test_counts_elements_per_dtype(tmp_path):
    path = _write(tmp_path / "w.safetensors", {
        "__metadata__": {"format": "pt"},
        "a": {"dtype": "F16", "shape": [2, 3], "data_offsets": [0, 12]},
        "b": {"dtype": "F16", "shape": [4], "data_offsets": [12, 20]},
        "c": {"dtype": "I64", "shape": [], "data_offsets": [20, 28]},
    }, payload=bytes(28))
    assert element_counts(path) == {"F16": 10, "I64": 1}


@pytest.mark.parametrize(("claimed", "reason"), [
    (64 << 30, "header claims"),  # 64 GiB: refused before any read of that size
    (3, "not JSON"),
])
def test_a_lying_header_length_is_one_line_naming_the_file(tmp_path, claimed, reason):
    path = _write(tmp_path / "bad.safetensors", {"a": {"dtype": "F32", "shape": [1]}},
                  claimed=claimed)
    with pytest.raises(ModelError) as info:
        read_safetensors_header(path)
    message = str(info.value)
    assert str(path) in message and reason in message and "\n" not in message


def test_a_tensor_without_a_shape_is_refused(tmp_path):
    path = _write(tmp_path / "w.safetensors", {"a": {"dtype": "F32", "shape": "big"}})
    with pytest.raises(ModelError, match="no valid dtype and shape"):
        read_safetensors_header(path)


def test_a_short_file_is_refused(tmp_path):
    path = tmp_path / "short.safetensors"
    path.write_bytes(b"\x01\x02")
    with pytest.raises(ModelError, match="shorter than"):
        read_safetensors_header(path)
