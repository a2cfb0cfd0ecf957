"""Bad files end in one RequestError line naming the file; nothing else escapes."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from studio.api import RequestError
from studio.app.metadata import NoMetadata, read_file_metadata
from tests.test_metadata_samples import (
    A1111_TEXT,
    COMFY_API,
    exif_image,
    png,
    stealth_png,
    user_comment,
)


def truncated_png(d):
    full = png(d / "full.png", text={"parameters": A1111_TEXT}, size=(64, 64)).read_bytes()
    (d / "t.png").write_bytes(full[: len(full) // 2])
    return d / "t.png"


def truncated_jpeg(d):
    full = exif_image(d / "full.jpg", {}, exif_ifd={0x9286: user_comment(A1111_TEXT)})
    data = full.read_bytes()
    (d / "t.jpg").write_bytes(data[: data.find(b"\xff\xda") + 20])
    return d / "t.jpg"


def write(d, name, data):
    (d / name).write_bytes(data)
    return d / name


CASES = [
    (lambda d: d / "missing.png", "does not exist"),
    (lambda d: write(d, "empty.png", b""), "is empty"),
    (lambda d: write(d, "notes.png", b"plain text, not an image"), "is not a PNG, JPEG"),
    (truncated_png, "is truncated"),
    (truncated_jpeg, "is truncated"),
    (lambda d: write(d, "head.png", b"\x89PNG\r\n\x1a\n"), "is truncated"),
    (lambda d: png(d / "bare.png"), "carries no generation metadata"),
    (lambda d: exif_image(d / "bare.jpg", {}), "carries no generation metadata"),
    (lambda d: png(d / "s.png", text={"studio": "{not json"}), "studio metadata is damaged"),
    (lambda d: png(d / "c.png", text={"prompt": "{not json"}), "prompt chunk is not a JSON"),
    (lambda d: png(d / "c2.png", text={"prompt": json.dumps({"1": {"class_type": "VAEDecode"}})}),
     "no KSampler"),
    (lambda d: png(d / "i.png", text={"invokeai_metadata": "[1, 2"}),
     "invokeai_metadata chunk is not a JSON"),
    (lambda d: png(d / "f.png", text={"parameters": '{"prompt": "x", ', "fooocus_scheme":
                                       "fooocus"}), "looks like JSON but does not parse"),
    (lambda d: png(d / "u.png", text={"parameters": '{"hello": "world"}'}),
     "JSON that no known tool writes"),
    (lambda d: png(d / "n.png", text={"Software": "NovelAI", "Comment": "oops"}),
     "NovelAI Comment chunk is not a JSON"),
    (lambda d: d, "is a folder"),
]


@pytest.mark.parametrize(("make", "match"), CASES)
def test_bad_files_give_one_line_naming_the_file(tmp_path, make, match):
    path = make(tmp_path)
    with pytest.raises(RequestError) as info:
        read_file_metadata(path)
    message = str(info.value)
    assert match in message and str(path) in message and "\n" not in message


def test_no_metadata_is_its_own_kind_of_request_error(tmp_path):
    with pytest.raises(NoMetadata):
        read_file_metadata(png(tmp_path / "bare.png", mode="RGBA", size=(32, 32)))
    with pytest.raises(RequestError) as info:
        read_file_metadata(png(tmp_path / "s.png", text={"studio": "{"}))
    assert not isinstance(info.value, NoMetadata)


def test_zip_bomb_text_chunk_is_refused(tmp_path):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a" * (20 * 1024 * 1024), zip=True)  # ~20 KB compressed
    Image.new("RGB", (8, 8)).save(tmp_path / "bomb.png", pnginfo=info)
    with pytest.raises(NoMetadata):
        read_file_metadata(tmp_path / "bomb.png")


def samples(d):
    """One valid file of each kind the reader parses, as bytes."""
    files = [
        png(d / "a.png", text={"parameters": A1111_TEXT}),
        png(d / "c.png", text={"prompt": json.dumps(COMFY_API)}),
        exif_image(d / "a.jpg", {}, exif_ifd={0x9286: user_comment(A1111_TEXT)}),
        exif_image(d / "a.webp", {}, exif_ifd={0x9286: user_comment(A1111_TEXT)}, fmt="WEBP"),
        stealth_png(d / "s.png", A1111_TEXT, size=(48, 48)),
    ]
    return [f.read_bytes() for f in files]


def assert_only_request_error(path):
    try:
        meta = read_file_metadata(path)
    except RequestError as exc:
        assert "\n" not in str(exc) and str(path) in str(exc)
        # The reader's last-resort guard turns its own bugs into this message: a fuzz
        # input must be refused by a check that names the problem instead.
        assert "could not read" not in str(exc), str(exc)
    else:
        json.dumps(meta.to_dict())  # whatever was read is JSON-safe


def test_truncations_and_bit_flips_of_valid_files(tmp_path):
    rng = random.Random(19)
    path = tmp_path / "fuzz.bin"
    count = 0
    for data in samples(tmp_path):
        for cut in sorted({*range(0, 80), *rng.sample(range(len(data)), min(60, len(data)))}):
            path.write_bytes(data[:cut])
            assert_only_request_error(path)
            count += 1
        for _ in range(150):
            mutated = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            path.write_bytes(bytes(mutated))
            assert_only_request_error(path)
            count += 1
    assert count > 1000


PREFIXES = [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF\x10\0\0\0WEBP",
            b"RIFF\x10\0\0\0WAVE", b"fLaC", b"\0\0\0\x18ftypmp42", b"---\n"]


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=600))
def test_random_bytes_behind_every_signature(tmp_path, prefix, body):
    path = tmp_path / "random.bin"
    path.write_bytes(prefix + body)
    assert_only_request_error(path)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["parameters", "prompt", "workflow", "studio", "invokeai_metadata",
                            "sd-metadata", "Dream", "Comment", "XML:com.adobe.xmp"]),
       value=st.one_of(st.text(max_size=300),
                       st.recursive(st.none() | st.booleans() | st.integers() | st.floats()
                                    | st.text(max_size=20),
                                    lambda inner: st.lists(inner, max_size=4)
                                    | st.dictionaries(st.text(max_size=12), inner,
                                                      max_size=4),
                                    max_leaves=20).map(json.dumps)))
def test_random_text_in_every_known_chunk(tmp_path, key, value):
    fields = {key: value, "Software": "NovelAI"} if key == "Comment" else {key: value}
    path = png(tmp_path / "chunk.png", itxt=fields)
    assert_only_request_error(path)
