"""Video export (studio.api.video) and the library's video kind: what players and
``--from-file`` read back from the files (issue #12)."""

from __future__ import annotations

import io
import json
from fractions import Fraction

import numpy as np
import pytest
from PIL import Image

av = pytest.importorskip("av")

from studio.api import GenerationRequest, Output, PluginError  # noqa: E402
from studio.api.video import (  # noqa: E402
    encode_video,
    exact_fps,
    poster_frame,
    read_video,
    thumbnail_strip,
)
from studio.app import writers  # noqa: E402
from studio.app.library import Library  # noqa: E402
from studio.app.metadata import read_file_metadata  # noqa: E402


def _frames(count: int = 9, height: int = 48, width: int = 64) -> np.ndarray:
    # Smooth gradients that move frame to frame: lossy codecs keep them close.
    y, x = np.mgrid[0:height, 0:width]
    out = np.empty((count, height, width, 3), np.uint8)
    for t in range(count):
        out[t, ..., 0] = (x * 255 // max(1, width - 1) + t * 10) % 256
        out[t, ..., 1] = y * 255 // max(1, height - 1)
        out[t, ..., 2] = 40 + (t * 20) % 200
    return out


def _probe(data: bytes) -> tuple[int, int, int, Fraction, str, str]:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        return (frames, stream.codec_context.width, stream.codec_context.height,
                Fraction(stream.average_rate), stream.codec_context.name,
                stream.codec_context.pix_fmt)


@pytest.mark.parametrize("fps", [Fraction(24000, 1001), Fraction(24), 8, 12.5, 30000 / 1001])
def test_mp4_has_exact_frame_count_size_and_fps(fps):
    data = encode_video(_frames(17), fps, "mp4", {})
    frames, width, height, rate, codec, pix = _probe(data)
    assert (frames, width, height) == (17, 64, 48)
    assert rate == exact_fps(fps)
    assert (codec, pix) == ("h264", "yuv420p")


def test_ntsc_rate_stays_a_fraction():
    assert exact_fps(30000 / 1001) == Fraction(30000, 1001)
    assert exact_fps("24000/1001") == Fraction(24000, 1001)
    assert exact_fps(23.976) == Fraction(24000, 1001)  # as typed on a command line
    assert exact_fps(29.97) == Fraction(30000, 1001)
    assert exact_fps(59.94) == Fraction(60000, 1001)
    assert exact_fps(12.5) == Fraction(25, 2) and exact_fps(24.0) == 24
    data = encode_video(_frames(5), 24000 / 1001, "mp4", {})
    assert _probe(data)[3] == Fraction(24000, 1001)


def test_mp4_is_faststart():
    data = encode_video(_frames(5), 24, "mp4", {})
    # The index (moov) sits before the frames (mdat), so a clip plays while it loads.
    assert data.find(b"moov") < data.find(b"mdat")


@pytest.mark.parametrize("size,expected", [((33, 47), (46, 32)), ((49, 64), (64, 48)),
                                           ((48, 65), (64, 48))])
def test_odd_sides_are_cropped_by_one_pixel(size, expected):
    height, width = size
    frames = _frames(3, height, width)
    data = encode_video(frames, 24, "mp4", {})
    decoded, _rate, _tags = read_video(data)
    assert decoded.shape == (3, expected[1], expected[0], 3)
    # Cropped, not scaled: the kept pixels are the source's top-left ones.
    diff = np.abs(decoded[0].astype(int) - frames[0, :expected[1], :expected[0]].astype(int))
    assert diff.mean() < 6


def test_mp4_pixels_are_close_to_the_frames():
    frames = _frames(6)
    decoded, _rate, _tags = read_video(encode_video(frames, 24, "mp4", {}))
    assert np.abs(decoded.astype(int) - frames.astype(int)).mean() < 6


def test_pil_frames_and_float_arrays_encode_alike():
    frames = _frames(4)
    pil = [Image.fromarray(f) for f in frames]
    a = read_video(encode_video(pil, 24, "mp4", {}))[0]
    b = read_video(encode_video(frames.astype(np.float32) / 255.0, 24, "mp4", {}))[0]
    assert a.shape == b.shape == (4, 48, 64, 3)
    assert np.abs(a.astype(int) - b.astype(int)).max() <= 2


def test_webm_decodes_with_exact_rate_and_tags():
    data = encode_video(_frames(7), Fraction(25, 2), "webm", {"comment": "hello", "seed": "3"})
    frames, width, height, rate, codec, _pix = _probe(data)
    assert (frames, width, height, rate, codec) == (7, 64, 48, Fraction(25, 2), "vp9")
    assert read_video(data)[2]["comment"] == "hello"


@pytest.mark.parametrize("fmt", ["gif", "webp"])
def test_animated_images_decode(fmt):
    data = encode_video(_frames(6, 33, 47), 10, fmt, {"comment": '{"a": 1}'})
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == fmt.upper()
        assert im.n_frames == 6
        assert im.size == (47, 33)  # no codec constraint: odd sides kept
        if fmt == "gif":
            assert im.info["duration"] == 100  # 10 fps
            assert im.info["comment"] == b'{"a": 1}'
        else:
            assert im.getexif()[0x010E] == '{"a": 1}'


def test_mp4_metadata_round_trip():
    tags = {"prompt": "a fox, snow", "seed": "42", "model": "tiny/wan",
            "comment": json.dumps({"request": {"modality": "video"}})}
    assert {k: read_video(encode_video(_frames(3), 24, "mp4", tags))[2][k]
            for k in tags} == tags


@pytest.mark.parametrize("bad,match", [
    (dict(format="avi"), "unknown video format"),
    (dict(fps=0), "frame rate"),
    (dict(fps="fast"), "not a number"),
    (dict(frames=np.zeros((0, 8, 8, 3), np.uint8)), "frames"),
    (dict(frames=np.zeros((2, 8, 8), np.uint8)), "frames"),
    (dict(frames=[]), "at least one frame"),
])
def test_bad_arguments_are_named(bad, match):
    args = {"frames": _frames(2), "fps": 24, "format": "mp4", **bad}
    with pytest.raises(ValueError, match=match):
        encode_video(args.pop("frames"), args.pop("fps"), args.pop("format"), {})


def test_poster_and_strip():
    frames = _frames(9)
    assert np.array_equal(np.asarray(poster_frame(frames)), frames[0])
    assert np.array_equal(np.asarray(poster_frame(list(frames), at=1.0)), frames[-1])
    strip = thumbnail_strip(frames, count=4, height=24)
    assert strip.size == (4 * 32, 24)
    assert thumbnail_strip(frames[:2], count=8, height=24).size == (2 * 32, 24)


# -- the library's video kind -------------------------------------------------------


def _request() -> GenerationRequest:
    return GenerationRequest(modality="video", task="txt2video", generator="video.diffusers",
                             prompt="a paper boat on a river", model="tiny-wan",
                             params={"num_frames": 9, "fps": 8, "steps": 2}, seed=5)


def test_library_stores_video_with_poster_thumbnail_and_reads_it_back(tmp_path):
    frames = _frames(9)
    library = Library(tmp_path / "lib")
    try:
        [art] = library.add([Output("video", (frames, Fraction(24000, 1001)),
                                    {"seed": 5, "fps": "24000/1001"})], _request())
        assert art.kind == "video" and art.path.endswith(".mp4")
        data = open(art.path, "rb").read()
        count, width, height, rate, _codec, _pix = _probe(data)
        assert (count, width, height, rate) == (9, 64, 48, Fraction(24000, 1001))
        tags = read_video(data)[2]
        assert (tags["prompt"], tags["seed"], tags["model"]) == (
            "a paper boat on a river", "5", "tiny-wan")
        thumb = library.thumbnail_path(art.id)
        with Image.open(thumb) as im:
            assert im.size == (64, 48)
            assert np.abs(np.asarray(im.convert("RGB")).astype(int)
                          - frames[0].astype(int)).mean() < 8
        # --from-file reads the whole request back from the MP4's comment.
        meta = read_file_metadata(art.path)
        assert meta.tool == "studio"
        assert meta.request == _request()
    finally:
        library.close()


@pytest.mark.parametrize("fmt", ["webm", "gif", "webp"])
def test_library_video_formats_get_their_extension(tmp_path, fmt):
    library = Library(tmp_path / "lib")
    try:
        [art] = library.add([Output("video", (_frames(3), 8), {"format": fmt})], _request())
        assert art.path.endswith("." + fmt)
    finally:
        library.close()


def test_video_output_without_fps_is_a_plugin_error():
    with pytest.raises(PluginError, match="fps"):
        writers.encode(Output("video", [_frames(2)[0]]), {"request": {}})
    with pytest.raises(PluginError, match="unknown video format"):
        writers.encode(Output("video", (_frames(2), 8), {"format": "avi"}), {"request": {}})


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_a_clip_longer_than_the_encoders_lookahead_keeps_every_frame(fmt):
    # libx264 holds about 40 frames before its first packet, and writing the header
    # changes the stream's time base: frames stamped in that new base were refused.
    data = encode_video(_frames(count=72, height=32, width=32), 24, fmt)
    frames, rate, _tags = read_video(data)
    assert len(frames) == 72 and rate == 24
