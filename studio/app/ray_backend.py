"""The Ray backend: each actor of a Ray cluster is one engine slot (docs/ray.md).

One actor per GPU of the cluster (``num_gpus=1``), plus ``ray_cpu_slots`` CPU actors.
An actor runs the same ``Runner`` and model cache as the worker process. The engine's
slot thread starts a job with ``run`` and polls ``poll`` for its progress and previews;
the actor is threaded (``max_concurrency``), so ``cancel`` reaches it while ``run``
executes and the job stops within one step. Outputs come back as bytes (images as
PNG) and the engine writes them to the local library as for any other backend.

A dead actor or node surfaces as a Ray error on that slot's job: the job is requeued
(``SlotLost``, up to ``ray_retries``) and the slot starts a new actor for its next
job; the other slots go on. At connection every actor reports its packs: one that
lacks a pack this studio has (or whose copy failed, another plugin API version) is
named in one warning line and gets none of that pack's jobs.

``ray`` is imported inside functions only: it is an optional extra (``studio[ray]``).
"""

from __future__ import annotations

import io
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from studio.api import (
    API_VERSION,
    Cancelled,
    GenerationRequest,
    Output,
    PluginError,
    StudioError,
)
from studio.app.jobs import JobEvent, raise_failure
from studio.app.plugins import PluginHost
from studio.app.settings import Settings
from studio.app.slots import Slot, SlotLost

log = logging.getLogger(__name__)

#: Seconds between the engine's polls of a running actor for events.
POLL_S = 0.05
#: Seconds the actors have to start and report at connection (a cold node installs
#: nothing: the studio and packs are expected there, docs/ray.md).
CONNECT_TIMEOUT_S = 120.0
#: Seconds to wait for a TCP answer from the cluster's address before calling Ray.
REACH_TIMEOUT_S = 5.0
#: Calls an actor serves at once: run, and poll/cancel while it runs.
ACTOR_CONCURRENCY = 4
#: Seconds a job may keep running after cancel before its actor is replaced.
CANCEL_GRACE_S = 10.0


class RayUnavailable(StudioError):
    """Ray is not installed, the cluster cannot be reached, or it has nowhere to run."""


# -- the actor (runs on a cluster node) ---------------------------------------------------


class SlotActor:
    """One slot on a node: a runner, its model cache and the events of its running job.

    A plain class: ``connect_slots`` wraps it with ``ray.remote`` (no ray import here).
    """

    def __init__(self, settings: dict, extra_plugins: Sequence[str] = ()) -> None:
        import importlib

        from studio.app.paths import data_dir, private_dir
        from studio.app.runner import Runner

        self.host = PluginHost(disabled=settings.get("disabled_plugins", ()))
        self.host.discover()
        for path in extra_plugins:
            self.host.register_module(importlib.import_module(path), path.rsplit(".", 1)[-1])
        self.runner = Runner(self.host, Settings(**settings),
                             cache_dir=private_dir(data_dir() / "cache"))
        self._lock = threading.Lock()
        self._events: dict[str, list[dict]] = {}
        self._tokens: dict[str, Any] = {}

    def report(self) -> dict[str, Any]:
        """The node, device, plugin API and packs of this actor."""
        device = self.runner.settings.device
        if device != "cpu":
            try:
                import torch

                if torch.cuda.is_available():
                    device = f"cuda ({torch.cuda.get_device_name(0)})"
            except Exception:  # a node without torch reports what it was given
                pass
        return {
            "node": _node_name(),
            "pid": os.getpid(),
            "device": device,
            "api_version": API_VERSION,
            "packs": {r.name: {"status": r.status, "error": r.error, "version": r.version}
                      for r in self.host.records.values()},
            "generators": dict(self.host.generator_plugin),
        }

    def run(self, job_id: str, request: dict) -> tuple:
        """Run one job; ``("done", outputs)`` or ``("error", kind, text)``, never raises."""
        from studio.api import CancelToken
        from studio.app.runner import describe_failure

        token = CancelToken()
        with self._lock:
            self._events[job_id] = []
            cancelled = self._tokens.get(job_id) == "cancelled"
            self._tokens[job_id] = token
        if cancelled:
            token.cancel()

        def emit(event: JobEvent) -> None:
            with self._lock:
                self._events.setdefault(job_id, []).append(asdict(event))

        try:
            outputs = self.runner.run(job_id, GenerationRequest.from_dict(request), emit,
                                      token)
            return ("done", [encode_output(o) for o in outputs])
        except Cancelled:
            return ("error", "cancelled", "cancelled")
        except StudioError as exc:
            return ("error", "studio", str(exc))
        except BaseException as exc:  # report every failure, never lose the actor to it
            log.error("job %s failed", job_id, exc_info=True)
            return ("error", "bug", describe_failure(exc))
        finally:
            with self._lock:
                self._tokens.pop(job_id, None)

    def poll(self, job_id: str) -> list[dict]:
        """The events of ``job_id`` since the last poll."""
        with self._lock:
            events = self._events.get(job_id, [])
            self._events[job_id] = []
            return events

    def forget(self, job_id: str) -> None:
        with self._lock:
            self._events.pop(job_id, None)

    def cancel(self, job_id: str) -> None:
        with self._lock:
            token = self._tokens.get(job_id)
            if token is None:
                self._tokens[job_id] = "cancelled"  # before run started: run sees it
        if token is not None and token != "cancelled":
            token.cancel()


def _node_name() -> str:
    try:
        import ray

        return ray.util.get_node_ip_address()
    except Exception:
        return socket.gethostname()


def encode_output(output: Output) -> tuple:
    """An output as plain data; an image as PNG bytes (lossless, small to send)."""
    data = output.data
    if output.kind == "image" and hasattr(data, "save"):
        buf = io.BytesIO()
        data.save(buf, format="PNG")
        return ("png", output.kind, buf.getvalue(), dict(output.metadata), dict(output.embed))
    return ("raw", output.kind, data, dict(output.metadata), dict(output.embed))


def decode_output(item: tuple) -> Output:
    how, kind, data, metadata, embed = item
    if how == "png":
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            im.load()
            data = im.copy()
    return Output(kind, data, metadata, embed)


# -- the engine side ---------------------------------------------------------------------


class RaySlotBackend:
    """The backend of one slot: its actor, restarted after it is lost."""

    def __init__(self, name: str, make_actor: Callable[[], Any],
                 local_generators: dict[str, str]) -> None:
        self.slot_name = name
        self._make_actor = make_actor
        self._local = local_generators  # generator id -> pack name, in this studio
        self._actor: Any = None
        self._lock = threading.Lock()
        self.report: dict[str, Any] = {}
        self.refused: dict[str, str] = {}  # generator id -> why this slot cannot run it
        self.problems: list[str] = []
        self.healthy = True
        self.restarts = 0
        self.cancel_grace_s = CANCEL_GRACE_S
        self._running: str | None = None
        self._cancelled_at: dict[str, float] = {}

    @property
    def actor(self) -> Any:
        return self._actor

    def start(self, timeout: float = CONNECT_TIMEOUT_S) -> None:
        """Start the actor and read its report (packs, node, device)."""
        import ray

        actor = self._make_actor()
        try:
            report = ray.get(actor.report.remote(), timeout=timeout)
        except Exception as exc:
            ray.kill(actor)
            self.healthy = False
            raise RayUnavailable(f"{self.slot_name} did not start on the Ray cluster "
                                 f"within {timeout:g} s ({_one_line(exc)})") from None
        self._actor, self.report, self.healthy = actor, report, True
        self.refused, self.problems = check_packs(report, self._local)

    def refusal(self, request: GenerationRequest) -> str:
        return self.refused.get(request.generator or "", "")

    def describe(self) -> dict[str, Any]:
        return {"device": self.report.get("device", ""), "node": self.report.get("node", ""),
                "health": "ok" if self.healthy else "down", "problems": self.problems}

    def run(self, job_id: str, request: GenerationRequest,
            emit: Callable[[JobEvent], None]) -> list[Output]:
        import ray
        from ray.exceptions import RayError, RayTaskError

        with self._lock:
            if self._actor is None:
                self.restarts += 1
                try:
                    self.start()
                except RayUnavailable as exc:
                    raise SlotLost(str(exc)) from None
            actor = self._actor
            self._running = job_id
        node = self.report.get("node", "?")
        try:
            ref = actor.run.remote(job_id, request.to_dict())
            while True:
                ready, _ = ray.wait([ref], timeout=POLL_S)
                for event in ray.get(actor.poll.remote(job_id)):
                    emit(JobEvent(**event))
                if ready:
                    result = ray.get(ref)
                    break
                cancelled_at = self._cancelled_at.get(job_id)
                if cancelled_at is not None and (time.monotonic() - cancelled_at
                                                 > self.cancel_grace_s):
                    # A generator that ignores cancel: replace its actor (as the worker
                    # process is restarted) rather than wait for it.
                    log.warning("job %s ignored cancel for %g s; restarting the actor of %s",
                                job_id, self.cancel_grace_s, self.slot_name)
                    with self._lock:
                        if self._actor is actor:
                            self._actor = None
                    ray.kill(actor)
                    raise Cancelled()
            actor.forget.remote(job_id)
        except RayTaskError as exc:  # the actor's method itself failed: a bug, not a loss
            raise PluginError(f"the Ray actor failed: {_one_line(exc)}") from None
        except RayError as exc:
            with self._lock:
                if self._actor is actor:
                    self._actor = None  # a new actor for the next job
            raise SlotLost(f"the Ray actor {self.slot_name} on node {node} was lost while "
                           f"running this job ({type(exc).__name__})") from None
        finally:
            self._running = None
            self._cancelled_at.pop(job_id, None)
        if result[0] == "done":
            return [decode_output(item) for item in result[1]]
        _, kind, text = result
        raise_failure(kind, text)

    def cancel(self, job_id: str) -> None:
        self._cancelled_at.setdefault(job_id, time.monotonic())
        actor = self._actor
        if actor is not None:
            try:
                actor.cancel.remote(job_id)
            except Exception:  # the actor is gone: its run reports the loss
                log.debug("cancel could not reach %s", self.slot_name, exc_info=True)

    def shutdown(self) -> None:
        actor, self._actor = self._actor, None
        if actor is None:
            return
        try:
            import ray

            ray.kill(actor)
        except Exception:
            log.debug("could not stop the actor of %s", self.slot_name, exc_info=True)


def check_packs(report: dict[str, Any], local: dict[str, str]) -> tuple[dict[str, str],
                                                                       list[str]]:
    """The generators a node's actor cannot run (id -> why) and the problems, by name.

    ``local``: generator id -> pack name in this studio. A pack counts as missing when
    the actor has none of its generators: not installed there, disabled, or failed
    to load (another plugin API version is such a failure, named in the reason).
    """
    node = report.get("node", "?")
    if report.get("api_version") != API_VERSION:
        why = (f"node {node} runs a studio with plugin API {report.get('api_version')}, "
               f"this one {API_VERSION}")
        return dict.fromkeys(local, why), [why]
    remote = set(report.get("generators", {}))
    refused: dict[str, str] = {}
    problems: list[str] = []
    by_pack: dict[str, list[str]] = {}
    for gid, pack in local.items():
        by_pack.setdefault(pack, []).append(gid)
    for pack, gids in sorted(by_pack.items()):
        missing = [g for g in gids if g not in remote]
        if not missing:
            continue
        there = report.get("packs", {}).get(pack)
        if there is None:
            why = f"node {node} lacks the pack {pack!r}"
        elif there.get("status") != "ok":
            why = f"node {node} cannot use the pack {pack!r}: {there.get('error') or 'disabled'}"
        else:
            why = f"node {node} has another version of the pack {pack!r} (no {missing[0]})"
        problems.append(why)
        for gid in missing:
            refused[gid] = why
    return refused, problems


def connect_slots(root: Path, settings: Settings, host: PluginHost,
                  extra_plugins: Sequence[str] = (),
                  actor_env: Sequence[dict[str, str]] = (),
                  timeout: float = CONNECT_TIMEOUT_S) -> list[Slot]:
    """Connect to the cluster (``ray_address``) and start one slot per GPU and per CPU
    slot asked for. Raises ``RayUnavailable`` in one line when there is nothing to use.

    ``actor_env``: extra environment variables for the i-th actor (``runtime_env``).
    """
    ray = _import_ray()
    address = settings.ray_address
    _check_reachable(address)
    if not ray.is_initialized():
        if not address:
            # A local Ray started here enables token auth and says so on stderr: the
            # safe default, not something the user has to act on.
            logging.getLogger("ray._private.authentication.authentication_token_setup"
                              ).setLevel(logging.ERROR)
        try:
            ray.init(address=address or None, include_dashboard=False, log_to_driver=False,
                     logging_level=logging.WARNING, configure_logging=False)
        except Exception as exc:  # ConnectionError, RuntimeError, ValueError...
            raise RayUnavailable(f"cannot connect to the Ray cluster at "
                                 f"{address or 'a local Ray'}: {_one_line(exc)}") from None
    resources = ray.cluster_resources()
    gpus = int(resources.get("GPU", 0))
    where = f"the Ray cluster at {address}" if address else "the local Ray"
    if gpus == 0 and settings.ray_cpu_slots == 0:
        raise RayUnavailable(f"{where} has no GPU and ray_cpu_slots is 0; "
                             "set ray_cpu_slots to run on its CPUs")
    remote = ray.remote(SlotActor)
    plans = [("gpu", i) for i in range(gpus)] + [("cpu", i)
                                                for i in range(settings.ray_cpu_slots)]
    local = dict(host.generator_plugin)
    backends: list[RaySlotBackend] = []
    for n, (kind, i) in enumerate(plans):
        options: dict[str, Any] = {"max_concurrency": ACTOR_CONCURRENCY,
                                   "num_gpus": 1 if kind == "gpu" else 0,
                                   "num_cpus": 0 if kind == "gpu" else 1}
        env = dict(actor_env[n]) if n < len(actor_env) else {}
        if env:
            options["runtime_env"] = {"env_vars": env}
        actor_settings = asdict(replace(settings, device="cuda" if kind == "gpu" else "cpu"))
        backends.append(RaySlotBackend(
            f"ray-{kind}-{i}",
            _actor_factory(remote, options, actor_settings, list(extra_plugins)), local))
    failures = []
    for backend in backends:  # each ``start`` waits only for its own actor's report
        try:
            backend.start(timeout)
        except RayUnavailable as exc:
            failures.append(str(exc))
            log.warning("%s", exc)
        for problem in backend.problems:
            log.warning("%s (slot %s): its jobs run on other slots", problem,
                        backend.slot_name)
    usable = [b for b in backends if b.healthy]
    if not usable:
        raise RayUnavailable(f"no Ray actor started on {where}: {failures[0]}")
    return [Slot(b.slot_name, b, device=b.report.get("device", ""),
                 node=b.report.get("node", "")) for b in usable]


def _actor_factory(remote: Any, options: dict, settings: dict,
                   extra_plugins: list[str]) -> Callable[[], Any]:
    return lambda: remote.options(**options).remote(settings, extra_plugins)


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise RayUnavailable("the ray backend needs Ray, which is not installed: "
                             "pip install 'studio[ray]'") from None
    return ray


def _check_reachable(address: str) -> None:
    """Fail fast, in one line, on an address nothing answers at (Ray retries for long)."""
    if address in ("", "auto"):
        return
    hostport = address.removeprefix("ray://")
    host, _, port = hostport.rpartition(":")
    deadline = time.monotonic() + REACH_TIMEOUT_S
    try:
        with socket.create_connection((host.strip("[]"), int(port)),
                                      timeout=max(0.1, deadline - time.monotonic())):
            pass
    except (OSError, ValueError) as exc:
        raise RayUnavailable(f"cannot reach the Ray cluster at {address}: "
                             f"{_one_line(exc)}") from None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return (text[:200] or type(exc).__name__)
