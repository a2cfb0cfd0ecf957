"""Serialise generator outputs to files, with their metadata embedded where the format allows."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from typing import Any

from studio.api import Output, PluginError

#: PNG text chunk holding the full request and metadata as JSON (read back by ``--from-file``).
PNG_JSON_KEY = "studio"

EXTENSIONS = {"image": ".png", "text": ".md", "audio": ".flac", "video": ".mp4"}


def encode(output: Output, metadata: Mapping[str, Any]) -> tuple[bytes, str]:
    """Return the file bytes and extension for ``output``."""
    writer = _WRITERS.get(output.kind)
    if writer is None:
        raise PluginError(f"no file writer for output kind {output.kind!r}")
    data = writer(output, metadata)
    if output.kind == "video":
        return data, _video_extension(output)
    if output.kind == "audio":
        return data, AUDIO_FORMATS[_audio_format(output)]
    return data, EXTENSIONS[output.kind]


def _png(output: Output, metadata: Mapping[str, Any]) -> bytes:
    from PIL import Image, PngImagePlugin

    image = output.data
    if not isinstance(image, Image.Image):
        raise PluginError(f"image output must be a PIL image, got {type(image).__name__}")
    info = PngImagePlugin.PngInfo()
    for key, value in output.embed.items():
        info.add_itxt(key, value)
    info.add_itxt(PNG_JSON_KEY, json.dumps(metadata, sort_keys=True, default=str))
    buf = io.BytesIO()
    image.save(buf, format="PNG", pnginfo=info)
    return buf.getvalue()


def _markdown(output: Output, metadata: Mapping[str, Any]) -> bytes:
    if not isinstance(output.data, str):
        raise PluginError(f"text output must be str, got {type(output.data).__name__}")
    # JSON is valid YAML flow syntax, so any front-matter reader parses this block.
    front = json.dumps(metadata, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return f"---\n{front}\n---\n\n{output.data}".encode()


def read_markdown(data: bytes) -> tuple[dict[str, Any], str]:
    """Split a studio Markdown file into (metadata, text)."""
    text = data.decode("utf-8")
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            try:
                meta = json.loads(text[4:end])
            except ValueError:
                meta = {}
            return meta, text[end + 5:].removeprefix("\n")
    return {}, text


#: Audio file formats, chosen by ``Output.metadata["format"]`` (flac when absent).
AUDIO_FORMATS = {"flac": ".flac", "wav": ".wav"}

#: Tags soundfile writes in both FLAC and WAV; ``Output.embed`` may set any of them.
AUDIO_TAGS = ("title", "artist", "album", "genre", "date", "tracknumber", "copyright",
              "license", "software")

# libsndfile drops WAV INFO strings longer than this (see studio.app.riff).
_WAV_INFO_LIMIT = 2000


def _audio_format(output: Output) -> str:
    fmt = str(output.metadata.get("format") or "flac").lower()
    if fmt not in AUDIO_FORMATS:
        raise PluginError(f"unknown audio format {fmt!r}: use one of {', '.join(AUDIO_FORMATS)}")
    return fmt


def audio_tags(output: Output, metadata: Mapping[str, Any]) -> dict[str, str]:
    """The text tags of an audio file: players show the title (the prompt's start)
    and the artist (the model); the full request is the JSON comment."""
    request = metadata.get("request") if isinstance(metadata.get("request"), dict) else {}
    prompt = " ".join(str(request.get("prompt") or "").split())
    tags = {
        "title": prompt[:100],
        "artist": str(metadata.get("model") or request.get("model") or ""),
        "software": "Studio",
        **{k: str(v) for k, v in output.embed.items() if k in AUDIO_TAGS},
    }
    return {k: v for k, v in tags.items() if v}


def _audio(output: Output, metadata: Mapping[str, Any]) -> bytes:
    import numpy as np
    import soundfile as sf

    from studio.api import StudioError
    from studio.api.audio import as_samples

    fmt = _audio_format(output)
    try:
        samples, rate = output.data
        samples = as_samples(samples)
    except (TypeError, ValueError, StudioError):
        raise PluginError("audio output must be a (samples, sample_rate) pair of a "
                          "(frames, channels) array of finite numbers") from None
    if isinstance(rate, bool) or not isinstance(rate, (int, np.integer)) or rate <= 0:
        raise PluginError(f"audio sample rate must be a positive whole number, got {rate!r}")
    if len(samples) == 0:
        raise PluginError("audio output has no samples")
    comment = json.dumps(metadata, sort_keys=True, default=str)
    buf = io.BytesIO()
    with sf.SoundFile(buf, "w", samplerate=int(rate), channels=samples.shape[1],
                      format=fmt.upper(), subtype="PCM_16") as f:
        for key, value in audio_tags(output, metadata).items():
            setattr(f, key, value)
        if fmt == "flac" or len(comment) <= _WAV_INFO_LIMIT:
            f.comment = comment
        f.write(samples)
    if fmt == "wav":
        from studio.app.riff import STUDIO_CHUNK, add_chunk

        return add_chunk(buf.getvalue(), STUDIO_CHUNK, comment.encode("utf-8"))
    return buf.getvalue()


def video_frames(output: Output) -> tuple[Any, Any]:
    """A video output's ``(frames, fps)``: ``data`` is the pair, or the frames with
    ``fps`` in the metadata."""
    data = output.data
    if isinstance(data, tuple) and len(data) == 2:
        return data
    fps = output.metadata.get("fps")
    if fps is None:
        raise PluginError("video output must be a (frames, fps) pair")
    return data, fps


def _video_format(output: Output) -> str:
    from studio.api.video import VIDEO_FORMATS

    fmt = str(output.metadata.get("format") or "mp4")
    if fmt not in VIDEO_FORMATS:
        raise PluginError(f"unknown video format {fmt!r}: use one of {', '.join(VIDEO_FORMATS)}")
    return fmt


def _video_extension(output: Output) -> str:
    from studio.api.video import VIDEO_FORMATS

    return VIDEO_FORMATS[_video_format(output)]


def _video(output: Output, metadata: Mapping[str, Any]) -> bytes:
    from studio.api.video import encode_video

    frames, fps = video_frames(output)
    request = metadata.get("request") if isinstance(metadata.get("request"), dict) else {}
    tags = {
        # Players show title/description; other tools read prompt, seed and model;
        # ``--from-file`` reads the full request from the JSON comment.
        "title": str(request.get("prompt", ""))[:200],
        "description": str(request.get("prompt", "")),
        "prompt": str(request.get("prompt", "")),
        "seed": str(metadata.get("seed", request.get("seed", ""))),
        "model": str(metadata.get("model", request.get("model", ""))),
        **dict(output.embed),
        "comment": json.dumps(metadata, sort_keys=True, default=str),
    }
    try:
        return encode_video(frames, fps, _video_format(output),
                            {k: v for k, v in tags.items() if v})
    except ValueError as exc:
        raise PluginError(f"cannot encode the video: {exc}") from None


def thumbnail_image(output: Output) -> Any:
    """The picture the library thumbnails for ``output``, or None for text."""
    if output.kind == "image":
        return output.data
    if output.kind == "audio":
        from studio.api.audio import waveform_image

        # The waveform, not the spectrogram: the library writes in the UI's process,
        # and the spectrogram would import torch there (DESIGN.md, issue #11).
        samples, rate = output.data
        return waveform_image(samples, rate, 256, 128)
    if output.kind == "video":
        from studio.api.video import poster_frame

        return poster_frame(video_frames(output)[0])
    return None


_WRITERS: dict[str, Callable[[Output, Mapping[str, Any]], bytes]] = {
    "image": _png,
    "text": _markdown,
    "audio": _audio,
    "video": _video,
}
