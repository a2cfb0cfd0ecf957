"""Damaged safetensors files give one line naming the file, never a MemoryError (issue #10)."""

from __future__ import annotations

import json
import struct

import pytest
from studio_image.generator import DiffusersGenerator
from studio_image.models import read_header
from studio_image.plugin import studio_register_generators

from studio.api import LoadPlan, ModelError


def _info():
    found = []
    studio_register_generators(found.append)
    return found[0]


def _write(path, length: int, body: bytes = b"") -> str:
    path.write_bytes(struct.pack("<Q", length) + body)
    return str(path)


@pytest.mark.parametrize(
    ("length", "body", "reason"),
    [
        (64 * 2**30, b"{}", "claims 68719476736 bytes"),  # a 64 GiB header length
        (2**64 - 1, b"garbage", "claims"),
        (7, b"garbage", "not JSON"),
        (2, b"[]", "not a JSON object"),
        (len(b'{"w": {"shape": [2]}}'), b'{"w": {"shape": [2]}}', "no valid dtype"),
    ],
)
def test_bad_header_is_one_line_naming_the_file(tmp_path, length, body, reason):
    path = _write(tmp_path / "broken.safetensors", length, body)
    with pytest.raises(ModelError) as info:
        DiffusersGenerator(_info()).estimate_bytes(path, LoadPlan())
    message = str(info.value)
    assert "broken.safetensors is not a valid safetensors file" in message
    assert reason in message and "\n" not in message


def test_short_file_and_good_header(tmp_path):
    short = tmp_path / "short.safetensors"
    short.write_bytes(b"\x01\x02")
    with pytest.raises(ModelError, match=r"short\.safetensors is not a valid safetensors file"):
        read_header(short)
    header = json.dumps({"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}})
    good = tmp_path / "good.safetensors"
    good.write_bytes(struct.pack("<Q", len(header)) + header.encode() + b"\0" * 24)
    assert read_header(good)["w"]["shape"] == [2, 3]
    assert DiffusersGenerator(_info()).estimate_bytes(str(good), LoadPlan()) == int(6 * 4 * 1.25)
