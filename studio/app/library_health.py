"""Damage to the library index: found on open or mid-command, backed up once, reported.

A damaged ``library.sqlite`` is never reset or written into: the first command that
finds the damage copies the file (and its write-ahead log) aside once, and every
command refuses with one line that says to run ``studio library repair``, which
rebuilds the index from the metadata the files carry (``library_repair``).
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from studio.api import StudioError

DB_NAME = "library.sqlite"
SIDECARS = ("-wal", "-shm", "-journal")
#: What SQLite says about a damaged file (SQLITE_CORRUPT, SQLITE_NOTADB).
_DAMAGE_WORDS = ("malformed", "not a database", "corrupt")
_DISK_FULL_WORDS = ("database or disk is full",)


class LibraryDamaged(StudioError):
    """The library index cannot be read or written; ``studio library repair`` rebuilds it."""


def is_damage(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.DatabaseError) and any(
        w in str(exc).lower() for w in _DAMAGE_WORDS)


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.DatabaseError) and any(
        w in str(exc).lower() for w in _DISK_FULL_WORDS)


def has_files(folder: Path) -> bool:
    """Whether ``folder`` holds any artifact file (temp files of atomic writes aside)."""
    if not folder.is_dir():
        return False
    return any(p.is_file() and not p.name.startswith(".") for p in folder.rglob("*"))


def check(conn: sqlite3.Connection) -> str | None:
    """What is wrong with an open index (``PRAGMA quick_check``, the FTS index), or None."""
    rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
    if rows != ["ok"]:
        return "; ".join(str(r) for r in rows[:3])
    fts = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'artifacts_fts'").fetchone()
    if fts is not None:
        # quick_check sees the b-trees, not what the FTS blobs inside them say.
        try:
            conn.execute("INSERT INTO artifacts_fts(artifacts_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            return f"the search index: {exc}"
    return None


def backup_once(db: Path) -> Path | None:
    """Copy a damaged ``db`` (and its WAL) to ``<name>.broken-<time>`` unless an identical
    copy is already there; return the copy, or None when there is nothing to keep."""
    wal = Path(str(db) + "-wal")
    size = db.stat().st_size if db.exists() else 0
    wal_size = wal.stat().st_size if wal.exists() else 0
    if size == 0 and wal_size == 0:
        return None
    digest = _digest(db, wal)
    for old in sorted(db.parent.glob(f"{db.name}.broken-*")):
        if old.name.endswith(SIDECARS) or old.stat().st_size != size:
            continue
        if _digest(old, Path(str(old) + "-wal")) == digest:
            return old
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = db.with_name(f"{db.name}.broken-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = db.with_name(f"{db.name}.broken-{stamp}-{n}")
    if db.exists():
        shutil.copy2(db, target)
    else:
        target.touch()
    if wal_size:
        shutil.copy2(wal, Path(str(target) + "-wal"))
    target.chmod(0o600)
    return target


def _digest(db: Path, wal: Path) -> str:
    h = hashlib.sha256()
    for path in (db, wal):
        h.update(b"|")
        if path.exists():
            with path.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
    return h.hexdigest()


def damaged_message(db: Path, detail: str, copy: Path | None) -> str:
    return (f"the library index {db} is damaged ({detail}); "
            + (f"a copy was saved to {copy.name}; " if copy else "")
            + "nothing was changed: run `studio library repair` to rebuild it from the files")


class GuardedConnection:
    """A SQLite connection whose corruption errors become ``LibraryDamaged``.

    Rows are fetched eagerly, so a damaged page met while iterating a result is
    reported like one met by ``execute``.
    """

    def __init__(self, conn: sqlite3.Connection,
                 on_damage: Callable[[str], LibraryDamaged]) -> None:
        self.raw = conn
        self._on_damage = on_damage

    def execute(self, sql: str, args: Any = ()) -> _Rows:
        if sql.strip().upper() == "ROLLBACK" and not self.raw.in_transaction:
            return _Rows([], None)  # already rolled back when the damage was found
        return self._run(lambda: self.raw.execute(sql, args))

    def executemany(self, sql: str, rows: Any) -> _Rows:
        return self._run(lambda: self.raw.executemany(sql, rows))

    def _run(self, call: Callable[[], sqlite3.Cursor]) -> _Rows:
        try:
            cur = call()
            return _Rows(cur.fetchall(), cur.lastrowid)
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise
            if self.raw.in_transaction:
                try:
                    self.raw.execute("ROLLBACK")
                except sqlite3.DatabaseError:
                    pass
            raise self._on_damage(str(exc)) from exc

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    def close(self) -> None:
        self.raw.close()


class _Rows:
    """The already-fetched result of one statement (the part of a cursor the library uses)."""

    def __init__(self, rows: list[Any], lastrowid: int | None) -> None:
        self._rows = rows
        self.lastrowid = lastrowid

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[Any]:
        return list(self._rows)

    def __iter__(self) -> Any:
        return iter(self._rows)
