"""Jobs and the events the engine publishes about them (plain data, transport-neutral)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any, NoReturn

from studio.api import Cancelled, GenerationRequest, PluginError, StudioError

# Job states. "interrupted": it was running when the app (or its worker) stopped.
QUEUED, RUNNING, DONE, FAILED, CANCELLED, INTERRUPTED = (
    "queued", "running", "done", "failed", "cancelled", "interrupted",
)
FINISHED_STATES = frozenset({DONE, FAILED, CANCELLED, INTERRUPTED})


def new_id() -> str:
    return uuid.uuid4().hex[:16]


@dataclass
class Job:
    request: GenerationRequest
    id: str = field(default_factory=new_id)
    priority: int = 0
    seq: float = 0.0
    state: str = QUEUED
    error: str = ""
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    step: int = 0
    total: int = 0
    artifacts: list[Any] = field(default_factory=list)  # library Artifact records
    slot: str = ""  # the execution slot running or last running it ("" before)
    passed_over: int = 0  # times a later job took a free slot first (model affinity)
    attempts: int = 0  # runs lost with their slot (a dead Ray actor), requeued

    @property
    def seconds(self) -> float | None:
        if self.started is None or self.finished is None:
            return None
        return self.finished - self.started


@dataclass(frozen=True)
class JobEvent:
    """Something happened to a job. ``kind`` is one of:

    queued, started, progress, done, failed, cancelled, interrupted, reordered,
    requeued (its slot was lost; it runs again). ``slot`` names the execution slot.
    ``preview`` is a small PIL image; ``text`` a streamed piece of text; ``audio`` the
    audio made so far, ``(samples, sample_rate)``.
    """

    kind: str
    job_id: str
    step: int = 0
    total: int = 0
    eta: float | None = None
    preview: Any = None
    text: str | None = None
    error: str = ""
    artifacts: tuple[Any, ...] = ()
    stage: str = ""  # "loading", "generating", "saving"
    audio: Any = None
    slot: str = ""


def raise_failure(kind: str, text: str) -> NoReturn:
    """Raise again, in the engine's process, a failure that a worker process or a Ray
    actor reported as ``(kind, text)``: ``cancelled``, ``studio`` (a StudioError's
    line) or anything else (a bug in the generator, already one line)."""
    if kind == "cancelled":
        raise Cancelled()
    if kind == "studio":
        raise StudioError(text)
    raise PluginError(text)
