"""The composition root: one object that wires settings, plugins, library and engine.

The CLI and the GUI both build a ``Studio``; nothing else constructs services, so
there is exactly one path from a request to a stored artifact.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.api import StudioError
from studio.app.paths import data_dir, open_data_dir, private_dir
from studio.app.settings import Settings

if TYPE_CHECKING:
    from studio.app.history import EventLog, Profile
    from studio.app.plugins import PluginHost

log = logging.getLogger(__name__)

#: Set to 1 to run a session that records nothing (docs/privacy.md).
ENV_INCOGNITO = "STUDIO_INCOGNITO"


class Studio:
    def __init__(self, root: Path | None = None, backend: str | None = None,
                 incognito: bool | None = None, passphrase: str | None = None,
                 persist_queue: bool | None = None) -> None:
        # Private (700) and tightened if an older Studio left it open (issue #10).
        self.root = open_data_dir(Path(root)) if root else data_dir()
        self.settings = Settings.load(self.settings_path)
        self._backend_kind = backend or self.settings.engine_backend
        # The window keeps its queue across restarts; a one-shot CLI run has none to keep.
        self._persist_queue = (self._backend_kind == "process" if persist_queue is None
                               else persist_queue)
        if incognito is None:
            incognito = os.environ.get(ENV_INCOGNITO, "").lower() in ("1", "true", "yes", "on")
        self.incognito = incognito
        self._passphrase = passphrase
        self._history_error: StudioError | None = None
        # Jobs the app runs for itself (suggestion expansions): not user actions, so
        # the engine's "generate" record of them is dropped (``submit_quietly``).
        self._quiet_jobs: set[str] = set()
        self._quiet_lock = threading.Lock()
        #: Why the Ray cluster was not used (``studio cluster status`` shows it); "" if it was.
        self.cluster_problem = ""
        self.cluster_thread: threading.Thread | None = None

    @property
    def settings_path(self) -> Path:
        return self.root / "settings.json"

    def save_settings(self) -> None:
        self.settings.save(self.settings_path)

    @cached_property
    def plugins(self) -> PluginHost:
        # Imported here: the window paints before any pack is discovered (pluggy and
        # the host cost about 12 ms of the start-up, bench/ui_start.py).
        from studio.app.plugins import PluginHost

        host = PluginHost(disabled=self.settings.disabled_plugins)
        host.discover()
        return host

    # -- history and profile (docs/privacy.md) -----------------------------------

    @property
    def recording(self) -> bool:
        """Whether user actions are being recorded now (not paused, not incognito)."""
        return self.settings.recording and not self.incognito

    def record(self, kind: str, **fields: Any) -> None:
        """Append a user action to the history (the one place actions arrive)."""
        if not self.recording or self._history_error is not None:
            return
        if fields.get("job_id") is not None and self._quiet_jobs:
            with self._quiet_lock:  # waits for submit_quietly to name its job
                if fields["job_id"] in self._quiet_jobs:
                    self._quiet_jobs.discard(fields["job_id"])
                    return
        try:
            history = self.history
        except StudioError as exc:
            # Damaged, newer or locked: it was backed up and is reported by `studio
            # profile`; stop recording for this session rather than retry (and back up
            # again) on every click.
            self._history_error = exc
            log.warning("history recording is off for this session: %s", exc)
            return
        try:
            history.append(kind, **fields)
        except StudioError as exc:
            # Losing one history entry must not fail the generation or the click that
            # caused it; a damaged or locked history is reported by `studio profile`.
            log.warning("history: %s was not recorded: %s", kind, exc)

    def record_many(self, kind: str, items: list[dict[str, Any]]) -> int:
        """Append several actions of one kind in one transaction (a folder import).

        Returns how many were stored: 0 while recording is off, or when the history
        refused them (logged; the caller keeps what it needs to try again).
        """
        if not items or not self.recording or self._history_error is not None:
            return 0
        try:
            history = self.history
        except StudioError as exc:
            self._history_error = exc
            log.warning("history recording is off for this session: %s", exc)
            return 0
        try:
            return len(history.append_many([{"type": kind, **f} for f in items]))
        except StudioError as exc:
            log.warning("history: %d %s events were not recorded: %s", len(items), kind, exc)
            return 0

    @cached_property
    def history(self) -> EventLog:
        from studio.app.history import HISTORY_FILE, EventLog
        from studio.app.history.crypto import ENV_PASSPHRASE

        passphrase = self._passphrase or os.environ.get(ENV_PASSPHRASE) or None
        log = EventLog(self.root / HISTORY_FILE, passphrase=passphrase)
        # Files derived from the history outside it (the suggestions') go when it
        # forgets, whether or not this process has the suggestions open.
        log.subscribe_forget(lambda: self._forget_derived(everything=log.count() == 0))
        return log

    def _forget_derived(self, everything: bool) -> None:
        from studio.app.suggest.service import forget_files

        forget_files(self.root, everything)

    @cached_property
    def profile(self) -> Profile:
        from studio.app.history import Profile

        return Profile.open(self.history, half_life_days=self.settings.half_life_days)

    def set_recording(self, on: bool) -> None:
        """Pause or resume recording; persisted in the settings."""
        self.settings.recording = on
        self.save_settings()

    @cached_property
    def library(self):  # type: ignore[no-untyped-def]
        from studio.app.library import Library

        return Library(self.root, recorder=self.record, will_record=self._will_record,
                       job_recorded=self._job_recorded)

    def _will_record(self, job_id: str) -> bool:
        """Whether the job's generate event is to be recorded (the library waits for it).

        No lock: a quiet job named a moment late is still cleared by the engine, which
        marks the rows recorded whether or not ``record`` kept the event.
        """
        return self.recording and job_id not in self._quiet_jobs

    def _job_recorded(self, job_id: str) -> bool:
        """Whether the history holds the job's generate event (raises if unreadable)."""
        if self._history_error is not None:
            raise self._history_error
        return any(e.get("job_id") == job_id for e in self.history.events(types=["generate"]))

    @cached_property
    def engine(self):  # type: ignore[no-untyped-def]
        from studio.app.engine import Engine

        engine = Engine(
            self.plugins, self.library, self._make_backend(), self.settings,
            store=self.root / "queue.sqlite" if self._persist_queue else None,
            recorder=self.record,
        )
        if engine.slots[0].starting:
            # The window's engine is built on the GUI thread: Ray connects (seconds, a
            # minute for a cold cluster) on a thread while queued jobs wait for it.
            self.cluster_thread = threading.Thread(
                target=self._connect_later, args=(engine,), name="studio-ray-connect",
                daemon=True)
            self.cluster_thread.start()
        return engine

    def _make_backend(self):  # type: ignore[no-untyped-def]
        """The engine's slots: a Ray cluster's actors when ``backend`` is ray and it
        connects, else one thread or worker process per local device (``devices``).

        The window (the worker-process backend) starts with a placeholder slot and
        connects on a thread (``_connect_later``); the command line connects now.
        """
        settings = self.run_settings()
        if settings.backend == "ray":
            if self._backend_kind == "process":
                from studio.app.slots import Connecting, Slot

                return [Slot("ray", Connecting(settings.ray_address or "a local Ray"))]
            try:
                return self._connect(settings)
            except StudioError:
                pass
        return self._local_slots()

    def _connect(self, settings: Settings):  # type: ignore[no-untyped-def]
        from studio.app.ray_backend import connect_slots

        try:
            return connect_slots(self.root, settings, self.plugins)
        except StudioError as exc:
            # One line; the local backend keeps working and no job is lost.
            self.cluster_problem = str(exc)
            log.warning("%s; jobs run on this machine instead", exc)
            raise

    def _connect_later(self, engine) -> None:  # type: ignore[no-untyped-def]
        try:
            slots = self._connect(self.run_settings())
        except StudioError:
            slots = self._local_slots()
        except Exception as exc:  # a bug must not leave the queue waiting for ever
            log.error("connecting to Ray failed", exc_info=True)
            self.cluster_problem = f"connecting to Ray failed: {exc}"
            slots = self._local_slots()
        from studio.app.slots import Slot

        if not isinstance(slots, list):
            slots = [Slot("local", slots)]
        engine.replace_slot("ray", slots)

    def run_settings(self) -> Settings:
        """The settings with the ``STUDIO_BACKEND``/``STUDIO_RAY_*`` variables applied."""
        from dataclasses import replace

        from studio.app.settings import apply_environment

        try:
            return apply_environment(replace(self.settings))
        except StudioError as exc:
            log.warning("%s; the variable is ignored", exc)
            return self.settings

    def _local_slots(self):  # type: ignore[no-untyped-def]
        from dataclasses import replace

        from studio.app.slots import Slot, local_devices, pinned

        devices = local_devices(self.settings.device, self.settings.devices)
        if self._backend_kind == "process":
            from studio.app.worker_process import ProcessBackend

            if not devices:
                return ProcessBackend(self.root, self.settings)
            slots = []
            for device in devices:
                env, named = pinned(device)
                slots.append(Slot(device, ProcessBackend(
                    self.root, replace(self.settings, device=named), env=env,
                    slot_name=device), device=device))
            return slots
        from studio.app.backends import ThreadBackend
        from studio.app.runner import Runner

        cache = private_dir(self.root / "cache")
        if not devices:
            return ThreadBackend(Runner(self.plugins, self.settings, cache_dir=cache))
        # In one process each runner is given its device by name.
        return [Slot(device, ThreadBackend(Runner(
            self.plugins, replace(self.settings, device=device), cache_dir=cache)),
            device=device) for device in devices]

    def submit_quietly(self, request: Any) -> Any:
        """Submit a job the app runs for itself (a suggestion's model expansion).

        Its result goes to the library like any other, but it is not recorded in
        the history: the user did not ask for it, and the profile and suggestions
        must not learn from it as if they had.
        """
        # The lock spans submit and naming the job, so a job that finishes at once
        # cannot be recorded before it is known to be quiet (record() waits on it).
        with self._quiet_lock:
            job = self.engine.submit(request)
            self._quiet_jobs.add(job.id)
        return job

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.shutdown()
        if "suggestions" in self.__dict__:
            # After the engine (no more events), before the history closes.
            self.suggestions.close()
        if "library" in self.__dict__:
            self.library.close()
        if "profile" in self.__dict__:
            self.profile.save()
            self.profile.close()
        if "history" in self.__dict__:
            self.history.close()

    # -- suggestions (studio/app/suggest) -----------------------------------------

    @cached_property
    def suggestions(self):  # type: ignore[no-untyped-def]
        """The suggestion engine, built from the history and following it."""
        from studio.app.suggest.service import open_suggester

        return open_suggester(self)
