"""The job engine: validates requests, queues them, runs them on a backend, files the results.

The queue, priorities, persistence, events and the library live here, in the
process that shows the UI. Execution is delegated to a ``Backend``: threads in
this process (CLI, tests), a worker process (the GUI) or a Ray actor, so the same
requests, events and results flow whichever runs them. The engine runs one job at a
time on each of its execution slots (``slots.py``: one backend each; which queued
job a free slot takes, model affinity); a slot lost mid-job (``SlotLost``) requeues
only its job, up to the ``ray_retries`` setting.

Fault points (tests/faults): ``engine.before_record``, after the library stored a
job's artifacts and before its ``generate`` event is recorded; ``engine.after_record``,
after the event and before the library marks the artifacts recorded (a process killed
between the two is caught up on the library's next open, without a second event). A
failure at either is one warning line: the files are saved, the command succeeds, and
the library's next open records what is missing.

A damaged queue store is copied aside once and replaced by an empty one (``open_queue``).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from studio.api import (
    Cancelled,
    GenerationRequest,
    GeneratorInfo,
    Output,
    PluginError,
    RequestError,
    StudioError,
)
from studio.app.faults import fault_point
from studio.app.jobs import (
    CANCELLED,
    DONE,
    FAILED,
    FINISHED_STATES,
    INTERRUPTED,
    QUEUED,
    RUNNING,
    Job,
    JobEvent,
)
from studio.app.library import Library
from studio.app.library_health import SIDECARS, backup_once, is_damage
from studio.app.migrations import Migrations, connect
from studio.app.plugins import PluginHost
from studio.app.settings import Settings
from studio.app.slots import Slot, SlotLost, affinity, choose

log = logging.getLogger(__name__)

Listener = Callable[[JobEvent], None]
Recorder = Callable[..., None]
ARTIFACT_PREFIX = "artifact:"


class Backend(Protocol):
    """Runs one request at a time on the device it owns."""

    def run(self, job_id: str, request: GenerationRequest,
            emit: Callable[[JobEvent], None]) -> list[Output]:
        """Block until done; return outputs or raise (``Cancelled``, ``StudioError``, ...)."""

    def cancel(self, job_id: str) -> None:
        """Ask the running job to stop at its next step."""

    def shutdown(self) -> None: ...


# -- persistence of the queue ---------------------------------------------------

queue_migrations = Migrations()


@queue_migrations
def m001_jobs(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE jobs (
            id TEXT PRIMARY KEY, request TEXT NOT NULL, priority INTEGER NOT NULL,
            seq REAL NOT NULL, state TEXT NOT NULL, error TEXT NOT NULL DEFAULT '',
            created REAL NOT NULL, finished REAL
        )"""
    )


def open_queue(store: Path) -> sqlite3.Connection:
    """The persisted queue, checked and migrated; a damaged one is replaced by a new one.

    The queue holds only pending work (results are in the library), so damage is
    reported in one line, the damaged file is copied aside once
    (``queue.sqlite.broken-<time>``), and a new empty queue starts.
    """
    try:
        return _open_checked(store)
    except (StudioError, sqlite3.DatabaseError) as exc:
        cause = exc.__cause__ if isinstance(exc, StudioError) else exc
        if not isinstance(exc, QueueDamaged) and not (cause is not None and is_damage(cause)):
            raise
        # quick_check's rows can hold line breaks; the report is one line.
        detail = " ".join(str(exc if isinstance(exc, QueueDamaged) else cause).split())
    copy = backup_once(store)
    for name in (store.name, *(store.name + s for s in SIDECARS)):
        store.with_name(name).unlink(missing_ok=True)
    log.warning("the job queue %s was damaged (%s); %sa new empty queue started: queued "
                "jobs from the last session are lost", store, detail,
                f"it was copied to {copy.name} and " if copy else "")
    return _open_checked(store)


class QueueDamaged(StudioError):
    """``PRAGMA quick_check`` found the job queue damaged."""


def _open_checked(store: Path) -> sqlite3.Connection:
    existed = store.exists() and store.stat().st_size > 0
    conn = connect(str(store), "job queue")
    try:
        if existed:
            rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
            if rows != ["ok"]:
                raise QueueDamaged("; ".join(str(r) for r in rows[:3]))
        queue_migrations.migrate(conn, "job queue")
    except BaseException:
        conn.close()
        raise
    return conn


class Engine:
    """``backend`` is one backend (one slot) or a sequence of backends or ``Slot``s."""

    def __init__(
        self,
        host: PluginHost,
        library: Library,
        backend: Backend | Sequence[Backend | Slot],
        settings: Settings | None = None,
        store: Path | None = None,
        recorder: Recorder | None = None,
    ) -> None:
        self.host = host
        self.library = library
        self.slots = _as_slots(backend)
        # The first slot's backend does the in-process request checks (``prepare``).
        self.backend = self.slots[0].backend
        self.settings = settings or Settings()
        self.record: Recorder = recorder or (lambda *a, **k: None)
        self._jobs: dict[str, Job] = {}
        self._done_events: dict[str, threading.Event] = {}
        self._listeners: list[Listener] = []
        self._cv = threading.Condition()
        self._seq = 0.0
        self._db_lock = threading.Lock()
        self._stopping = False
        self._shut = False
        self._db = None
        if store is not None:
            self._db = open_queue(Path(store))
            self._restore()
        self._threads = [
            threading.Thread(target=self._loop, args=(slot,), daemon=True,
                             name="studio-engine" if i == 0 else f"studio-engine-{slot.name}")
            for i, slot in enumerate(self.slots)
        ]
        for thread in self._threads:
            thread.start()
        self._thread = self._threads[0]  # the first slot's (tests join it)

    # -- validation --------------------------------------------------------------

    def prepare(self, request: GenerationRequest) -> GenerationRequest:
        """Check a request against its generator's declared schema and fill in defaults.

        Raises ``StudioError`` with a one-line message naming the problem. Runs
        before any model loads and before anything is queued or written.
        """
        info = self.pick_generator(request)
        task = request.task or _task_for_inputs(info, set(request.inputs))
        if task not in info.tasks:
            raise RequestError(
                f"{info.id} cannot do task {task!r} (tasks: {', '.join(info.tasks)})"
            )
        _check_text("the prompt", request.prompt)
        params = info.params.resolve(request.params, task)
        if params.get("loras"):  # personal LoRAs by name (studio/app/personal_loras.py)
            from studio.app.personal_loras import resolve_names

            params["loras"] = resolve_names(params["loras"], self.library.root)
        for name, value in params.items():
            if isinstance(value, str):
                _check_text(name, value)
        seed = request.seed
        if seed is None:
            seed = random.randrange(2**32)
        elif isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise RequestError(f"seed must be a whole number from 0 to 2^63-1, got {seed!r}")
        inputs = self._check_inputs(info, task, request.inputs)
        parent = request.parent
        for value in request.inputs.values():
            if value.startswith(ARTIFACT_PREFIX) and parent is None:
                parent = value[len(ARTIFACT_PREFIX):]
        model = (request.model or self.settings.default_models.get(info.id, "")
                 or info.default_model)
        prepared = GenerationRequest(
            modality=info.modality, prompt=request.prompt, task=task, generator=info.id,
            model=model, params=params, seed=seed, inputs=inputs, parent=parent,
        )
        # The generator's own checks (LoRA files, sizes), where the backend can run them
        # cheaply in this process: bad input is refused here, not by a failed job.
        check = getattr(self.backend, "check", None)
        if check is not None:
            check(prepared)
        return prepared

    def pick_generator(self, request: GenerationRequest) -> GeneratorInfo:
        if request.generator:
            info = self.host.generator(request.generator)
            if request.modality and info.modality != request.modality:
                raise RequestError(f"generator {info.id} makes {info.modality}, "
                                   f"not {request.modality}")
            return info
        candidates = self.host.generators_for(request.modality)
        if not candidates:
            raise PluginError(
                f"no {request.modality} generator is available; "
                "see 'studio plugins list' for packs that failed or are disabled"
            )
        preferred = self.settings.default_generators.get(request.modality)
        ordered = sorted(candidates, key=lambda info: info.id != preferred)  # stable
        if request.model and len(candidates) > 1:
            for info in ordered:
                if self._serves(info, request.model):
                    return info
        return ordered[0]

    def _serves(self, info: GeneratorInfo, model: str) -> bool:
        """Whether ``info``'s own check says it runs ``model`` (False when it has none)."""
        if not info.serves:
            return False
        module_name, _, attr = info.serves.partition(":")
        try:
            return bool(getattr(importlib.import_module(module_name), attr)(model))
        except Exception:  # a pack's faulty check must not stop the choice of another
            log.debug("%s could not tell whether it serves %r", info.id, model,
                      exc_info=True)
            return False

    def _check_inputs(self, info: GeneratorInfo, task: str, inputs: dict) -> dict[str, str]:
        needed = tuple(info.task_inputs.get(task, ()))
        allowed = {role for roles in info.task_inputs.values() for role in roles}
        out: dict[str, str] = {}
        for role, value in inputs.items():
            if role not in allowed:
                raise RequestError(f"{info.id} takes no {role!r} input"
                                   + (f" (inputs: {', '.join(sorted(allowed))})" if allowed
                                      else ""))
            if role not in needed:
                # Silently ignoring it (a mask without an image ran plain txt2img) would
                # make something the user did not ask for.
                users = [t for t in info.tasks if role in info.task_inputs.get(t, ())]
                hint = "; ".join(
                    f"{t} takes {', '.join(info.task_inputs[t])}" for t in users
                )
                raise RequestError(f"task {task!r} takes no {role!r} input ({hint})")
            out[role] = self._resolve_input(role, value)
        missing = [r for r in needed if r not in out]
        if missing:
            raise RequestError(f"task {task!r} needs the input(s): {', '.join(missing)}")
        check_images(out)
        return out

    def _resolve_input(self, role: str, value: str) -> str:
        if value.startswith(ARTIFACT_PREFIX):
            art = self.library.get(value[len(ARTIFACT_PREFIX):])
            value = art.path
        path = Path(value).expanduser()
        if not path.is_file():
            raise RequestError(f"{role} input {value!r} does not exist or is not a file")
        if not os.access(path, os.R_OK):
            raise RequestError(f"{role} input {value!r} is not readable")
        return str(path.resolve())

    # -- queue -----------------------------------------------------------------------

    def submit(self, request: GenerationRequest, priority: int = 0) -> Job:
        prepared = self.prepare(request)
        # A damaged library refuses here, before the job runs and writes a file (issue #10).
        self.library.open()
        with self._cv:
            self._seq += 1
            job = Job(request=prepared, priority=priority, seq=self._seq)
            self._jobs[job.id] = job
            self._done_events[job.id] = threading.Event()
            self._save(job)
            self._cv.notify_all()
        self._emit(JobEvent("queued", job.id))
        return job

    def run(self, request: GenerationRequest, timeout: float | None = None) -> Job:
        """Submit and wait: the CLI's synchronous path."""
        job = self.submit(request)
        self.wait(job.id, timeout)
        return job

    def wait(self, job_id: str, timeout: float | None = None) -> Job:
        if not self._done_events[job_id].wait(timeout):
            raise TimeoutError(f"job {job_id} did not finish in {timeout} s")
        return self._jobs[job_id]

    def job(self, job_id: str) -> Job:
        return self._jobs[job_id]

    def jobs(self) -> list[Job]:
        with self._cv:
            return sorted(self._jobs.values(), key=lambda j: (j.state != RUNNING, j.created))

    def queued(self) -> list[Job]:
        with self._cv:
            return sorted((j for j in self._jobs.values() if j.state == QUEUED),
                          key=lambda j: (-j.priority, j.seq))

    def cancel(self, job_id: str) -> None:
        with self._cv:
            job = self._jobs[job_id]
            if job.state == QUEUED:
                self._finish(job, CANCELLED)
                return
            slot = self._slot_of(job) if job.state == RUNNING else None
        if slot is not None:
            slot.backend.cancel(job_id)

    def set_priority(self, job_id: str, priority: int) -> None:
        with self._cv:
            self._jobs[job_id].priority = priority
            self._save(self._jobs[job_id])
        self._emit(JobEvent("reordered", job_id))

    def move(self, job_id: str, index: int) -> None:
        """Place a queued job at ``index`` among the queued jobs of its priority."""
        with self._cv:
            job = self._jobs[job_id]
            peers = [j for j in self.queued() if j.priority == job.priority and j is not job]
            index = max(0, min(index, len(peers)))
            before = peers[index - 1].seq if index > 0 else (peers[0].seq - 2 if peers else 0)
            after = peers[index].seq if index < len(peers) else before + 2
            job.seq = (before + after) / 2
            self._save(job)
        self._emit(JobEvent("reordered", job_id))

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` for every job event (on the engine's or a job's thread)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def replace_slot(self, name: str, slots: Sequence[Slot]) -> None:
        """Put ``slots`` in place of the slot ``name`` (a placeholder while a cluster
        connects); queued jobs go to them. After ``shutdown`` they are shut down instead."""
        with self._cv:
            if self._shut:
                stale = list(slots)
            else:
                stale = []
                old = next(s for s in self.slots if s.name == name)
                old.retired = True
                self.slots = [s for s in self.slots if s is not old] + list(slots)
                self.backend = self.slots[0].backend
                for slot in slots:
                    thread = threading.Thread(target=self._loop, args=(slot,), daemon=True,
                                              name=f"studio-engine-{slot.name}")
                    self._threads.append(thread)
                    thread.start()
                self._cv.notify_all()
        for slot in stale:
            slot.backend.shutdown()

    def slot_status(self) -> list[dict]:
        """Each slot's name, device, node, loaded model, running job and health."""
        with self._cv:
            return [slot.status() for slot in self.slots]

    def shutdown(self, cancel_running: bool = True, timeout: float = 30.0) -> None:
        """Stop the slot threads, waiting at most ``timeout`` s for the running jobs.

        A second call does nothing, so a caller that shut down early (the CLI after
        abandoning a job) can still close the studio as usual.
        """
        with self._cv:
            if self._shut:
                return
            self._shut = True
            self._stopping = True
            running = [(slot, slot.job) for slot in self.slots if slot.job is not None]
            self._cv.notify_all()
        if cancel_running:
            for slot, job in running:
                slot.backend.cancel(job.id)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        for slot in self.slots:
            slot.backend.shutdown()
        if self._db is not None and not any(t.is_alive() for t in self._threads):
            self._db.close()

    # -- the slot threads ---------------------------------------------------------

    def _loop(self, slot: Slot) -> None:
        while True:
            with self._cv:
                job = None
                while not self._stopping and not slot.retired:
                    job = self._take(slot)
                    if job is not None:
                        break
                    self._cv.wait()
                if job is None:
                    return
                job.state, job.started, job.slot = RUNNING, time.time(), slot.name
                slot.job, slot.loaded = job, affinity(job)
                self._save(job)
            try:
                self._emit(JobEvent("started", job.id, slot=slot.name))
                self._execute(job)
            except BaseException:
                # Even a failure while finishing the job (the store gone, a fault) must
                # leave the engine running and release whoever waits for this job.
                log.error("the engine failed while finishing job %s", job.id, exc_info=True)
                if job.state not in FINISHED_STATES:
                    job.state, job.error = FAILED, "the studio failed while finishing this job"
                self._done_events[job.id].set()
            with self._cv:
                slot.job = None
                self._cv.notify_all()

    def _take(self, slot: Slot) -> Job | None:
        """The job the free ``slot`` runs next (under the lock); fails jobs no slot can run."""
        if not slot.healthy:
            return None
        queue = self.queued()
        # While a cluster connects (a ``starting`` slot), its jobs wait for it.
        for job in [] if any(s.starting for s in self.slots) else queue:
            reasons = [s.refusal(job.request) or ("" if s.healthy else f"{s.name} is down")
                       for s in self.slots]
            if all(reasons):
                self._finish(job, FAILED, "no execution slot can run this job: "
                             + "; ".join(dict.fromkeys(reasons)))
        job, passed = choose(slot, [j for j in queue if j.state == QUEUED], self.slots)
        if job is not None:
            for other in passed:
                other.passed_over += 1
        return job

    def _slot_of(self, job: Job) -> Slot:
        return next((s for s in self.slots if s.name == job.slot), self.slots[0])

    def _requeue(self, job: Job, reason: str) -> None:
        """Put a job whose slot was lost back in the queue, in its old place."""
        with self._cv:
            self._slot_of(job).loaded = None
            job.attempts += 1
            job.state, job.started, job.step, job.total = QUEUED, None, 0, 0
            job.error = reason
            self._save(job)
            self._cv.notify_all()
        log.warning("job %s lost its slot (%s); it runs again", job.id, reason)
        self._emit(JobEvent("requeued", job.id, error=reason, slot=job.slot))

    def _execute(self, job: Job) -> None:
        def emit(event: JobEvent) -> None:
            if event.kind == "progress":
                job.step, job.total = event.step or job.step, event.total or job.total
            self._emit(event if event.slot else replace(event, slot=job.slot))

        try:
            outputs = self._slot_of(job).backend.run(job.id, job.request, emit)
            if not outputs:
                raise PluginError(f"{job.request.generator} returned no outputs")
            self._emit(JobEvent("progress", job.id, step=job.step, total=job.total,
                                stage="saving", slot=job.slot))
            if outputs[0].kind == "lora":  # a trained LoRA is a model, not a library item
                from studio.app.personal_loras import store_lora

                store_lora(self.library.root, outputs[0], job.request)
            else:
                job.artifacts = self.library.add(
                    outputs, job.request, self.host.plugin_version(job.request.generator),
                    job.id)
        except Cancelled:
            if self._stopping:
                # Closing the studio is not the user cancelling this job: keep it visible
                # as interrupted so it can be run again.
                self._finish(job, INTERRUPTED, "the studio was closed while this job was running")
            else:
                self._finish(job, CANCELLED)
            return
        except SlotLost as exc:
            if job.attempts < self.settings.ray_retries and not self._stopping:
                self._requeue(job, str(exc))
            else:
                self._finish(job, FAILED, str(exc))
            return
        except StudioError as exc:
            self._finish(job, FAILED, str(exc))
            return
        except BaseException as exc:  # SystemExit from a plugin must not end this thread
            # The job's error is the user's one line; the traceback is for the debug log
            # (on the CLI's console it would follow every failed job).
            log.info("job %s failed: %s", job.id, _one_line(exc))
            log.debug("job %s failed", job.id, exc_info=True)
            self._finish(job, FAILED, _one_line(exc))
            return
        self._finish(job, DONE)

    def _finish(self, job: Job, state: str, error: str = "") -> None:
        job.state, job.error, job.finished = state, error, time.time()
        self._save(job)
        if state == DONE:
            self._record_generation(job)
        kind = {DONE: "done", FAILED: "failed", CANCELLED: "cancelled"}.get(state, state)
        self._emit(JobEvent(kind, job.id, step=job.step, total=job.total, error=error,
                            artifacts=tuple(job.artifacts), slot=job.slot))
        self._done_events[job.id].set()

    def _record_generation(self, job: Job) -> None:
        """Record the job's ``generate`` event; the files are saved whatever happens here.

        A failure (a full disk, a bug) is one warning line, its traceback only at debug
        level: the library keeps the rows in ``generate_pending``, so its next open
        records the event (or, once recorded, clears the rows without a second one).
        """
        req = job.request
        ids = [a.id for a in job.artifacts]
        try:
            fault_point("engine.before_record")
            self.record(
                "generate", modality=req.modality, task=req.task, prompt=req.prompt,
                params=dict(req.params), model=req.model, seed=req.seed,
                generator=req.generator, artifacts=ids, parent=req.parent, job_id=job.id,
            )
        except Exception as exc:
            log.warning("the history could not record this generation: %s; it will be "
                        "recorded next time", _one_line(exc))
            log.debug("job %s: recording its generate event failed", job.id, exc_info=True)
            return
        try:
            fault_point("engine.after_record")
            self.library.mark_recorded(ids)
        except Exception as exc:
            # The event is in; the rows stay pending and the next open clears them.
            log.warning("this generation was recorded but the library could not note it: "
                        "%s; the next start does", _one_line(exc))
            log.debug("job %s: marking its artifacts recorded failed", job.id, exc_info=True)

    def _emit(self, event: JobEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                # A broken subscriber (a closed window, a plugin) must not stop the engine.
                log.warning("job event listener failed", exc_info=True)

    # -- persistence -------------------------------------------------------------

    def _save(self, job: Job) -> None:
        if self._db is None:
            return
        with self._db_lock:  # slot threads finish their jobs at the same time
            self._db.execute(
                "INSERT OR REPLACE INTO jobs (id, request, priority, seq, state, error, "
                "created, finished) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (job.id, json.dumps(job.request.to_dict()), job.priority, job.seq, job.state,
                 job.error, job.created, job.finished),
            )

    def _restore(self) -> None:
        assert self._db is not None
        # Finished jobs live on in the library; keeping their requests here too would
        # only be a second copy of the user's prompts for `forget` to miss.
        self._db.execute("DELETE FROM jobs WHERE state IN (?, ?, ?)", (DONE, FAILED, CANCELLED))
        self._db.execute(
            "UPDATE jobs SET state = ?, error = ?, finished = ? WHERE state = ?",
            (INTERRUPTED, "the studio stopped while this job was running", time.time(),
             RUNNING),
        )
        rows = self._db.execute(
            "SELECT id, request, priority, seq, state, error, created, finished FROM jobs "
            "WHERE state IN (?, ?) ORDER BY seq", (QUEUED, INTERRUPTED)
        ).fetchall()
        for jid, req, priority, seq, state, error, created, finished in rows:
            job = Job(request=GenerationRequest.from_dict(json.loads(req)), id=jid,
                      priority=priority, seq=seq, state=state, error=error, created=created,
                      finished=finished)
            self._jobs[jid] = job
            done = threading.Event()
            if state in FINISHED_STATES:
                done.set()
            self._done_events[jid] = done
            self._seq = max(self._seq, seq)
        # Interrupted jobs are shown for this session (loaded above) and not carried on
        # into every later one.
        self._db.execute("DELETE FROM jobs WHERE state = ?", (INTERRUPTED,))

    def forget(self, job_id: str) -> None:
        """Drop one finished job from memory and the store (the queue's Remove).

        A queued job is cancelled first; a running one is refused, since its thread
        still reports on it.
        """
        with self._cv:
            job = self._jobs.get(job_id)
            if job is None:
                return
            if job.state == RUNNING:
                raise RequestError("a running job cannot be removed; cancel it first")
            if job.state == QUEUED:
                self._finish(job, CANCELLED)
            del self._jobs[job_id]
            del self._done_events[job_id]
            if self._db is not None:
                self._db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    def retry(self, job_id: str) -> Job:
        """Queue the same request again as a new job (same seed, model and inputs)."""
        return self.submit(self._jobs[job_id].request)

    def forget_finished(self) -> None:
        """Drop finished jobs from memory and the store (the library keeps the results)."""
        with self._cv:
            for jid in [j.id for j in self._jobs.values() if j.state in FINISHED_STATES]:
                del self._jobs[jid]
                del self._done_events[jid]
                if self._db is not None:
                    self._db.execute("DELETE FROM jobs WHERE id = ?", (jid,))


def _as_slots(backend: Backend | Sequence[Backend | Slot]) -> list[Slot]:
    items = list(backend) if isinstance(backend, (list, tuple)) else [backend]
    if not items:
        raise ValueError("the engine needs at least one backend")
    slots = [item if isinstance(item, Slot) else
             Slot(getattr(item, "slot_name", "") or ("local" if len(items) == 1
                                                     else f"slot-{i}"), item)
             for i, item in enumerate(items)]
    if len({s.name for s in slots}) != len(slots):
        raise ValueError("execution slots need distinct names")
    return slots


def _one_line(exc: BaseException) -> str:
    """A job's error line for an unexpected exception (its traceback goes to the log)."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    if isinstance(exc, SystemExit):
        return f"the generator called sys.exit({exc.code!r}) (a bug in the generator)"
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _check_text(what: str, text: str) -> None:
    """Refuse text that cannot be stored or tokenized: undecodable bytes from the command
    line arrive as lone surrogates (PEP 383) and would fail only after a model loaded."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = text[exc.start]
        byte = f"byte 0x{ord(bad) - 0xDC00:02x}" if 0xDC80 <= ord(bad) <= 0xDCFF else \
            f"character U+{ord(bad):04X}"
        raise RequestError(f"{what} is not valid UTF-8 text ({byte} at position "
                           f"{exc.start}); save or type it as UTF-8") from None


#: Input roles that hold pictures, checked with PIL before a job is queued.
IMAGE_ROLES = frozenset({"image", "mask", "control_image", "init_image"})


def check_images(inputs: dict[str, str]) -> None:
    """Refuse image inputs that are not images, and a mask of another size than its image.

    Reads headers only (PIL's ``verify``): cheap, and no torch in this process.
    """
    from PIL import Image, UnidentifiedImageError

    sizes: dict[str, tuple[int, int]] = {}
    for role, path in inputs.items():
        if role not in IMAGE_ROLES:
            continue
        try:
            with Image.open(path) as im:
                sizes[role] = im.size
                im.verify()
        except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise RequestError(f"{role} input {path!r} is not a readable image "
                               f"({reason})") from None
        except Image.DecompressionBombError as exc:
            raise RequestError(f"{role} input {path!r} is too large an image: {exc}") from None
    if "image" in sizes and "mask" in sizes and sizes["image"] != sizes["mask"]:
        (iw, ih), (mw, mh) = sizes["image"], sizes["mask"]
        raise RequestError(f"the mask is {mw}x{mh} but the input image is {iw}x{ih}; "
                           "a mask must have the size of its image")


def _task_for_inputs(info: GeneratorInfo, roles: set[str]) -> str:
    """The first task whose declared inputs are exactly the given ones (txt2img vs img2img)."""
    for task in info.tasks:
        if set(info.task_inputs.get(task, ())) == roles:
            return task
    return info.tasks[0]
