"""Running a batch: its entries through the engine, each outcome in a journal to resume by.

The journal is ``<data>/batches/<sha256 of the file's content>.jsonl``: one JSON
record per line, appended with one ``write`` and an fsync, so a process killed at any
point leaves every finished record whole (at worst a torn last line, which the
next run cuts off). An entry is known by its key (index + hash of its request fields); its last
record says ``done`` (with its job and artifact ids) or ``failed`` (with the error).
A rerun of the same file skips the entries done and retries the rest.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.api import GenerationRequest
from studio.app.batch_files import Entry
from studio.app.jobs import CANCELLED, DONE, FINISHED_STATES
from studio.app.paths import private_dir
from studio.app.settings import write_atomic

log = logging.getLogger(__name__)

#: How often the run looks at its jobs when no event woke it (an event can be missed
#: only by a job that ended without one, which the engine allows on its own faults).
POLL_S = 0.25


class Journal:
    """The append-only record of a batch's finished entries (module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records: dict[str, dict[str, Any]] = {}
        #: One line for the user when the journal was damaged (and backed up), else "".
        self.warning = ""

    @classmethod
    def open(cls, root: Path, content: bytes, source: str, entries: int,
             restart: bool = False) -> Journal:
        """The journal of a file with this content; ``restart`` begins an empty one."""
        digest = hashlib.sha256(content).hexdigest()
        journal = cls(private_dir(root / "batches") / f"{digest}.jsonl")
        if restart or not journal.path.exists():
            header = {"batch": source, "sha256": digest, "entries": entries,
                      "created": time.time()}
            write_atomic(journal.path, _line(header))
        else:
            journal._read()
        return journal

    def _read(self) -> None:
        data = self.path.read_bytes()
        lines = data.split(b"\n")
        # The last piece is "" after a final newline, or a record cut short by a kill:
        # cut off, so the next record starts a line of its own and the fragment is not
        # taken for damage later.
        if lines[-1]:
            os.truncate(self.path, len(data) - len(lines[-1]))
        bad = 0
        for raw in lines[:-1]:
            try:
                record = json.loads(raw)
            except ValueError:
                bad += 1
                continue
            if isinstance(record, dict) and isinstance(record.get("key"), str):
                self.records[record["key"]] = record
        if bad:
            backup = self.path.with_name(self.path.name + ".damaged")
            if not backup.exists():  # backed up once, not on every rerun
                shutil.copy2(self.path, backup)
            self.warning = (f"the batch journal {self.path} has {bad} unreadable "
                            f"line(s), copied to {backup}; their entries run again")

    def done(self, entry: Entry) -> dict[str, Any] | None:
        record = self.records.get(entry.key)
        return record if record is not None and record.get("state") == DONE else None

    def append(self, record: dict[str, Any]) -> None:
        data = _line(record)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if "key" in record:
            self.records[record["key"]] = record


def _line(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode()


@dataclass
class Outcome:
    """What became of one entry in this run (or an earlier one: ``earlier``)."""

    entry: Entry
    state: str  # done, failed, cancelled, interrupted
    job_id: str = ""
    error: str = ""
    artifact_ids: list[str] = field(default_factory=list)
    artifacts: list[Any] = field(default_factory=list)  # library records, this run's
    earlier: bool = False


@dataclass
class Progress:
    total: int
    done: int = 0
    failed: int = 0
    cancelled: int = 0  # by ``stop``: not failures, they run on the next try
    earlier: int = 0  # done in an earlier run
    started: float = field(default_factory=time.monotonic)
    finished_now: int = 0
    last_finished: float = 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at this run's pace so far, or None before a job has finished.

        Counted down from the last finished job, so it falls while a job runs rather
        than growing until the next one ends.
        """
        left = self.total - self.done - self.failed - self.cancelled
        if not self.finished_now or left <= 0:
            return None
        per_job = (self.last_finished - self.started) / self.finished_now
        return max(0.0, per_job * left - (time.monotonic() - self.last_finished))


class BatchRun:
    """Queues a batch's pending entries at once and journals each as it finishes.

    ``on_outcome(outcome, progress)`` is called on the calling thread for each entry
    that finishes; ``on_tick(progress)`` every ``POLL_S`` or so, to redraw a bar.
    """

    def __init__(self, engine: Any, entries: list[Entry], requests: list[GenerationRequest],
                 journal: Journal,
                 on_outcome: Callable[[Outcome, Progress], None] | None = None,
                 on_tick: Callable[[Progress], None] | None = None) -> None:
        self.engine = engine
        self.entries = entries
        self.requests = requests
        self.journal = journal
        self.on_outcome = on_outcome
        self.on_tick = on_tick
        self.outcomes: dict[int, Outcome] = {}
        self.progress = Progress(total=len(entries))
        self._pending: dict[str, Entry] = {}
        self._events: queue.SimpleQueue[str] = queue.SimpleQueue()
        for entry in entries:
            record = journal.done(entry)
            if record is not None:
                self.outcomes[entry.index] = Outcome(
                    entry, DONE, record.get("job", ""),
                    artifact_ids=list(record.get("artifacts", [])), earlier=True)
        self.progress.earlier = self.progress.done = len(self.outcomes)

    def run(self) -> None:
        """Queue what is left and wait for all of it. A ``KeyboardInterrupt`` leaves the
        jobs as they are: call ``stop`` to cancel them and journal what finished."""
        unsubscribe = self.engine.subscribe(self._on_event)
        try:
            for entry in self.entries:
                if entry.index in self.outcomes:
                    continue
                job = self.engine.submit(self.requests[entry.index])
                self._pending[job.id] = entry
            while self._pending:
                self._collect(self._wait_event())
                if self.on_tick is not None:
                    self.on_tick(self.progress)
        finally:
            unsubscribe()

    def stop(self, grace: float) -> bool:
        """Cancel the batch's unfinished jobs and wait up to ``grace`` s for the running
        ones to stop, journaling what finished meanwhile. False: some did not stop."""
        for job_id in list(self._pending):
            try:
                self.engine.cancel(job_id)
            except KeyError:
                pass  # not the engine's any more
        deadline = time.monotonic() + grace
        while self._pending and time.monotonic() < deadline:
            self._collect(self._wait_event(min(POLL_S, max(0.0, deadline - time.monotonic()))))
        return not self._pending

    def _on_event(self, event: Any) -> None:  # on the engine's threads
        if event.kind in ("done", "failed", "cancelled", "interrupted"):
            self._events.put(event.job_id)

    def _wait_event(self, timeout: float = POLL_S) -> str | None:
        try:
            return self._events.get(timeout=timeout)
        except queue.Empty:
            return None

    def _collect(self, woken_by: str | None) -> None:
        ids = [woken_by] if woken_by in self._pending else list(self._pending)
        while True:  # the rest of what arrived meanwhile
            try:
                job_id = self._events.get_nowait()
            except queue.Empty:
                break
            if job_id in self._pending and job_id not in ids:
                ids.append(job_id)
        for job_id in ids:
            job = self.engine.job(job_id)
            if job.state in FINISHED_STATES:
                self._finish(job, self._pending.pop(job_id))

    def _finish(self, job: Any, entry: Entry) -> None:
        outcome = Outcome(entry, job.state, job.id, job.error)
        if job.state == DONE:
            outcome.artifacts = list(job.artifacts)
            outcome.artifact_ids = [a.id for a in job.artifacts]
            self.progress.done += 1
            self.journal.append({"key": entry.key, "index": entry.index, "line": entry.line,
                                 "state": DONE, "job": job.id,
                                 "artifacts": outcome.artifact_ids})
        else:
            if job.state == CANCELLED:
                self.progress.cancelled += 1
            else:
                self.progress.failed += 1
            # A cancel or interruption is journaled too: it runs again like a failure.
            self.journal.append({"key": entry.key, "index": entry.index, "line": entry.line,
                                 "state": job.state, "job": job.id, "error": job.error})
        self.progress.finished_now += 1
        self.progress.last_finished = time.monotonic()
        self.outcomes[entry.index] = outcome
        if self.on_outcome is not None:
            self.on_outcome(outcome, self.progress)
