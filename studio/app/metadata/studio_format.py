"""Studio's own metadata: a JSON object with the full ``request`` (see studio.app.writers).

It sits in the PNG ``studio`` iTXt chunk, the FLAC/WAV comment, the Markdown front
matter and the MP4 ``comment`` tag, and reproduces the output exactly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, BinaryIO

from studio.api import GenerationRequest, RequestError
from studio.app.metadata.model import FileMetadata, json_safe, loads_object, to_float, to_str


def parse_json(text: str, where: str) -> FileMetadata:
    """Studio metadata from its JSON text; ``where`` names the chunk or tag for errors."""
    meta = loads_object(text)
    if meta is None:
        raise RequestError(f"the studio metadata is damaged (the {where} is not a JSON object)")
    return parse_mapping(meta, where)


def parse_mapping(meta: dict[str, Any], where: str) -> FileMetadata:
    data = meta.get("request")
    if not isinstance(data, dict):
        raise RequestError(f"the studio metadata is damaged (the {where} holds no request)")
    try:
        request = GenerationRequest.from_dict(data)
    except (TypeError, ValueError) as exc:
        raise RequestError(f"the studio metadata is damaged ({exc})") from None
    if not isinstance(request.modality, str) or not request.modality:
        raise RequestError("the studio metadata names no modality")
    if not isinstance(request.prompt, str) or not isinstance(request.params, dict):
        raise RequestError("the studio metadata is damaged (prompt or params of the wrong type)")
    return FileMetadata(
        tool="studio",
        request=request,
        raw=json_safe(meta),
        created=_created(meta.get("created")),
        model_hash=to_str(meta.get("model_hash")) or None,
        sampler=to_str(request.params.get("scheduler")) or None,
    )


def _created(value: Any) -> float | None:
    number = to_float(value)
    if number is not None:
        return number
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return None
    return None


def from_audio(file: BinaryIO) -> FileMetadata | None:
    """Studio metadata in a FLAC or WAV comment; None when the file has no comment.

    A WAV file's own ``stdo`` chunk (studio.app.riff) wins over its INFO comment,
    which libsndfile cannot hold past about 2 KB.
    """
    import soundfile as sf

    from studio.app.riff import STUDIO_CHUNK, find_chunk

    # libsndfile reports broken headers as RuntimeError (LibsndfileError) or others.
    # Opening reads the header and tags only, not the samples.
    try:
        with sf.SoundFile(file) as f:
            comment = f.comment
        file.seek(0)
        chunk = find_chunk(file, STUDIO_CHUNK)
    except Exception as exc:
        raise RequestError(f"is not a readable audio file ({_one_line(exc)})") from None
    if chunk is not None:
        return _from_comment(chunk.decode("utf-8", "replace"), "WAV studio chunk")
    return _from_comment(comment, "audio comment")


def from_markdown(data: bytes) -> FileMetadata | None:
    from studio.app.writers import read_markdown

    try:
        meta, _text = read_markdown(data.lstrip(b"\xef\xbb\xbf"))
    except UnicodeDecodeError:
        raise RequestError("is not UTF-8 text") from None
    if "request" not in meta:
        return None  # front matter, but not Studio's
    return parse_mapping(meta, "front matter")


def from_mp4(file: BinaryIO) -> FileMetadata | None:
    """Studio metadata in an MP4 ``comment`` tag; None when PyAV is not installed."""
    try:
        import av
    except ImportError:
        return None
    try:
        with av.open(file) as container:
            comment = dict(container.metadata).get("comment", "")
    except Exception as exc:  # PyAV raises its own error tree
        raise RequestError(f"is not a readable video file ({_one_line(exc)})") from None
    return _from_comment(comment, "video comment")


def _from_comment(comment: str, where: str) -> FileMetadata | None:
    # Other programs write comments too: only a JSON object with a request is Studio's.
    meta = loads_object(comment) if comment else None
    if meta is None or "request" not in meta:
        return None
    return parse_mapping(meta, where)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__
