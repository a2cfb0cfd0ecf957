"""The class a plugin implements, and the progress/cancel protocol it talks through.

A generator writes two methods: ``load`` (heavy: build a pipeline for a model
reference under a ``LoadPlan``) and ``generate`` (run one request on it). The host
owns threads, devices, the model cache, out-of-memory retries and the library.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from studio.api.errors import Cancelled
from studio.api.types import GenerationRequest, GeneratorInfo, Output


class CancelToken:
    """Cooperative cancellation: the host sets it, the generator checks it between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise ``Cancelled`` if cancellation was requested."""
        if self._event.is_set():
            raise Cancelled()


class ProgressFn(Protocol):
    """``progress(step, total, preview=None, text=None, audio=None)``.

    ``preview`` is a small ``PIL.Image`` (optional); ``text`` is the newly
    streamed piece of text for text generators; ``audio`` is the audio made so far
    as ``(samples, sample_rate)`` (float32 numpy, channels last), each one
    replacing the last, so a player can start before the job ends. The host raises
    ``Cancelled`` from inside this call when the job was cancelled, so a generator
    that reports every step is cancellable within one step without extra code.
    """

    def __call__(
        self, step: int, total: int, preview: Any = None, text: str | None = None,
        audio: Any = None,
    ) -> None: ...


@dataclass(frozen=True)
class LoadPlan:
    """How the host wants a model loaded.

    ``device`` is "cuda", "cuda:1", "mps" or "cpu"; ``dtype`` is "float32",
    "float16" or "bfloat16". ``offload`` is the lighter plan used after an
    out-of-memory error: keep weights in RAM and move submodules to the device
    only while they run.
    """

    device: str = "cpu"
    dtype: str = "float32"
    offload: bool = False
    allow_pickle: bool = False
    cache_dir: Path | None = None  # where a plugin may keep converted weights
    options: dict[str, Any] = field(default_factory=dict)


class Generator:
    """Base class for generators. Subclass it and point ``GeneratorInfo.factory`` at it."""

    def __init__(self, info: GeneratorInfo) -> None:
        self.info = info

    def check_request(self, request: GenerationRequest) -> None:
        """Refuse a request before any model loads (raise ``RequestError``/``ParamError``).

        The host has already checked the task, declared inputs and parameter
        types and ranges; override for checks that need several values at once.
        """

    def check_load(self, request: GenerationRequest, plan: LoadPlan) -> None:
        """Refuse a request whose model cannot load under ``plan`` (e.g. pickle-only
        weights while ``plan.allow_pickle`` is off), before any model loads.

        The host calls it before queueing where it can do so cheaply (the CLI); the
        load itself must still refuse, since the window's worker may skip this.
        Read only what the model declares (configs, file names), never the weights.
        """

    def resolve_model(self, request: GenerationRequest) -> str:
        """The model reference to load for ``request`` (default: the request's or the default)."""
        return request.model or self.info.default_model

    def estimate_bytes(self, model: str, plan: LoadPlan) -> int | None:
        """Device memory the loaded model needs under ``plan``, if known cheaply."""
        return None

    def load(self, model: str, plan: LoadPlan) -> Any:
        """Load ``model`` and return the object ``generate`` receives (heavy, off the UI thread)."""
        raise NotImplementedError(
            f"{type(self).__name__}.load(model, plan) must build and return the pipeline"
        )

    def unload(self, loaded: Any) -> None:
        """Free what ``load`` returned. The host drops its reference afterwards."""

    def generate(
        self,
        request: GenerationRequest,
        loaded: Any,
        progress: ProgressFn,
        cancel: CancelToken,
    ) -> list[Output]:
        """Run ``request`` on ``loaded``; report progress each step; return the outputs."""
        raise NotImplementedError(
            f"{type(self).__name__}.generate(request, loaded, progress, cancel) must return "
            "a list of Output"
        )


ProgressCallback = Callable[[int, int, Any, "str | None"], None]
