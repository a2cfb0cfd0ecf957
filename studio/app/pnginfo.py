"""Read a generation request back from a PNG (kept for existing callers).

The reading itself lives in ``studio.app.metadata``, which knows every tool's files;
this module keeps the PNG-only entry points ``request_from_png``, ``parse_a1111``
and ``parse_comfyui``.
"""

from __future__ import annotations

from pathlib import Path

from studio.api import GenerationRequest, RequestError
from studio.app.metadata import a1111, comfyui, read_file_metadata
from studio.app.metadata.containers import PNG_SIGNATURE, sniff


def request_from_png(path: Path) -> GenerationRequest:
    """The request stored in the PNG ``path``; ``RequestError`` if unreadable or holding none."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            head = f.read(len(PNG_SIGNATURE) + 8)
    except OSError:
        head = None  # the reader names the problem (missing, unreadable)
    if head and not head.startswith(PNG_SIGNATURE):
        kind = sniff(head)
        if kind in ("jpeg", "webp"):
            raise RequestError(f"{path} is a {kind.upper()} image; only PNG metadata is read")
        raise RequestError(f"{path} is not a readable PNG image")
    return read_file_metadata(path).request


def parse_a1111(text: str) -> GenerationRequest:
    """``prompt\\nNegative prompt: ...\\nSteps: 20, Sampler: ..., Seed: 1, ...`` -> request."""
    return a1111.parse(text).request


def parse_comfyui(text: str) -> GenerationRequest:
    """A ComfyUI API graph (the ``prompt`` chunk) -> request, from its main sampler."""
    return comfyui.parse(text, None).request
