"""The event log: every user action, append-only, in ``<data>/history.sqlite``.

It is the single source of truth for personalization: the profile, its embedding
cache and the suggestions are derived from it and can be rebuilt from it. The
derived tables live in the same file so that "forget" has one place to erase.

Durability: WAL mode and one transaction per ``append`` (or per ``append_many``
batch), so a crash loses at most the event being written. A damaged database, or
one written by a newer Studio, is copied aside and reported, never reset; the copy
is made once per damaged state (``history.sqlite.damage.json`` remembers it), not
on every start. A zero-byte file is damage too. A folder or file that cannot be
written is reported as such: it is not damage, and nothing is copied or moved.

Several processes may hold the log open (the window, a ``studio profile`` command).
A forget in one must not be undone by another that still holds the forgotten texts
in memory: every forget bumps ``forget_epoch`` in the ``meta`` table (an erase
marks the old file ``retired`` before it is replaced). Each write checks the epoch
inside its own transaction; a process that finds it changed reopens the log, tells
its forget listeners (who drop derived state unsaved and rebuild) and writes
to the current log. ``refresh()`` does the same check outside a write.

Fault points (studio.app.faults): ``history.batch.after_events`` (in the batch's
transaction, events inserted, its meta not yet), ``history.batch.before_commit``
(all inserted, not committed), ``history.erase.after_delete`` (rows deleted and the
file retired, not yet replaced).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from studio.api import StudioError
from studio.app.faults import fault_point
from studio.app.history.crypto import Cipher, plain_text_hash
from studio.app.history.events import (
    Event,
    EventError,
    check_ts,
    clamp_ts,
    encode_payload,
    validate,
)
from studio.app.migrations import Migrations, NewerDatabase, connect
from studio.app.paths import private_dir
from studio.app.prompts import words
from studio.app.settings import write_atomic

log = logging.getLogger(__name__)

migrations = Migrations()
HISTORY_FILE = "history.sqlite"
_SIDECARS = ("-wal", "-shm", "-journal")
_CHUNK = 2000
#: Next to the history: which damaged state was already copied, and where to.
DAMAGE_MARKER = ".damage.json"
#: How long a writer waits for an erasing process to put the new file in place.
REPLACE_WAIT_S = 10.0
# SQLite primary result codes that say "cannot write here", "busy" or "disk trouble":
# none of them means the file is damaged, so none of them backs anything up.
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_AUTH = 10, 13, 14, 23


@migrations
def m001_events(conn: sqlite3.Connection) -> None:
    # AUTOINCREMENT: ids are never reused after "forget", so a reader's since_id stays valid.
    conn.execute(
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            ts REAL NOT NULL,
            type TEXT NOT NULL,
            session TEXT NOT NULL,
            project TEXT,
            enc INTEGER NOT NULL DEFAULT 0,
            payload NOT NULL
        )"""
    )
    conn.execute("CREATE INDEX events_type ON events(type, id)")
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@migrations
def m002_derived(conn: sqlite3.Connection) -> None:
    # Derived data: erased with the log, rebuilt from it.
    conn.execute(
        "CREATE TABLE embeddings (hash TEXT PRIMARY KEY, model TEXT NOT NULL, "
        "enc INTEGER NOT NULL DEFAULT 0, vector BLOB NOT NULL)"
    )
    conn.execute(
        "CREATE TABLE profile_state (id INTEGER PRIMARY KEY CHECK (id = 1), "
        "version INTEGER NOT NULL, last_id INTEGER NOT NULL, enc INTEGER NOT NULL DEFAULT 0, "
        "state BLOB NOT NULL)"
    )


class HistoryDamaged(StudioError):
    """The history database cannot be read; a copy was kept for the user."""


class HistoryUnwritable(StudioError):
    """The history's folder or file cannot be written (read-only, locked, disk full)."""


def _sqlite_code(exc: BaseException) -> int | None:
    """The primary SQLite result code behind ``exc`` (following ``raise ... from``)."""
    seen: BaseException | None = exc
    while seen is not None:
        code = getattr(seen, "sqlite_errorcode", None)
        if isinstance(code, int):
            return code & 0xFF
        seen = seen.__cause__
    return None


def unwritable(path: Path, exc: BaseException) -> HistoryUnwritable | None:
    """The error to report when ``exc`` says ``path`` cannot be written, else None."""
    code = _sqlite_code(exc)
    if isinstance(exc, PermissionError):
        code = _SQLITE_PERM
    folder = path.parent
    if code in (_SQLITE_READONLY, _SQLITE_PERM, _SQLITE_CANTOPEN, _SQLITE_AUTH):
        if not os.access(folder, os.W_OK):
            which = f"the data folder {folder} is read-only (not writable)"
        elif path.exists() and not os.access(path, os.W_OK):
            which = f"the file {path} is read-only (not writable)"
        else:  # root passes os.access: say both
            which = f"the data folder {folder} or its files are read-only (not writable)"
        return HistoryUnwritable(
            f"cannot write the history at {path}: {which} ({exc}). Nothing was changed; "
            "make it writable, or set STUDIO_DATA_DIR to a writable folder")
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return HistoryUnwritable(f"the history at {path} is locked by another program ({exc}); "
                                 "nothing was changed: try again when it is done")
    if code in (_SQLITE_IOERR, _SQLITE_FULL):
        return HistoryUnwritable(f"cannot read or write the history at {path}: disk error or "
                                 f"disk full ({exc}); nothing was changed")
    return None


def _plain_errors(method: Callable[..., Any]) -> Callable[..., Any]:
    """SQLite errors out of ``method`` become one-line ``StudioError``s naming the cause
    (read-only folder, lock, full disk), not tracebacks."""
    @functools.wraps(method)
    def wrapper(self: EventLog, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise (unwritable(self.path, exc) or StudioError(
                f"cannot write the history at {self.path}: {exc}")) from exc
    return wrapper


def _fingerprint(path: Path) -> str:
    """Size and the hash of the first and last MiB of ``path`` and its WAL.

    No times: a failed open may touch the WAL's without changing a byte.
    """
    h = hashlib.sha256()
    for p in (path, Path(str(path) + "-wal")):
        try:
            st = p.stat()
            with open(p, "rb") as f:
                h.update(f.read(1 << 20))
                if st.st_size > 2 << 20:
                    f.seek(-(1 << 20), os.SEEK_END)
                    h.update(f.read())
        except FileNotFoundError:
            h.update(b"-")
            continue
        h.update(f"|{st.st_size}|".encode())
    return h.hexdigest()


def backup_once(path: Path, states: Iterable[str]) -> tuple[Path, bool]:
    """Copy damaged ``path`` aside unless one of its ``states`` was copied already.

    Returns the copy's path and whether it was made now. ``states`` are fingerprints
    of the file as found and as left after the failed open (SQLite may checkpoint
    its WAL on close): both are remembered, so the next start finds its copy.
    """
    marker = Path(str(path) + DAMAGE_MARKER)
    states = [s for s in states if s]
    try:
        known = json.loads(marker.read_text(encoding="utf-8"))
        backup = Path(known["backup"])
        if set(states) & set(known["states"]) and backup.exists():
            return backup, False
    except (OSError, ValueError, KeyError, TypeError):
        pass
    copy = backup_broken(path)
    after = _fingerprint(path)
    write_atomic(marker, json.dumps({"backup": str(copy), "states": [*states, after]}).encode())
    return copy, True


def backup_broken(path: Path) -> Path:
    """Copy ``path`` (and its WAL) to ``<name>.broken-<timestamp>``; return the copy's path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.broken-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.broken-{stamp}-{n}")
    shutil.copy2(path, target)
    for suffix in _SIDECARS[:1]:
        side = Path(str(path) + suffix)
        if side.exists() and side.stat().st_size > 0:
            shutil.copy2(side, Path(str(target) + suffix))
    return target


class EventLog:
    """Append-only log of user actions. Thread-safe; one instance per data folder."""

    def __init__(self, path: Path | str, passphrase: str | None = None,
                 session: str | None = None, project: str | None = None) -> None:
        self.path = Path(path)
        private_dir(self.path.parent)  # 700, whatever the umask (issue #10)
        self.session = session or uuid.uuid4().hex[:12]
        self.project = project
        # Kept in memory so the log can be re-created after "forget" (docs/privacy.md).
        self._passphrase = passphrase
        self._lock = threading.RLock()
        self._listeners: list[Callable[[Event], None]] = []
        self._forget_listeners: list[Callable[[], None]] = []
        self._locked_out: StudioError | None = None
        self.conn = self._open()
        self.cipher: Cipher | None = self._unlock(passphrase)

    # -- opening ---------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        found = self.path.exists()
        if found and self.path.stat().st_size == 0 and not self._wait_for_creator():
            # SQLite would take a zero-byte file for a new database and start afresh:
            # whatever the file held is gone, and that is damage to report, not to hide.
            self._damaged(sqlite3.DatabaseError("the file is empty (0 bytes)"), [])
        existed = found and self.path.stat().st_size > 0
        state = _fingerprint(self.path) if existed else ""
        had = {s for s in _SIDECARS if Path(str(self.path) + s).exists()}
        conn: sqlite3.Connection | None = None
        try:
            conn = connect(str(self.path), "history")
            if existed:
                status = conn.execute("PRAGMA quick_check").fetchone()[0]
                if status != "ok":
                    raise sqlite3.DatabaseError(status)
            migrations.migrate(conn, "history")
            self._ident = self._identity()
            self._epoch = self._read_epoch(conn)
            return conn
        except NewerDatabase as exc:
            if conn is not None:
                conn.close()
            copy, _ = backup_once(self.path, [state])
            raise NewerDatabase(f"{exc}. A copy was saved to {copy}.") from exc
        except (sqlite3.DatabaseError, StudioError, OSError) as exc:
            if conn is not None:
                conn.close()
            self._drop_new_sidecars(had)
            cannot = unwritable(self.path, exc)
            if cannot is not None:
                raise cannot from exc
            if not existed:
                if isinstance(exc, OSError):
                    raise StudioError(f"cannot create the history at {self.path}: {exc}") from exc
                raise HistoryDamaged(
                    f"cannot create the history at {self.path} ({exc}); nothing was changed"
                ) from exc
            self._damaged(exc, [state])

    def _drop_new_sidecars(self, had: set[str]) -> None:
        # A failed open leaves nothing behind: the empty WAL and the shared-memory
        # index SQLite made for it would otherwise sit beside the damaged file.
        for suffix in ("-wal", "-shm"):
            side = Path(str(self.path) + suffix)
            try:
                if suffix not in had and (suffix == "-shm" or side.stat().st_size == 0):
                    side.unlink()
            except OSError:
                pass

    def _wait_for_creator(self) -> bool:
        """True if a zero-byte history is one another process is creating right now."""
        deadline = time.monotonic() + 2.0
        while time.time() - self.path.stat().st_mtime < 5.0:
            if self.path.stat().st_size > 0:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return False

    def _damaged(self, exc: BaseException, states: list[str]) -> Any:
        copy, now = backup_once(self.path, states or [_fingerprint(self.path)])
        raise HistoryDamaged(
            f"the history at {self.path} is damaged and cannot be read ({exc}). "
            + (f"A copy was saved to {copy}. " if now else f"It was copied to {copy} before. ")
            + "Nothing was changed: run `studio profile repair` to start a new history "
            "with the events that can still be read, or restore the file from a backup."
        ) from exc

    def _identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    @staticmethod
    def _read_epoch(conn: sqlite3.Connection) -> str:
        rows = dict(conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('forget_epoch', 'retired')").fetchall())
        return f"{rows.get('forget_epoch', '0')}{'/retired' if rows.get('retired') else ''}"

    def _unlock(self, passphrase: str | None) -> Cipher | None:
        raw = self.get_meta("crypto")
        if raw:
            if not passphrase:
                raise StudioError(
                    "the history is encrypted: set STUDIO_PASSPHRASE or pass --passphrase"
                )
            params = {k: bytes.fromhex(v) if isinstance(v, str) else v
                      for k, v in json.loads(raw).items()}
            return Cipher.open(passphrase, params)
        if passphrase:
            if self.count():
                raise StudioError(
                    "the history is not encrypted yet; run `studio profile encrypt` "
                    "to encrypt it with this passphrase"
                )
            return self._create_key(passphrase)
        return None

    def _create_key(self, passphrase: str) -> Cipher:
        cipher, params = Cipher.create(passphrase)
        stored = {k: v.hex() if isinstance(v, bytes) else v for k, v in params.items()}
        self.set_meta("crypto", json.dumps(stored))
        return cipher

    @property
    def encrypted(self) -> bool:
        return self.cipher is not None

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self.conn.close()

    # -- following a forget done by another process --------------------------------

    def _changed(self) -> bool:
        """Whether another process forgot (or replaced the file) since this one looked."""
        return (self._identity() != self._ident
                or self._read_epoch(self.conn) != self._epoch)

    def refresh(self) -> bool:
        """Follow a forget done by another process; True if there was one.

        Forget listeners are called, as after a forget here: what this process
        derived from the log may hold erased text, and must be rebuilt, not saved.
        Raises ``StudioError`` when another process encrypted the log and this one
        has no passphrase: nothing derived may then be written beside it.
        """
        with self._lock:
            if self._locked_out is not None:
                raise self._locked_out
            if getattr(self, "_closed", False) or not self._changed():
                return False
        self._follow()
        return True

    def _follow(self) -> None:
        with self._lock:
            if self._read_epoch(self.conn).endswith("/retired"):
                # An erase is replacing the file: wait until the new one is in place.
                deadline = time.monotonic() + REPLACE_WAIT_S
                while self._identity() == self._ident and time.monotonic() < deadline:
                    time.sleep(0.05)
            self.conn.close()
            self.conn = self._open()
            if self._epoch.endswith("/retired"):
                # The erasing process died before replacing the file: everything in it
                # was deleted already, so it serves as the new, empty log.
                self.conn.execute("DELETE FROM meta WHERE key = 'retired'")
                self._epoch = self._read_epoch(self.conn)
            self.cipher = None
            try:
                self.cipher = self._unlock(self._passphrase)
                self._locked_out = None
            except StudioError as exc:
                # Encrypted by another process and this one has no passphrase: writing
                # in clear into it would undo the encryption, so every write is refused.
                self._locked_out = exc
        self._notify_forget()
        if self._locked_out is not None:
            raise self._locked_out

    def _write(self, work: Callable[[sqlite3.Connection, Any], Any],
               prepare: Callable[[], Any] | None = None) -> tuple[bool, Any]:
        """Run ``work(conn, prepared)`` in one transaction on the current log.

        Returns ``(True, result)``, or ``(False, None)`` when another process forgot
        since ``prepare`` ran, with ``prepare`` None: the caller's data was derived from
        the old log and is dropped. With ``prepare``, it runs again on the new log.
        """
        for _ in range(3):
            if self._locked_out is not None:
                raise self._locked_out
            prepared = prepare() if prepare is not None else None
            with self._lock:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    if not self._changed():
                        result = work(self.conn, prepared)
                        self.conn.execute("COMMIT")
                        return True, result
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error as exc:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    # Read-only, locked, disk full: say so in one line, never a traceback.
                    raise (unwritable(self.path, exc) or StudioError(
                        f"cannot write the history at {self.path}: {exc}")) from exc
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
            self._follow()
            if prepare is None:
                return False, None
        raise HistoryUnwritable(f"the history at {self.path} keeps being erased; "
                                "nothing was recorded")

    # -- payload encoding ------------------------------------------------------

    def _seal(self, data: bytes, aad: bytes) -> tuple[Any, int]:
        if self.cipher is None:
            return data.decode("utf-8"), 0
        return self.cipher.seal(data, aad), 1

    def _unseal(self, blob: Any, enc: int, aad: bytes) -> bytes:
        if not enc:
            return blob.encode("utf-8") if isinstance(blob, str) else bytes(blob)
        if self.cipher is None:
            raise StudioError("the history holds encrypted data: a passphrase is needed")
        return self.cipher.open_blob(bytes(blob), aad)

    def _row(self, etype: str, session: str, payload: Mapping[str, Any]) -> tuple[Any, int]:
        return self._seal(encode_payload(etype, payload), f"{etype}|{session}".encode())

    def _event(self, row: tuple) -> Event:
        eid, ts, etype, session, project, enc, blob = row
        payload = json.loads(self._unseal(blob, enc, f"{etype}|{session}".encode()))
        safe = clamp_ts(ts)
        if safe != ts:
            # Stored by a build that did not check times: readers get a usable one.
            log.warning("history event %s has an impossible time (%r); read as %r", eid, ts, safe)
        return Event(eid, safe, etype, session, project, payload)

    # -- writing ---------------------------------------------------------------

    def _prepare(self, etype: str, fields: Mapping[str, Any]) -> tuple:
        extra = dict(fields)
        ts = extra.pop("ts", None)
        session = extra.pop("session", None) or self.session
        project = extra.pop("project", self.project)
        if ts is None:
            ts = time.time()
        else:
            try:
                ts = check_ts(ts)
            except ValueError as exc:
                raise EventError(f"{etype} event: {exc}") from None
        if project is not None and not isinstance(project, str):
            raise EventError(f"{etype} event: project={project!r} is not a string")
        payload = validate(etype, extra)
        blob, enc = self._row(etype, str(session), payload)
        return (float(ts), etype, str(session), project, enc, blob), payload

    def append(self, type: str, **fields: Any) -> Event:
        """Validate and store one event in its own transaction; return it with its id."""
        def insert(conn: sqlite3.Connection, prepared: tuple) -> Event:
            row, payload = prepared
            cur = conn.execute("INSERT INTO events (ts, type, session, project, enc, payload) "
                               "VALUES (?, ?, ?, ?, ?, ?)", row)
            return Event(int(cur.lastrowid or 0), row[0], row[1], row[2], row[3], payload)

        _, event = self._write(insert, lambda: self._prepare(type, fields))
        self._notify([event])
        return event

    def append_many(self, events: Iterable[Mapping[str, Any] | Event],
                    meta: Mapping[str, str] | None = None) -> list[Event]:
        """Validate every event, then store them all in one transaction (or none).

        ``meta`` keys are set in the same transaction: a marker such as "this file
        was imported" is committed with the events or not at all.
        """
        items: list[tuple[str, dict[str, Any]]] = []
        for item in events:
            if isinstance(item, Event):
                fields: dict[str, Any] = {"ts": item.ts, "session": item.session,
                                          "project": item.project, **item.payload}
                etype = item.type
            else:
                fields = {k: v for k, v in item.items() if k not in ("type", "id")}
                etype = item.get("type")  # type: ignore[assignment]
                if not isinstance(etype, str):
                    raise EventError(f"an event needs a type: {dict(item)!r}")
            items.append((etype, fields))
        if not items:
            return []

        def insert(conn: sqlite3.Connection, prepared: list[tuple]) -> tuple[int, list[tuple]]:
            conn.executemany("INSERT INTO events (ts, type, session, project, enc, payload) "
                             "VALUES (?, ?, ?, ?, ?, ?)", [row for row, _ in prepared])
            fault_point("history.batch.after_events")
            conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                             list((meta or {}).items()))
            fault_point("history.batch.before_commit")
            # One writer inside BEGIN IMMEDIATE: the batch's ids are consecutive.
            return conn.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()[0], prepared

        _, (last, prepared) = self._write(insert,
                                          lambda: [self._prepare(t, f) for t, f in items])
        first = last - len(prepared) + 1
        out = [Event(first + i, r[0], r[1], r[2], r[3], p) for i, (r, p) in enumerate(prepared)]
        self._notify(out)
        return out

    # -- reading ---------------------------------------------------------------

    def events(self, since_id: int = 0, types: Iterable[str] | None = None) -> Iterator[Event]:
        """Events with ``id > since_id``, oldest first, read in chunks (no lock held between)."""
        type_list = list(types) if types is not None else None
        last = since_id
        while True:
            sql = ("SELECT id, ts, type, session, project, enc, payload FROM events "
                   "WHERE id > ?")
            args: list[Any] = [last]
            if type_list is not None:
                if not type_list:
                    return
                sql += f" AND type IN ({','.join('?' * len(type_list))})"
                args.extend(type_list)
            sql += " ORDER BY id LIMIT ?"
            args.append(_CHUNK)
            with self._lock:
                rows = self.conn.execute(sql, args).fetchall()
            for row in rows:
                yield self._event(row)
            if len(rows) < _CHUNK:
                return
            last = rows[-1][0]

    def count(self, types: Iterable[str] | None = None) -> int:
        with self._lock:
            if types is None:
                return self.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
            tl = list(types)
            return self.conn.execute(
                f"SELECT COUNT(*) FROM events WHERE type IN ({','.join('?' * len(tl))})", tl
            ).fetchone()[0]

    def last_id(self) -> int:
        with self._lock:
            return self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]

    def span(self) -> tuple[float, float] | None:
        with self._lock:
            row = self.conn.execute("SELECT MIN(ts), MAX(ts) FROM events").fetchone()
        return None if row[0] is None else (clamp_ts(row[0]), clamp_ts(row[1]))

    # -- listeners -------------------------------------------------------------

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Call ``callback(event)`` after each stored event; returns a disposer."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def subscribe_forget(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback()`` after events were erased (derived state must be rebuilt)."""
        self._forget_listeners.append(callback)
        return lambda: (self._forget_listeners.remove(callback)
                        if callback in self._forget_listeners else None)

    def _notify(self, events: list[Event]) -> None:
        for callback in list(self._listeners):
            for event in events:
                try:
                    callback(event)
                except Exception:
                    # A broken subscriber must not lose the user's action or stop others.
                    log.warning("history listener failed", exc_info=True)

    def _notify_forget(self) -> None:
        for callback in list(self._forget_listeners):
            try:
                callback()
            except Exception:
                log.warning("history forget listener failed", exc_info=True)

    # -- meta, derived blobs -----------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @_plain_errors
    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                              (key, value))

    def text_hash(self, text: str) -> str:
        """The embedding cache's key for ``text`` (keyed by a secret when encrypted)."""
        return self.cipher.text_hash(text) if self.cipher else plain_text_hash(text)

    def get_vectors(self, hashes: Iterable[str]) -> dict[str, bytes]:
        wanted = list(dict.fromkeys(hashes))
        out: dict[str, bytes] = {}
        with self._lock:
            for i in range(0, len(wanted), 500):
                part = wanted[i:i + 500]
                rows = self.conn.execute(
                    f"SELECT hash, enc, vector FROM embeddings WHERE hash IN "
                    f"({','.join('?' * len(part))})", part
                ).fetchall()
                for h, enc, blob in rows:
                    out[h] = self._unseal(blob, enc, h.encode())
        return out

    def put_vectors(self, items: Iterable[tuple[str, bytes]], model: str) -> None:
        rows = []
        for h, vec in items:
            blob, enc = (self.cipher.seal(vec, h.encode()), 1) if self.cipher else (vec, 0)
            rows.append((h, model, enc, blob))
        # Dropped if another process forgot meanwhile: they may embed erased texts.
        self._write(lambda conn, _: conn.executemany(
            "INSERT OR REPLACE INTO embeddings (hash, model, enc, vector) "
            "VALUES (?, ?, ?, ?)", rows))

    def vectors(self) -> Iterator[tuple[str, str, Any]]:
        """Every cached embedding as ``(hash, model, numpy vector)`` (for the export)."""
        import numpy as np

        with self._lock:
            rows = self.conn.execute("SELECT hash, model, enc, vector FROM embeddings").fetchall()
        for h, model, enc, blob in rows:
            yield h, model, np.frombuffer(self._unseal(blob, enc, h.encode()), dtype=np.float32)

    def embedding_count(self) -> int:
        with self._lock:
            return self.conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]

    def save_state(self, version: int, last_id: int, state: Mapping[str, Any]) -> None:
        data = json.dumps(state, separators=(",", ":")).encode("utf-8")
        blob, enc = (self.cipher.seal(data, b"profile"), 1) if self.cipher else (data, 0)
        # Dropped if another process forgot meanwhile: ``state`` was derived from the
        # old log (the forget listeners rebuild it from the current one).
        self._write(lambda conn, _: conn.execute(
            "INSERT OR REPLACE INTO profile_state (id, version, last_id, enc, state) "
            "VALUES (1, ?, ?, ?, ?)", (version, last_id, enc, blob)))

    def load_state(self, version: int) -> tuple[int, dict[str, Any]] | None:
        with self._lock:
            row = self.conn.execute(
                "SELECT version, last_id, enc, state FROM profile_state WHERE id = 1"
            ).fetchone()
        if row is None or row[0] != version:
            return None
        return row[1], json.loads(self._unseal(row[3], row[2], b"profile"))

    # -- forgetting ------------------------------------------------------------

    @_plain_errors
    def forget_item(self, item: str) -> int:
        """Erase every event about artifact (or external id) ``item``; return how many."""
        doomed: set[int] = set()
        related: set[str] = {item}
        for ev in self.events():
            if item in ev.mentions():
                doomed.add(ev.id)
                if ev.type == "generate":
                    related.update(ev.mentions() - {ev.get("parent")})
        return self._erase_events(doomed, related)

    @_plain_errors
    def forget_term(self, term: str) -> int:
        """Erase every event whose text contains ``term`` (whole words), and what targets
        the artifacts those generations made; return how many events were erased."""
        needle = words(term)
        if not needle:
            raise StudioError(f"{term!r} has no words to forget")
        n = len(needle)
        doomed: set[int] = set()
        related: set[str] = set()
        for ev in self.events():
            for text in ev.texts():
                toks = words(text)
                if any(toks[i:i + n] == needle for i in range(len(toks) - n + 1)):
                    doomed.add(ev.id)
                    if ev.type == "generate":
                        related.update(ev.mentions() - {ev.get("parent")})
                    break
        return self._erase_events(doomed, related)

    def _erase_events(self, doomed: set[int], related: set[str]) -> int:
        # Follow-up actions (keep, rate...) on the erased generations' artifacts go too:
        # they would otherwise say what the user thought of something they asked to forget.
        for ev in self.events():
            if ev.type != "generate" and ev.get("target") in related:
                doomed.add(ev.id)
        if not doomed:
            return 0
        ids = sorted(doomed)
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                self.conn.executemany("DELETE FROM events WHERE id = ?", [(i,) for i in ids])
                # Derived data may hold the erased texts: drop the snapshot (rebuilt on
                # next open) and the embeddings no remaining event needs.
                self.conn.execute("DELETE FROM profile_state")
                self._bump_epoch()
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self._epoch = self._read_epoch(self.conn)
        keep = {self.text_hash(t) for ev in self.events() for t in ev.texts()}
        with self._lock:
            stale = [(h,) for (h,) in self.conn.execute("SELECT hash FROM embeddings")
                     if h not in keep]
            self.conn.executemany("DELETE FROM embeddings WHERE hash = ?", stale)
            self._compact()
        self._notify_forget()
        return len(ids)

    def _bump_epoch(self, retire: bool = False) -> None:
        # Inside the forget's transaction: other processes see the erase and the new
        # epoch together, and each of their writes checks it in its own transaction.
        epoch = self.conn.execute(
            "SELECT value FROM meta WHERE key = 'forget_epoch'").fetchone()
        n = int(epoch[0]) + 1 if epoch and str(epoch[0]).isdigit() else 1
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('forget_epoch', ?)",
                          (str(n),))
        if retire:
            self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('retired', '1')")

    def _compact(self) -> None:
        # secure_delete zeroes freed pages; VACUUM rebuilds the file and the TRUNCATE
        # checkpoint empties the WAL, where old page images would otherwise linger.
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.execute("VACUUM")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @_plain_errors
    def erase(self) -> list[Path]:
        """Forget everything: the log, the profile, embeddings, backups. Returns removed files.

        Rows are deleted with secure_delete on and the file vacuumed before the files are
        removed, so the content is overwritten in place, not just unlinked.
        """
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                epoch = self.conn.execute(
                    "SELECT value FROM meta WHERE key = 'forget_epoch'").fetchone()
                for table in ("events", "embeddings", "profile_state", "meta"):
                    self.conn.execute(f"DELETE FROM {table}")
                if epoch:
                    self.conn.execute("INSERT INTO meta (key, value) VALUES ('forget_epoch', ?)",
                                      epoch)
                # Retired: a process still holding this file writes to the new one.
                self._bump_epoch(retire=True)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            fault_point("history.erase.after_delete")
            self._compact()
            self.conn.close()
            removed = []
            candidates = [self.path, *(Path(str(self.path) + s) for s in _SIDECARS),
                          Path(str(self.path) + DAMAGE_MARKER),
                          *self.path.parent.glob(f"{self.path.name}.broken-*")]
            for p in candidates:
                if p.exists():
                    p.unlink()
                    removed.append(p)
            self.conn = self._open()
            self.cipher = self._unlock(self._passphrase)
        self._notify_forget()
        return removed

    @_plain_errors
    def encrypt(self, passphrase: str) -> int:
        """Encrypt an unencrypted history in place; return the number of events sealed."""
        if self.cipher is not None:
            raise StudioError("the history is already encrypted")
        events = list(self.events())
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                cipher, params = Cipher.create(passphrase)
                stored = {k: v.hex() if isinstance(v, bytes) else v for k, v in params.items()}
                self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                  ("crypto", json.dumps(stored)))
                self.cipher = cipher
                self.conn.executemany(
                    "UPDATE events SET enc = ?, payload = ? WHERE id = ?",
                    [(*reversed(self._row(e.type, e.session, e.payload)), e.id)
                     for e in events])
                # Derived blobs were written in clear: drop them, they are rebuilt.
                self.conn.execute("DELETE FROM embeddings")
                self.conn.execute("DELETE FROM profile_state")
                self._bump_epoch()
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                self.cipher = None
                raise
            self._epoch = self._read_epoch(self.conn)
            self._compact()
        self._passphrase = passphrase
        self._notify_forget()
        return len(events)



_COLUMNS = "id, ts, type, session, project, enc, payload"


def _salvage(copy: Path) -> tuple[list[tuple], list[tuple]]:
    """The event rows and meta rows that can still be read from damaged ``copy``.

    Read in ranges of ids; a range that fails is read row by row, so one bad page
    costs only its own rows. Rows missing a column the log requires are left out.
    """
    try:
        conn = sqlite3.connect(f"file:{copy}?immutable=1", uri=True)
    except sqlite3.Error:
        return [], []
    rows: list[tuple] = []
    meta: list[tuple] = []
    try:
        try:
            meta = [(k, v) for k, v in conn.execute("SELECT key, value FROM meta")
                    if isinstance(k, str) and isinstance(v, str)
                    and k not in ("forget_epoch", "retired")]
        except sqlite3.Error:
            meta = []
        try:
            top = conn.execute("SELECT MAX(id) FROM events").fetchone()[0] or 0
        except sqlite3.Error:
            try:
                top = conn.execute(
                    "SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()[0]
            except (sqlite3.Error, TypeError):
                top = 0
        for start in range(0, int(top), 1000):
            query = f"SELECT {_COLUMNS} FROM events WHERE id > ? AND id <= ?"
            try:
                rows.extend(conn.execute(query, (start, start + 1000)).fetchall())
            except sqlite3.Error:
                for i in range(start + 1, start + 1001):
                    try:
                        rows.extend(conn.execute(f"SELECT {_COLUMNS} FROM events WHERE id = ?",
                                                 (i,)).fetchall())
                    except sqlite3.Error:
                        continue
    except sqlite3.Error:
        pass
    finally:
        conn.close()
    good = [r for r in rows if isinstance(r[0], int) and isinstance(r[1], (int, float))
            and isinstance(r[2], str) and isinstance(r[3], str) and r[6] is not None]
    return good, meta


def repair(path: Path | str) -> tuple[int, Path]:
    """Replace the damaged history at ``path`` by a new one holding the events that
    can still be read; return how many were kept and where the damaged file is.

    Explicit (``studio profile repair``): opening never does this by itself. The
    damaged file is copied aside first (once), and only then replaced.
    """
    path = Path(path)
    try:
        EventLog(path).close()
    except HistoryDamaged:
        pass
    except StudioError as exc:
        if "encrypted" not in str(exc):
            raise
        raise StudioError(f"the history at {path} is not damaged; nothing to repair") from None
    else:
        raise StudioError(f"the history at {path} is not damaged; nothing to repair")
    copy, _ = backup_once(path, [_fingerprint(path)])
    rows, meta = _salvage(copy)
    for p in (path, *(Path(str(path) + s) for s in _SIDECARS), Path(str(path) + DAMAGE_MARKER)):
        p.unlink(missing_ok=True)
    log = EventLog(path)
    try:
        with log._lock:
            log.conn.execute("BEGIN IMMEDIATE")
            try:
                log.conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                     meta)
                log.conn.executemany(
                    f"INSERT INTO events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                log.conn.execute("COMMIT")
            except BaseException:
                log.conn.execute("ROLLBACK")
                raise
    finally:
        log.close()
    return len(rows), copy
