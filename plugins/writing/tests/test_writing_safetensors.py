"""Damaged safetensors weights give one line naming the file, never a MemoryError (issue #10)."""

from __future__ import annotations

import struct

import pytest
from studio_writing.models import estimate_bytes

from studio.api import LoadPlan, ModelError


@pytest.mark.parametrize(
    ("length", "body", "reason"),
    [
        (64 * 2**30, b"{}", "claims 68719476736 bytes"),  # a 64 GiB header length
        (2**64 - 1, b"garbage", "claims"),
        (7, b"garbage", "not JSON"),
    ],
)
def test_bad_header_in_a_model_folder_is_one_line_naming_the_file(tmp_path, length, body,
                                                                    reason):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(struct.pack("<Q", length) + body)
    with pytest.raises(ModelError) as info:
        estimate_bytes(str(tmp_path), LoadPlan())
    message = str(info.value)
    assert "model.safetensors is not a valid safetensors file" in message
    assert reason in message and "\n" not in message
