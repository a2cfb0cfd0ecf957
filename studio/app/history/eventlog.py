"""The event log: every user action, append-only, in ``<data>/history.sqlite``.

It is the single source of truth for personalization: the profile, its embedding
cache and the suggestions are derived from it and can be rebuilt from it. The
derived tables live in the same file so that "forget" has one place to erase.

Durability: WAL mode and one transaction per ``append`` (or per ``append_many``
batch), so a crash loses at most the event being written. A damaged database, or
one written by a newer Studio, is copied aside and reported, never reset.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from studio.api import StudioError
from studio.app.history.crypto import Cipher, plain_text_hash
from studio.app.history.events import Event, EventError, encode_payload, validate
from studio.app.migrations import Migrations, NewerDatabase, connect
from studio.app.paths import private_dir
from studio.app.prompts import words

log = logging.getLogger(__name__)

migrations = Migrations()
HISTORY_FILE = "history.sqlite"
_SIDECARS = ("-wal", "-shm", "-journal")
_CHUNK = 2000


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
        if side.exists():
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
        self.conn = self._open()
        self.cipher: Cipher | None = self._unlock(passphrase)

    # -- opening ---------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        existed = self.path.exists() and self.path.stat().st_size > 0
        conn: sqlite3.Connection | None = None
        try:
            conn = connect(str(self.path), "history")
            if existed:
                status = conn.execute("PRAGMA quick_check").fetchone()[0]
                if status != "ok":
                    raise sqlite3.DatabaseError(status)
            migrations.migrate(conn, "history")
            return conn
        except NewerDatabase as exc:
            if conn is not None:
                conn.close()
            copy = backup_broken(self.path)
            raise NewerDatabase(f"{exc}. A copy was saved to {copy}.") from exc
        except (sqlite3.DatabaseError, StudioError) as exc:
            if conn is not None:
                conn.close()
            copy = backup_broken(self.path) if existed else None
            raise HistoryDamaged(
                f"the history at {self.path} is damaged and cannot be read ({exc}). "
                + (f"A copy was saved to {copy}. " if copy else "")
                + "Nothing was changed: move the file away to start a new history, "
                "or restore it from a backup."
            ) from exc

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
            self.conn.close()

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
        return Event(eid, ts, etype, session, project, payload)

    # -- writing ---------------------------------------------------------------

    def _prepare(self, etype: str, fields: Mapping[str, Any]) -> tuple:
        extra = dict(fields)
        ts = extra.pop("ts", None)
        session = extra.pop("session", None) or self.session
        project = extra.pop("project", self.project)
        if ts is None:
            ts = time.time()
        elif isinstance(ts, bool) or not isinstance(ts, (int, float)) or ts != ts:
            raise EventError(f"{etype} event: ts={ts!r} is not a time in seconds")
        if project is not None and not isinstance(project, str):
            raise EventError(f"{etype} event: project={project!r} is not a string")
        payload = validate(etype, extra)
        blob, enc = self._row(etype, str(session), payload)
        return (float(ts), etype, str(session), project, enc, blob), payload

    def append(self, type: str, **fields: Any) -> Event:
        """Validate and store one event in its own transaction; return it with its id."""
        row, payload = self._prepare(type, fields)
        with self._lock:
            cur = self.conn.execute(
                "INSERT INTO events (ts, type, session, project, enc, payload) "
                "VALUES (?, ?, ?, ?, ?, ?)", row
            )
            event = Event(int(cur.lastrowid or 0), row[0], row[1], row[2], row[3], payload)
        self._notify([event])
        return event

    def append_many(self, events: Iterable[Mapping[str, Any] | Event]) -> list[Event]:
        """Validate every event, then store them all in one transaction (or none)."""
        prepared = []
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
            prepared.append(self._prepare(etype, fields))
        if not prepared:
            return []
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                self.conn.executemany(
                    "INSERT INTO events (ts, type, session, project, enc, payload) "
                    "VALUES (?, ?, ?, ?, ?, ?)", [row for row, _ in prepared]
                )
                # One writer inside BEGIN IMMEDIATE: the batch's ids are consecutive.
                last = self.conn.execute(
                    "SELECT seq FROM sqlite_sequence WHERE name = 'events'"
                ).fetchone()[0]
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
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
        return None if row[0] is None else (row[0], row[1])

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
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                self.conn.executemany(
                    "INSERT OR REPLACE INTO embeddings (hash, model, enc, vector) "
                    "VALUES (?, ?, ?, ?)", rows)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

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
        with self._lock:
            self.conn.execute(
                "INSERT OR REPLACE INTO profile_state (id, version, last_id, enc, state) "
                "VALUES (1, ?, ?, ?, ?)", (version, last_id, enc, blob))

    def load_state(self, version: int) -> tuple[int, dict[str, Any]] | None:
        with self._lock:
            row = self.conn.execute(
                "SELECT version, last_id, enc, state FROM profile_state WHERE id = 1"
            ).fetchone()
        if row is None or row[0] != version:
            return None
        return row[1], json.loads(self._unseal(row[3], row[2], b"profile"))

    # -- forgetting ------------------------------------------------------------

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
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        keep = {self.text_hash(t) for ev in self.events() for t in ev.texts()}
        with self._lock:
            stale = [(h,) for (h,) in self.conn.execute("SELECT hash FROM embeddings")
                     if h not in keep]
            self.conn.executemany("DELETE FROM embeddings WHERE hash = ?", stale)
            self._compact()
        self._notify_forget()
        return len(ids)

    def _compact(self) -> None:
        # secure_delete zeroes freed pages; VACUUM rebuilds the file and the TRUNCATE
        # checkpoint empties the WAL, where old page images would otherwise linger.
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.execute("VACUUM")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def erase(self) -> list[Path]:
        """Forget everything: the log, the profile, embeddings, backups. Returns removed files.

        Rows are deleted with secure_delete on and the file vacuumed before the files are
        removed, so the content is overwritten in place, not just unlinked.
        """
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            for table in ("events", "embeddings", "profile_state", "meta"):
                self.conn.execute(f"DELETE FROM {table}")
            self.conn.execute("COMMIT")
            self._compact()
            self.conn.close()
            removed = []
            candidates = [self.path, *(Path(str(self.path) + s) for s in _SIDECARS),
                          *self.path.parent.glob(f"{self.path.name}.broken-*")]
            for p in candidates:
                if p.exists():
                    p.unlink()
                    removed.append(p)
            self.conn = self._open()
            self.cipher = self._unlock(self._passphrase)
        self._notify_forget()
        return removed

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
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                self.cipher = None
                raise
            self._compact()
        self._passphrase = passphrase
        self._notify_forget()
        return len(events)

