"""Video export any pack can reuse: MP4 (H.264), WebM (VP9), animated GIF and WebP.

PyAV, numpy and PIL are imported inside the functions, so importing the contract
stays cheap. Frames are a list of ``PIL.Image`` or a ``(T, H, W, 3)`` uint8 array.

Choices that matter to players and to reproducibility (issue #12):

* H.264 in yuv420p, the one combination every browser, phone and editor plays.
  4:2:0 chroma needs even sides and libx264 refuses odd ones, so an odd width or
  height is **cropped** by one pixel (the last column or row), never scaled.
* The frame rate is kept as an exact ``Fraction`` (24000/1001 stays 24000/1001);
  a float is read as the nearest fraction with a denominator up to 100000, and
  the typed NTSC rates (23.976, 29.97, 59.94) as their exact x000/1001 values.
* ``+faststart`` moves the index to the front so a clip plays while it downloads;
  ``use_metadata_tags`` lets MP4 carry any key (prompt, seed, model, comment).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

#: File formats ``encode_video`` writes, with their file extensions.
VIDEO_FORMATS = {"mp4": ".mp4", "webm": ".webm", "gif": ".gif", "webp": ".webp"}
#: libx264's constant-rate factor: 17-23 is visually lossless to good; 18 keeps the
#: fine noise of generated frames without bloating short clips.
DEFAULT_CRF = 18
MAX_FPS_DENOMINATOR = 100_000


def exact_fps(fps: float | int | str | Fraction) -> Fraction:
    """``fps`` as an exact, positive ``Fraction`` ("24000/1001", 23.976..., 24)."""
    try:
        if isinstance(fps, Fraction):
            rate = fps
        elif isinstance(fps, float):
            rate = _ntsc(fps) or Fraction(fps).limit_denominator(MAX_FPS_DENOMINATOR)
        else:
            rate = Fraction(fps)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        raise ValueError(f"frame rate {fps!r} is not a number") from None
    if rate <= 0 or rate > 1000:
        raise ValueError(f"frame rate {fps!r} is outside 0-1000 frames per second")
    return rate


def _ntsc(fps: float) -> Fraction | None:
    # 23.976, 29.97 and 59.94 as typed mean the NTSC rates 24000/1001, 30000/1001 and
    # 60000/1001; taking the decimals literally would drift a frame every ~17 minutes.
    for base in (24, 30, 48, 60, 120):
        exact = Fraction(base * 1000, 1001)
        if abs(fps - float(exact)) < 0.006:
            return exact
    return None


def frames_array(frames: Any) -> Any:
    """The frames as one ``(T, H, W, 3)`` uint8 numpy array."""
    import numpy as np

    if isinstance(frames, np.ndarray):
        array = frames
    else:
        frames = list(frames)
        if not frames:
            raise ValueError("a video needs at least one frame")
        array = np.stack([np.asarray(_rgb(f)) for f in frames])
    if array.ndim != 4 or array.shape[-1] != 3 or array.shape[0] < 1:
        raise ValueError(f"frames must be (frames, height, width, 3), got {array.shape}")
    if array.dtype != np.uint8:
        if np.issubdtype(array.dtype, np.floating):
            array = (np.clip(array, 0.0, 1.0) * 255.0).round()
        array = np.clip(array, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(array)


def even_size(width: int, height: int) -> tuple[int, int]:
    """The size an MP4/WebM gets: each odd side cropped by one pixel."""
    return width - width % 2, height - height % 2


def encode_video(
    frames: Sequence[Any] | Any,
    fps: float | Fraction,
    format: str = "mp4",
    metadata: Mapping[str, str] | None = None,
    *,
    crf: int = DEFAULT_CRF,
) -> bytes:
    """Encode ``frames`` at exactly ``fps`` and return the file's bytes.

    ``metadata`` goes into the container's tags (MP4/WebM), the GIF comment
    (its ``comment`` value) or the WebP EXIF description. Raises ``ValueError``
    naming a bad format, frame rate or frame layout.
    """
    if format not in VIDEO_FORMATS:
        raise ValueError(f"unknown video format {format!r}: use one of "
                         f"{', '.join(VIDEO_FORMATS)}")
    if not 0 <= crf <= 51:
        raise ValueError(f"crf {crf} is outside 0-51")
    rate = exact_fps(fps)
    array = frames_array(frames)
    tags = {str(k): str(v) for k, v in (metadata or {}).items()}
    if format in ("gif", "webp"):
        return _animated_image(array, rate, format, tags)
    return _av_encode(array, rate, format, tags, crf)


def _av_encode(array: Any, rate: Fraction, format: str, tags: dict[str, str],
               crf: int) -> bytes:
    height, width = even_size(array.shape[2], array.shape[1])[::-1]
    if width < 2 or height < 2:
        raise ValueError(f"frames of {array.shape[2]}x{array.shape[1]} are too small to encode")
    array = array[:, :height, :width]
    if format == "mp4":
        options = {"movflags": "+faststart+use_metadata_tags"}
        codec, codec_options = "libx264", {"crf": str(crf), "preset": "medium"}
    else:
        options = {}
        # VP9 constant quality: crf with a zero bitrate cap; row-mt for speed.
        codec, codec_options = "libvpx-vp9", {"crf": str(min(63, crf + 13)), "b": "0",
                                              "row-mt": "1"}
    # faststart rewrites the file in a second pass that reopens it by name, so
    # the muxer writes to a private temporary file rather than to memory.
    with tempfile.TemporaryDirectory(prefix="studio-video-") as scratch:
        path = os.path.join(scratch, f"clip{VIDEO_FORMATS[format]}")
        _mux(path, array, rate, format, tags, codec, codec_options, options)
        with open(path, "rb") as f:
            return f.read()


def _mux(path: str, array: Any, rate: Fraction, format: str, tags: dict[str, str],
         codec: str, codec_options: dict[str, str], options: dict[str, str]) -> None:
    import av

    height, width = array.shape[1:3]
    with av.open(path, mode="w", format=format, options=options) as container:
        container.metadata.update(tags)
        stream = container.add_stream(codec, rate=rate, options=codec_options)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.time_base = 1 / rate
        for index, pixels in enumerate(array):
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            # Not stream.time_base: writing the header (at the first packet, ~40 frames
            # in) changes it to the muxer's own, and later frames would be mis-stamped.
            frame.time_base = 1 / rate
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def _animated_image(array: Any, rate: Fraction, format: str, tags: dict[str, str]) -> bytes:
    from PIL import Image

    images = [Image.fromarray(pixels, "RGB") for pixels in array]
    # Both formats store whole milliseconds per frame; GIF even rounds to 10 ms in
    # most players, so their rate is approximate by design (MP4/WebM keep it exact).
    duration = max(1, round(1000 / float(rate)))
    buf = io.BytesIO()
    kwargs: dict[str, Any] = {"save_all": True, "append_images": images[1:],
                              "duration": duration, "loop": 0}
    comment = tags.get("comment", "")
    if format == "gif":
        if comment:
            kwargs["comment"] = comment.encode("utf-8")
        images[0].save(buf, format="GIF", optimize=False, disposal=1, **kwargs)
    else:
        if comment:
            exif = Image.Exif()
            exif[0x010E] = comment  # ImageDescription
            kwargs["exif"] = exif.tobytes()
        images[0].save(buf, format="WEBP", lossless=False, quality=90, method=4, **kwargs)
    return buf.getvalue()


def poster_frame(frames: Any, at: float = 0.0) -> Any:
    """One frame as a ``PIL.Image``: ``at`` is the position from 0 (first) to 1 (last).

    The first frame is the default: for image-to-video it is the picture the user
    started from, so the gallery shows what they recognise.
    """
    from PIL import Image

    if not 0.0 <= at <= 1.0:
        raise ValueError(f"poster position {at} is outside 0-1")
    if not hasattr(frames, "shape"):
        frames = list(frames)
        if not frames:
            raise ValueError("a video needs at least one frame")
        return _rgb(frames[round(at * (len(frames) - 1))]).copy()
    array = frames_array(frames)
    return Image.fromarray(array[round(at * (len(array) - 1))], "RGB")


def thumbnail_strip(frames: Any, count: int = 8, height: int = 96) -> Any:
    """``count`` evenly spaced frames side by side, each ``height`` pixels high."""
    from PIL import Image

    if count < 1 or height < 1:
        raise ValueError("a strip needs at least one frame of at least one pixel")
    array = frames_array(frames)
    total = len(array)
    picks = sorted({round(i * (total - 1) / max(1, count - 1)) for i in range(count)})
    src_h, src_w = array.shape[1:3]
    width = max(1, round(src_w * height / src_h))
    strip = Image.new("RGB", (width * len(picks), height))
    for slot, index in enumerate(picks):
        tile = Image.fromarray(array[index], "RGB").resize((width, height),
                                                           Image.Resampling.BILINEAR)
        strip.paste(tile, (slot * width, 0))
    return strip


def read_video(data: bytes) -> tuple[Any, Fraction, dict[str, str]]:
    """Decode an MP4/WebM: ``((T, H, W, 3) uint8 frames, exact fps, container tags)``."""
    import av
    import numpy as np

    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        rate = Fraction(stream.average_rate) if stream.average_rate else Fraction(0)
        # Matroska upper-cases its tag names; MP4 keeps them as written.
        tags = {k.lower(): v for k, v in container.metadata.items()}
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    return np.stack(frames), rate, tags


def _rgb(frame: Any) -> Any:
    from PIL import Image

    if isinstance(frame, Image.Image):
        return frame if frame.mode == "RGB" else frame.convert("RGB")
    import numpy as np

    return Image.fromarray(frames_array(np.asarray(frame)[None])[0], "RGB")


def read_frame(data: bytes, index: int) -> tuple[Any, int]:
    """Frame ``index`` of an MP4/WebM as a ``PIL.Image``, with the clip's frame count.

    A negative ``index`` counts from the end (-1 is the last frame). Raises
    ``ValueError`` naming the allowed range when the clip has no such frame, or
    when ``data`` is not a video PyAV can decode.
    """
    import av
    from PIL import Image

    picked: Any = None
    total = 0
    try:
        with av.open(io.BytesIO(data)) as container:
            if not container.streams.video:
                raise ValueError("the file holds no video stream")
            # Every frame is decoded (to count them) but only the wanted one is kept;
            # for a negative index that is the newest so far, shifted as decoding goes.
            recent: list[Any] = []
            for frame in container.decode(container.streams.video[0]):
                if index >= 0:
                    if total == index:
                        picked = frame
                else:
                    recent = [*recent, frame][index:]
                total += 1
    except av.error.FFmpegError as exc:
        raise ValueError(f"the video cannot be decoded ({exc})") from None
    if index < 0 and len(recent) == -index:
        picked = recent[0]
    if picked is None:
        raise ValueError(f"frame {index} is outside the clip ({total} frames: "
                         f"0 to {total - 1}, or -{total} to -1 from the end)")
    return Image.fromarray(picked.to_ndarray(format="rgb24"), "RGB"), total
