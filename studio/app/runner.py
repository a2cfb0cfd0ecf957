"""Runs one validated request on the device: load through the cache, generate, retry on OOM.

This is the part of the engine that touches torch (through the plugins). It runs
in a worker thread of the process that owns the device: the CLI's own process,
or the GUI's worker process.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any

from studio.api import (
    Cancelled,
    CancelToken,
    GenerationRequest,
    Generator,
    LoadPlan,
    OutOfMemory,
    Output,
    PluginError,
    StudioError,
)
from studio.app.devices import DeviceChoice, free_device_memory, is_out_of_memory, pick_device
from studio.app.jobs import JobEvent
from studio.app.model_cache import ModelCache
from studio.app.plugins import PluginHost, load_factory
from studio.app.settings import Settings

log = logging.getLogger(__name__)

#: The libraries' own console chatter (tqdm bars, backend hints) is noise in the CLI's
#: stderr and invisible in the GUI; the engine reports progress itself. Users who
#: want it back set these variables themselves.
QUIET_LIBRARIES = {
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "DIFFUSERS_VERBOSITY": "error",
}

Emit = Callable[[JobEvent], None]


class Runner:
    """Executes requests one at a time for the device it owns."""

    def __init__(self, host: PluginHost, settings: Settings, cache_dir: Any = None) -> None:
        self.host = host
        self.settings = settings
        self.cache_dir = cache_dir
        for key, value in QUIET_LIBRARIES.items():
            os.environ.setdefault(key, value)
        self._generators: dict[str, Generator] = {}
        self._device: DeviceChoice | None = None
        self.cache = ModelCache(on_evict=self._free)

    @property
    def device(self) -> DeviceChoice:
        if self._device is None:
            if self.settings.device == "cpu":
                # No torch import needed to know the CPU plan.
                dtype = "float32" if self.settings.dtype == "auto" else self.settings.dtype
                self._device = DeviceChoice("cpu", dtype, None)
            else:
                self._device = pick_device(self.settings.device, self.settings.dtype)
            if self.settings.memory_budget_gb is not None:
                self.cache.budget_bytes = int(self.settings.memory_budget_gb * 1e9)
            elif self._device.total_bytes:
                # Leave headroom for activations: models may take ~70% of the card.
                self.cache.budget_bytes = int(self._device.total_bytes * 0.7)
        return self._device

    def fresh(self) -> Runner:
        """A runner for the same host and settings with nothing loaded (after a stuck job)."""
        return Runner(self.host, self.settings, self.cache_dir)

    def _free(self) -> None:
        free_device_memory(self._device.device if self._device else "cpu")

    def generator(self, generator_id: str) -> Generator:
        gen = self._generators.get(generator_id)
        if gen is None:
            info = self.host.generator(generator_id)
            cls = load_factory(info.factory)
            if not (isinstance(cls, type) and issubclass(cls, Generator)):
                raise PluginError(f"{info.factory} is not a studio.api.Generator subclass")
            gen = cls(info)
            self._generators[generator_id] = gen
        return gen

    def plan(self) -> LoadPlan:
        """The plan a model is first loaded with (device, dtype, pickles, cache)."""
        device = self.device
        return LoadPlan(
            device=device.device,
            dtype=device.dtype,
            allow_pickle=self.settings.allow_pickle,
            cache_dir=self.cache_dir,
        )

    def run(
        self, job_id: str, request: GenerationRequest, emit: Emit, cancel: CancelToken
    ) -> list[Output]:
        """Run ``request`` and return its outputs. Raises ``StudioError`` subclasses."""
        gen = self.generator(request.generator)
        gen.check_request(request)
        cancel.check()
        model = gen.resolve_model(request)
        plan = self.plan()
        try:
            return self._attempt(job_id, gen, request, model, plan, emit, cancel)
        except Exception as exc:
            if not is_out_of_memory(exc):
                raise
            log.warning("out of memory on %s; evicting and retrying with offload", plan.device)
        self.cache.clear()
        lighter = LoadPlan(**{**plan.__dict__, "offload": True})
        try:
            return self._attempt(job_id, gen, request, model, lighter, emit, cancel)
        except Exception as exc:
            if is_out_of_memory(exc):
                self.cache.clear()
                raise OutOfMemory(
                    f"out of memory on {plan.device} even with CPU offload: lower the size, "
                    "batch_size or steps, close other GPU programs, or choose a smaller model"
                ) from exc
            raise

    def _attempt(
        self,
        job_id: str,
        gen: Generator,
        request: GenerationRequest,
        model: str,
        plan: LoadPlan,
        emit: Emit,
        cancel: CancelToken,
    ) -> list[Output]:
        key = (gen.info.id, model, plan.device, plan.dtype, plan.offload)
        size = None
        if key not in self.cache:
            emit(JobEvent("progress", job_id, stage="loading"))
            size = gen.estimate_bytes(model, plan)  # only on a miss: it may read files
        loaded = self.cache.get(key, lambda: gen.load(model, plan), size=size,
                                unload=gen.unload)
        cancel.check()
        outputs = gen.generate(request, loaded, _Progress(job_id, emit, cancel), cancel)
        cancel.check()
        if not isinstance(outputs, list) or not all(isinstance(o, Output) for o in outputs):
            raise PluginError(f"{gen.info.id}.generate must return a list of Output")
        return outputs


class _Progress:
    """The ``progress`` callable handed to generators: emits events, honours cancel."""

    def __init__(self, job_id: str, emit: Emit, cancel: CancelToken) -> None:
        self.job_id, self.emit, self.cancel = job_id, emit, cancel
        self.t0: float | None = None
        self.first_step = 0

    def __call__(self, step: int, total: int, preview: Any = None, text: str | None = None,
                 audio: Any = None) -> None:
        now = time.monotonic()
        if self.t0 is None:
            self.t0, self.first_step = now, step
        eta = None
        done = step - self.first_step
        if done > 0 and total:
            eta = (now - self.t0) / done * max(total - step, 0)
        self.emit(JobEvent("progress", self.job_id, step=step, total=total, eta=eta,
                           preview=preview, text=text, stage="generating", audio=audio))
        if self.cancel.cancelled:
            raise Cancelled()


def describe_failure(exc: BaseException) -> str:
    """One line for the user: StudioErrors as written, anything else named as a plugin bug."""
    if isinstance(exc, StudioError):
        return str(exc)
    if isinstance(exc, SystemExit):
        return f"the generator called sys.exit({exc.code!r}) (a bug in the generator)"
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first} (a bug in the generator; details in the log)"
