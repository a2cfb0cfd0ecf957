"""Wiring the suggestion engine into a ``Studio``: history in, recorder out.

Kept out of ``studio.py`` so the composition root stays a list of properties.
The history is optional: when it cannot be opened (locked, encrypted without
the passphrase) the sidebar still works from the catalogue (cold start).

Start-up follows the profile's pattern (``Profile.open``): load the snapshot of
the engine's derived state (``snapshot.py``), observe only the events newer than
the last one it covers, then follow the log. The snapshot is saved on close,
after a rebuild or a long catch-up, and every ``SAVE_EVERY`` followed events.
Before each save the history is asked whether another process forgot events
meanwhile (``EventLog.refresh``); if so the state is rebuilt, not saved as it was.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from studio.api import StudioError
from studio.app.suggest import snapshot
from studio.app.suggest.catalogue import load_catalogue
from studio.app.suggest.suggester import Suggester

log = logging.getLogger(__name__)

WEIGHTS_FILE = "suggest_weights.json"
#: Save the snapshot once this many events were observed since the last save, so
#: a crash after a long import or a long session does not cost a full rebuild.
SAVE_EVERY = 10_000


def open_suggester(studio: Any) -> Suggester:
    """A ``Suggester`` built from ``studio``'s history and kept up to date with it."""
    catalogue = load_catalogue()
    if "plugins" in studio.__dict__:  # never discover plugins just for the styles
        catalogue = catalogue.with_styles(studio.plugins.styles)
    expander = EngineExpander(studio) if studio.settings.suggest_expansions else None
    suggester = Suggester(catalogue, recorder=studio.record, store=studio.root / WEIGHTS_FILE,
                          expander=expander)
    try:
        history = studio.history
        feed = HistoryFeed(suggester, history, studio.root / snapshot.SNAPSHOT_FILE)
        feed.open()
        suggester.detach = feed.close
    except Exception as exc:
        # The history is the profile engineer's: whatever stops it must only cost
        # the suggestions their personal part.
        log.warning("suggestions start without history: %s", exc)
    return suggester


def forget_files(root: Path, everything: bool) -> list[Path]:
    """Delete the suggestion files derived from the history in data folder ``root``.

    The snapshot holds prompts, so it goes whenever the history forgets anything
    (it is rebuilt on the next start). The ranker's weights hold no text, but
    they were learned from the history: they go when it was erased (``everything``).
    Returns the files removed. Called by ``Studio`` on every forget, whether or
    not the suggestions are open in this process.
    """
    names = [snapshot.SNAPSHOT_FILE, *([WEIGHTS_FILE] if everything else [])]
    removed = []
    for name in names:
        path = Path(root) / name
        for p in (path, path.with_suffix(path.suffix + ".tmp")):
            try:
                p.unlink()
                removed.append(p)
            except FileNotFoundError:
                pass
    return removed


class HistoryFeed:
    """Keeps one ``Suggester`` in step with one ``EventLog``, through a snapshot.

    Thread-safety: the log notifies from whichever thread appended (the engine's,
    an import); events that arrive while ``open`` is still reading are queued and
    observed after it, in id order, each exactly once (by event id).
    """

    def __init__(self, suggester: Suggester, history: Any, path: Path) -> None:
        self.suggester = suggester
        self.history = history
        self.path = Path(path)
        self.last_id = 0  # the newest log event observed
        self.events = 0  # how many log events with id <= last_id were observed
        self.first: tuple[int, float] | None = None  # the oldest event's (id, ts)
        self._since_save = 0
        self._lock = threading.RLock()  # held while observing, rebuilding, saving
        # Events that arrive while ``open`` reads the log wait here rather than block
        # the appending thread (the engine's) for the length of a rebuild.
        self._queue: list[Any] | None = None
        self._queue_lock = threading.Lock()
        self._dispose: list[Callable[[], None]] = []

    # -- opening -------------------------------------------------------------------

    def open(self) -> None:
        """Load the snapshot (or rebuild), catch up, and follow the log from now on."""
        self._queue = []
        self._dispose.append(self.history.subscribe(self._on_event))
        self._dispose.append(self.history.subscribe_forget(self._on_forget))
        try:
            observed = self._load()
            if observed is None:
                self._rebuild()
                observed = SAVE_EVERY  # a rebuild is worth keeping at once
        except BaseException:
            self._stop()
            raise
        finally:
            with self._lock:
                with self._queue_lock:
                    queued, self._queue = self._queue or [], None
                for event in queued:
                    self._observe(event)
        if observed + len(queued) >= SAVE_EVERY:
            self.save()

    def _load(self) -> int | None:
        """Load the snapshot and observe what is newer; the count, or None to rebuild."""
        cipher = getattr(self.history, "cipher", None)
        try:
            with snapshot.paused_gc():
                snap = snapshot.read(self.path, cipher)
        except snapshot.SnapshotError as exc:
            (log.info if exc.stale else log.warning)(
                "suggestion snapshot %s ignored (%s); rebuilding from the history",
                self.path, exc)
            return None
        if snap is None:
            return None
        why = self._mismatch(snap)
        if why is None:
            new, why = self._newer(snap)
        if why is not None:
            log.info("suggestion snapshot ignored (%s); rebuilding from the history", why)
            return None
        try:
            with snapshot.paused_gc():
                self.suggester.import_state(snap.suggester)
        except Exception as exc:
            log.warning("suggestion snapshot %s is damaged (%r); rebuilding from the history",
                        self.path, exc)
            return None
        with self._lock:
            self.last_id, self.events, self.first = snap.last_id, snap.events, snap.first
            for event in new:
                self._observe(event)
        return len(new)

    def _mismatch(self, snap: snapshot.Snapshot) -> str | None:
        if snap.catalogue != self.suggester.catalogue.fingerprint:
            return "built with another style catalogue"
        if snap.last_id > self.history.last_id():
            return "ahead of the history (events were forgotten)"
        first = next(iter(self.history.events()), None)
        if ((first.id, first.ts) if first else None) != snap.first:
            return "the history was erased or replaced since"
        return None

    def _newer(self, snap: snapshot.Snapshot) -> tuple[list[Any], str | None]:
        # The log must still hold exactly the events the snapshot covers: a count
        # that differs means some were forgotten (by another process) since. Two
        # counts around the read tell a concurrent append from a real difference.
        for _ in range(3):
            before = self.history.count()
            new = list(self.history.events(since_id=snap.last_id))
            if self.history.count() == before:
                if before - len(new) != snap.events:
                    return [], "events it covers were forgotten since"
                return new, None
        return [], "the history kept changing while it was read"

    def _rebuild(self) -> None:
        # From the prior weights, not the weights file: those already learned from
        # the recorded feedback this replays (the snapshot holds weights that match
        # its last event, which is what makes a catch-up count each once).
        with self._lock:
            self.last_id, self.events, self.first, self._since_save = 0, 0, None, 0
            self.suggester.rebuild((), reset_weights=True)
            for event in self.history.events():
                self._observe(event)

    # -- following -----------------------------------------------------------------

    def _on_event(self, event: Any) -> None:
        with self._queue_lock:
            if self._queue is not None:
                self._queue.append(event)
                return
        with self._lock:
            self._observe(event)
            due = self._since_save >= SAVE_EVERY
        if due:
            self.save()

    def _observe(self, event: Any) -> None:
        if event.id <= self.last_id:
            return  # seen already (snapshot + catch-up overlap, a queued duplicate)
        self.suggester.observe(event.to_dict())
        if self.first is None:
            self.first = (event.id, event.ts)
        self.last_id = event.id
        self.events += 1
        self._since_save += 1

    def _on_forget(self) -> None:
        # Events were erased: what was derived from them (statistics, weights, cached
        # expansions) must go. Rebuild from what is left; Studio deletes the files,
        # and the fresh state is saved on close.
        self._rebuild()

    # -- saving --------------------------------------------------------------------

    def save(self) -> None:
        """Write the snapshot (the state is read under the engine's lock, then written).

        A forget done by another process since is followed first (``_on_forget``
        rebuilds from the current log), so the file never brings back erased prompts.
        """
        refresh = getattr(self.history, "refresh", None)
        try:
            if refresh is not None and refresh() and not self._dispose:
                self._rebuild()  # no longer subscribed, so ``_on_forget`` was not called
        except StudioError as exc:
            # Encrypted by another process without our passphrase: what this process
            # holds must not be written beside it in clear.
            log.warning("suggestion snapshot not saved: %s", exc)
            return
        with self._lock:
            snap = snapshot.Snapshot(self.last_id, self.events, self.first,
                                     self.suggester.catalogue.fingerprint,
                                     self.suggester.export_state())
            self._since_save = 0
            try:
                snapshot.write(self.path, snap, getattr(self.history, "cipher", None))
            except OSError:
                log.warning("could not save the suggestion snapshot to %s", self.path,
                            exc_info=True)
        store = self.suggester.store
        if store is not None:
            try:
                self.suggester.ranker.save(store)
            except OSError:
                log.warning("could not save suggestion weights to %s", store, exc_info=True)

    def close(self) -> None:
        """Stop following the log and save the snapshot."""
        self._stop()
        self.save()

    def _stop(self) -> None:
        for dispose in self._dispose:
            dispose()
        self._dispose.clear()


class EngineExpander:
    """``submit(request)`` for ``ExpansionSource``: runs an expansion on ``studio.engine``.

    Returns None (nothing submitted; asked again on a later refresh) until the
    engine runs: a one-shot ``studio suggest`` would start a model and exit before
    it answered, so only a session that already runs jobs (the GUI) pays for
    expansions. The job goes to a generator that declares the ``expand`` task and
    is not recorded in the history (``Studio.submit_quietly``): it is the app's
    doing, not the user's.
    """

    def __init__(self, studio: Any) -> None:
        self.studio = studio

    def generator(self) -> str | None:
        """The text generator to expand with: the default text one if it can, else any."""
        able = [g.id for g in self.studio.plugins.generators_for("text") if "expand" in g.tasks]
        preferred = self.studio.settings.default_generators.get("text")
        return preferred if preferred in able else (able[0] if able else None)

    def __call__(self, request: Any) -> _JobResult | None:
        if "engine" not in self.studio.__dict__:
            return None
        generator = self.generator()
        if generator is None:
            return None
        job = self.studio.submit_quietly(request.replace(generator=generator))
        return _JobResult(job)


class _JobResult:
    """A finished-or-not view of an engine job, shaped like a ``Future`` (no waiting)."""

    def __init__(self, job: Any) -> None:
        self.job = job

    def done(self) -> bool:
        from studio.app.jobs import FINISHED_STATES

        return self.job.state in FINISHED_STATES

    def result(self) -> str:
        from studio.app.jobs import DONE

        if self.job.state != DONE:
            raise RuntimeError(f"expansion job {self.job.id} {self.job.state}: {self.job.error}")
        texts = [a.text for a in self.job.artifacts if getattr(a, "text", None)]
        return texts[0] if texts else ""
