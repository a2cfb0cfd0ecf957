"""Numbered schema migrations for Studio's SQLite databases.

Each database keeps a list of migration functions named ``mNNN_what``. Applied
ones are recorded by name in ``_studio_migrations``, each in the same transaction
as its changes, and never edited afterwards. A database that records a
migration this build does not know was written by a newer Studio: it is refused
(never "fixed"), so the user's data stays intact.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from studio.api import StudioError
from studio.app.paths import tighten

Migration = Callable[[sqlite3.Connection], None]
_NAME = re.compile(r"^m(\d{3})_\w+$")


class NewerDatabase(StudioError):
    """The database was written by a newer version of Studio."""


class Migrations:
    def __init__(self) -> None:
        self.steps: list[Migration] = []

    def __call__(self, fn: Migration) -> Migration:
        """Decorator: ``@migrations`` appends a step; names must be ``mNNN_*``, unique."""
        match = _NAME.match(fn.__name__)
        if not match:
            raise ValueError(f"migration {fn.__name__!r} must be named mNNN_description")
        numbers = {_NAME.match(s.__name__).group(1) for s in self.steps}  # type: ignore[union-attr]
        if match.group(1) in numbers:
            raise ValueError(f"migration number {match.group(1)} is used twice")
        self.steps.append(fn)
        return fn

    @property
    def names(self) -> list[str]:
        return [s.__name__ for s in self.steps]

    def migrate(self, conn: sqlite3.Connection, what: str = "database") -> list[str]:
        """Apply the pending steps; return their names. Call only where the database opens."""
        conn.execute(
            "CREATE TABLE IF NOT EXISTS _studio_migrations "
            "(name TEXT PRIMARY KEY, applied REAL NOT NULL)"
        )
        conn.commit()
        applied = {row[0] for row in conn.execute("SELECT name FROM _studio_migrations")}
        unknown = applied - set(self.names)
        if unknown:
            raise NewerDatabase(
                f"the {what} was written by a newer version of Studio "
                f"(unknown migrations: {', '.join(sorted(unknown))}); update Studio to open it"
            )
        done = []
        for step in self.steps:
            if step.__name__ in applied:
                continue
            # isolation_level=None on our connections: manage the transaction explicitly
            # so the schema change and its record commit together or not at all.
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("SELECT 1 FROM _studio_migrations WHERE name = ?",
                                (step.__name__,)).fetchone():
                    # Another connection applied it since ``applied`` was read (two
                    # processes creating the database at once): it is done.
                    conn.execute("ROLLBACK")
                    continue
                step(conn)
                conn.execute(
                    "INSERT INTO _studio_migrations (name, applied) VALUES (?, ?)",
                    (step.__name__, time.time()),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            done.append(step.__name__)
        return done


def connect(path: str, what: str = "database") -> sqlite3.Connection:
    """Open a SQLite database in WAL mode with autocommit (explicit transactions).

    The file is created private (0600) before SQLite opens it; SQLite gives its
    -wal and -shm files the database file's mode, so they are private too.
    """
    try:
        _make_private_file(path)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        _set_wal(conn)
        conn.execute("PRAGMA foreign_keys=ON")
        # secure_delete overwrites deleted content so erased rows do not linger in free pages.
        conn.execute("PRAGMA secure_delete=ON")
    except sqlite3.DatabaseError as exc:
        raise StudioError(f"the {what} at {path} cannot be opened: {exc}") from exc
    except OSError as exc:
        raise StudioError(f"the {what} at {path} cannot be opened: {exc.strerror or exc}"
                          ) from exc
    return conn


def _set_wal(conn: sqlite3.Connection, patience_s: float = 10.0) -> None:
    # Switching a new, empty database to WAL needs a lock that SQLite does not wait
    # for (the busy timeout does not apply): when several processes create the same
    # file at once, the losers get "database is locked" at once and must try again.
    deadline = time.monotonic() + patience_s
    delay = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def _make_private_file(path: str) -> None:
    """Create ``path`` with mode 0600 if missing; tighten it and its sidecars if too open."""
    if os.name != "posix" or not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        tighten(Path(path))  # made under a umask, or by an older Studio
    else:
        try:
            os.fchmod(fd, 0o600)  # the mode given to open was masked by the umask
        finally:
            os.close(fd)
    for suffix in ("-wal", "-shm", "-journal"):
        tighten(Path(path + suffix))
