"""Execution slots: where the engine runs jobs, and which queued job a free slot takes.

A slot is one backend that runs one job at a time: a thread or a worker process
pinned to a local device, or a Ray actor (``ray_backend``). The engine gives every
slot a thread of its own; a free slot takes the next job with ``choose``.

Model affinity: a slot remembers the (generator, model) it ran last, which is what
its model cache holds. A job whose model is loaded on another (busy) slot is passed
over in favour of a later job of the same priority that this slot has loaded, so two
models alternating over two slots are not reloaded on every job. A job passed over
``MAX_PASSED`` times is taken by the next free slot regardless, and a free slot never
idles while a job it can run waits.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from studio.api import GenerationRequest, StudioError
from studio.app.jobs import RUNNING, Job

#: Times a job may be passed over for model affinity before any free slot takes it.
MAX_PASSED = 3


class SlotLost(StudioError):
    """The slot's process, actor or node went away while running a job.

    Only its job is affected: the engine requeues it (up to the retries setting)
    and carries on with the other slots.
    """


@dataclass(eq=False)
class Slot:
    """One place a job runs; ``job`` and ``loaded`` are kept by the engine under its lock."""

    name: str
    backend: Any  # engine.Backend
    device: str = ""
    node: str = ""
    job: Job | None = None
    loaded: tuple[str, str] | None = None  # (generator, model) of the last job run here
    retired: bool = False  # replaced (``Engine.replace_slot``): its thread ends

    @property
    def healthy(self) -> bool:
        return bool(getattr(self.backend, "healthy", True))

    @property
    def starting(self) -> bool:
        """Still connecting: jobs wait for it rather than fail for want of a slot."""
        return bool(getattr(self.backend, "starting", False)) and not self.retired

    def refusal(self, request: GenerationRequest) -> str:
        """Why this slot cannot run ``request`` ("" when it can): a pack its node lacks."""
        check = getattr(self.backend, "refusal", None)
        return check(request) if check is not None else ""

    def status(self) -> dict[str, Any]:
        """Name, device, node, loaded model, running job and health, for display."""
        extra = getattr(self.backend, "describe", None)
        info = extra() if extra is not None else {}
        job = self.job if self.job is not None and self.job.state == RUNNING else None
        return {
            "name": self.name,
            "device": info.get("device") or self.device or _settings_device(self.backend),
            "node": info.get("node") or self.node or "local",
            "model": f"{self.loaded[0]}:{self.loaded[1]}" if self.loaded else "",
            "job": job.id if job is not None else "",
            "health": info.get("health") or ("ok" if self.healthy else "down"),
            "problems": list(info.get("problems", ())),
        }


def _settings_device(backend: Any) -> str:
    """The device a local backend was set to use (``auto`` until a job resolved it)."""
    settings = getattr(getattr(backend, "runner", None), "settings", None) or getattr(
        backend, "settings", None)
    return getattr(settings, "device", "") or ""


class Connecting:
    """The backend of a placeholder slot while a cluster connects: it runs nothing."""

    healthy = False
    starting = True

    def __init__(self, what: str) -> None:
        self.what = what

    def describe(self) -> dict[str, Any]:
        return {"health": "connecting", "node": self.what}

    def run(self, job_id: str, request: GenerationRequest, emit: Any) -> list:
        raise SlotLost(f"{self.what} is still connecting")

    def cancel(self, job_id: str) -> None:
        pass

    def shutdown(self) -> None:
        pass


def affinity(job: Job) -> tuple[str, str]:
    return job.request.generator or "", job.request.model or ""


def choose(slot: Slot, queue: Sequence[Job], slots: Sequence[Slot]) -> tuple[Job | None,
                                                                             list[Job]]:
    """The job the free ``slot`` takes from ``queue`` (in queue order), and the jobs it
    passed over for model affinity (the caller counts them, when a job was taken).

    A job is passed over only when its model is loaded on another healthy slot that can
    run it, it has been passed over fewer than ``MAX_PASSED`` times, and a later job of
    the same priority has this slot's model.
    """
    runnable = [j for j in queue if not slot.refusal(j.request)]
    if not runnable:
        return None, []
    skipped: list[Job] = []
    for i, job in enumerate(runnable):
        key = affinity(job)
        if slot.loaded == key or job.passed_over >= MAX_PASSED:
            return job, skipped
        warm_elsewhere = any(
            other is not slot and other.loaded == key and other.healthy
            and not other.refusal(job.request) for other in slots
        )
        later_match = any(
            later.priority == job.priority and affinity(later) == slot.loaded
            for later in runnable[i + 1:]
        )
        if warm_elsewhere and later_match:
            skipped.append(job)
            continue
        return job, skipped
    # Only passed-over jobs are left: a free slot does not idle while they wait.
    return skipped[0], []


def local_devices(device: str, devices: str, gpu_count: Callable[[], int] | None = None
                  ) -> list[str]:
    """The devices of this machine that get a slot each; ``[]`` means one slot as set by
    ``device`` (a machine with one GPU or none, or a device chosen by hand).

    ``devices`` is the setting: ``all`` (every CUDA device the driver lists, within
    ``CUDA_VISIBLE_DEVICES``) or a comma-separated list (``cuda:0,cuda:2``).
    """
    if devices != "all":
        return list(dict.fromkeys(d.strip() for d in devices.split(",") if d.strip()))
    if device not in ("auto", "cuda"):
        return []
    count = (gpu_count or _cuda_device_count)()
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    ids = list(range(count))
    if visible is not None:
        wanted = [v.strip() for v in visible.split(",") if v.strip()]
        ids = [int(v) for v in wanted if v.isdigit() and int(v) < count]
    return [f"cuda:{i}" for i in ids] if len(ids) > 1 else []


def _cuda_device_count() -> int:
    from studio.app.hardware import probe

    return len(probe().gpus)  # NVML through ctypes: neither torch nor CUDA is started


def pinned(device: str) -> tuple[dict[str, str], str]:
    """The environment that pins a worker to ``device``, and the device it then names.

    A worker pinned with ``CUDA_VISIBLE_DEVICES`` sees its GPU as ``cuda:0``.
    """
    if device.startswith("cuda:"):
        return {"CUDA_VISIBLE_DEVICES": device.split(":", 1)[1]}, "cuda:0"
    return {}, device
