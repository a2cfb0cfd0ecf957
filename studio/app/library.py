"""The output library: files written atomically plus a SQLite index with full-text search.

Paths under the data folder are stored relative to it (moving the folder keeps every
``artifact:`` reference working); linked files outside it stay absolute. The index is
opened on first use, so a command refused for bad input creates nothing. A damaged
index is backed up once and refused (``library_health``); ``studio library repair``
rebuilds it from the files (``library_repair``).

A save is all or nothing: every file of one ``add`` is written, then all are indexed in
one transaction; any failure removes what the call wrote. Rows of a job stay in
``generate_pending`` until the engine recorded the job's ``generate`` event; one whose
process died in between gets its event on the next open, with its original time.

Before a save or an import writes a file, its final path (and its thumbnail's) is noted
in ``pending_files`` with the writer's pid, committed; the index rows and the deletion of
the notes commit together. On open, the notes of processes no longer running name files
that were never indexed: those files and their ``.NAME.*.tmp`` siblings are deleted, so
no orphan (nor a temp file holding a prompt) survives a kill.

Fault points (tests/faults), in the order ``add`` reaches them: per output
``library.after_file``, ``library.after_thumbnail`` (images); then once per call
``library.after_index`` (the rows are committed). ``store_existing`` (an import):
``library.import.after_file``. ``library.repair.after_build`` and
``library.repair.after_replace`` are in ``library_repair``.
"""

from __future__ import annotations

import errno
import glob
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.api import GenerationRequest, Output, RequestError, StudioError
from studio.app import writers
from studio.app.faults import fault_point
from studio.app.jobs import new_id
from studio.app.library_health import (
    DB_NAME,
    GuardedConnection,
    LibraryDamaged,
    backup_once,
    check,
    damaged_message,
    has_files,
    is_damage,
    is_disk_full,
)
from studio.app.migrations import Migrations, NewerDatabase, connect
from studio.app.paths import private_dir
from studio.app.settings import write_atomic

Recorder = Callable[..., None]
log = logging.getLogger(__name__)

migrations = Migrations()

#: Longest side of the thumbnails the library browser shows.
THUMBNAIL_PX = 256


@migrations
def m001_artifacts(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE artifacts (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            path TEXT NOT NULL,
            modality TEXT NOT NULL DEFAULT '',
            task TEXT NOT NULL DEFAULT '',
            prompt TEXT NOT NULL DEFAULT '',
            text TEXT,
            params TEXT NOT NULL DEFAULT '{}',
            seed INTEGER,
            model TEXT NOT NULL DEFAULT '',
            generator TEXT NOT NULL DEFAULT '',
            plugin_version TEXT NOT NULL DEFAULT '',
            content_hash TEXT NOT NULL,
            metadata TEXT NOT NULL DEFAULT '{}',
            parent TEXT,
            job_id TEXT,
            created REAL NOT NULL,
            modified REAL NOT NULL,
            rating INTEGER,
            favourite INTEGER NOT NULL DEFAULT 0,
            trashed REAL
        )"""
    )
    conn.execute("CREATE INDEX artifacts_created ON artifacts(created)")
    conn.execute("CREATE INDEX artifacts_parent ON artifacts(parent)")
    conn.execute(
        "CREATE VIRTUAL TABLE artifacts_fts USING fts5(id UNINDEXED, prompt, text)"
    )


@migrations
def m002_imports(conn: sqlite3.Connection) -> None:
    # Importing a folder asks "is this file already here?" once per file (issue #19).
    conn.execute("CREATE INDEX artifacts_content_hash ON artifacts(content_hash)")
    # A linked artifact is a user's file referenced in place: never deleted or changed.
    conn.execute("ALTER TABLE artifacts ADD COLUMN linked INTEGER NOT NULL DEFAULT 0")
    # Imported rows whose history event is not yet written; a re-run writes them.
    conn.execute("CREATE TABLE import_pending (id TEXT PRIMARY KEY)")


@migrations
def m003_relative_paths(conn: sqlite3.Connection) -> None:
    # Absolute paths broke every `artifact:` reference when the data folder moved
    # (issue #10): files under the data folder are stored relative to it from now on.
    root = _database_folder(conn)
    if root is None:
        return
    rows = conn.execute("SELECT id, path FROM artifacts WHERE linked = 0").fetchall()
    for aid, path in rows:
        rel = relative_path(Path(path), root)
        if rel is not None and rel != path:
            conn.execute("UPDATE artifacts SET path = ? WHERE id = ?", (rel, aid))


@migrations
def m004_generate_pending(conn: sqlite3.Connection) -> None:
    # A job's rows until its generate event is recorded; ``pid`` tells a live process's
    # save in progress from one that died before recording it (issue #10).
    conn.execute(
        "CREATE TABLE generate_pending (id TEXT PRIMARY KEY, job_id TEXT NOT NULL, "
        "pid INTEGER NOT NULL)"
    )


@migrations
def m005_pending_files(conn: sqlite3.Connection) -> None:
    # Files a save or an import is about to write, until their index rows commit: a
    # process killed in between leaves them for the next open to delete (issue #10).
    conn.execute(
        "CREATE TABLE pending_files (path TEXT PRIMARY KEY, artifact_id TEXT NOT NULL, "
        "pid INTEGER NOT NULL)"
    )


def _database_folder(conn: sqlite3.Connection) -> Path | None:
    for _seq, name, file in conn.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file).parent
    return None


def relative_path(path: Path, root: Path) -> str | None:
    """``path`` relative to the data folder ``root`` (POSIX separators), or None if outside.

    A path recorded before the folder moved is matched by its ``library/...`` tail
    when that file is under ``root`` now.
    """
    if not path.is_absolute():
        return path.as_posix()
    for base, target in ((root, path), (root.resolve(), path.resolve())):
        try:
            return target.relative_to(base).as_posix()
        except ValueError:
            pass
    parts = path.parts
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] == "library" and i < len(parts) - 1:
            tail = Path(*parts[i:])
            if (root / tail).is_file():
                return tail.as_posix()
            break
    return None


@dataclass(frozen=True)
class Artifact:
    id: str
    kind: str
    path: str
    modality: str = ""
    task: str = ""
    prompt: str = ""
    text: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    seed: int | None = None
    model: str = ""
    generator: str = ""
    plugin_version: str = ""
    content_hash: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    parent: str | None = None
    job_id: str | None = None
    created: float = 0.0
    modified: float = 0.0
    rating: int | None = None
    favourite: bool = False
    trashed: float | None = None
    linked: bool = False

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["params"] = dict(self.params)
        out["metadata"] = dict(self.metadata)
        if self.text is None:
            out.pop("text")
        return out


_COLUMNS = [f for f in Artifact.__dataclass_fields__]
#: Library.list's orders; unrated items go after rated ones.
_ORDERS = {
    "newest": "a.created DESC", "oldest": "a.created ASC",
    "rating": "a.rating IS NULL, a.rating DESC, a.created DESC",
}


# Files the window makes from library items (inpaint masks painted on them): they go
# with the library when it is erased.
DERIVED_FOLDERS = ("cache/masks",)


class Library:
    """Artifacts under ``root/library/YYYY/MM/`` indexed in ``root/library.sqlite``."""

    def __init__(
        self,
        root: Path,
        recorder: Recorder | None = None,
        will_record: Callable[[str], bool] | None = None,
        job_recorded: Callable[[str], bool] | None = None,
    ) -> None:
        """``will_record(job_id)``: whether that job's generate event is going to be
        recorded (not paused, incognito or an app-internal job), so its rows wait for it.
        ``job_recorded(job_id)``: whether the history already holds that event; it keeps
        the recovery of an interrupted save from recording it twice."""
        self.root = Path(root)
        self.files = self.root / "library"
        self.thumbs = self.root / "thumbs"
        self.db_path = self.root / DB_NAME
        self._conn: GuardedConnection | None = None
        self._damage: LibraryDamaged | None = None
        self._lock = threading.RLock()
        self.record: Recorder = recorder or (lambda *a, **k: None)
        self.will_record = will_record or (lambda job_id: True)
        self.job_recorded = job_recorded

    @property
    def conn(self) -> GuardedConnection:
        """The index, created, checked and migrated on first use; raises ``LibraryDamaged``."""
        with self._lock:
            if self._damage is not None:
                raise self._damage
            if self._conn is None:
                self._conn = self._open()
                try:
                    self._remove_unfinished_files()
                except (StudioError, OSError) as exc:
                    log.warning("files of interrupted saves were not removed: %s", exc)
                try:
                    self._recover_pending()
                except StudioError as exc:
                    log.warning("interrupted saves were not recovered: %s", exc)
            return self._conn

    def open(self) -> None:
        """Open the index now: a damaged one refuses before a job runs (no file written)."""
        self.conn  # noqa: B018

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _open(self) -> GuardedConnection:
        db = self.db_path
        size = db.stat().st_size if db.exists() else None
        if not size and has_files(self.files):
            # Treating it as a new library would orphan every file (issue #10).
            raise self._damaged("it is empty" if size == 0 else "it is missing",
                                close=False)
        private_dir(self.files)  # 700: the user's images and texts (issue #10)
        private_dir(self.thumbs)
        raw: sqlite3.Connection | None = None
        try:
            raw = connect(str(db), "library index")
            problem = check(raw) if size else None
            if problem:
                raise self._damaged(problem, raw)
            migrations.migrate(raw, "library index")
        except (LibraryDamaged, NewerDatabase):
            raise
        except (StudioError, sqlite3.DatabaseError) as exc:
            cause = exc.__cause__ if isinstance(exc, StudioError) else exc
            if cause is not None and is_damage(cause):
                raise self._damaged(str(cause), raw) from exc
            if raw is not None:
                raw.close()
            if isinstance(exc, StudioError):
                raise
            if is_disk_full(exc):
                raise LibraryWriteError(f"no space left on device while opening {db}") from exc
            raise StudioError(f"the library index {db} cannot be opened: {exc}") from exc
        return GuardedConnection(raw, self._damaged)

    def _damaged(self, detail: str, raw: sqlite3.Connection | None = None,
                 close: bool = True) -> LibraryDamaged:
        """Back the index up (once per damaged state), close it, and remember the error."""
        copy = backup_once(self.db_path)
        if raw is not None:
            raw.close()
        if close and self._conn is not None:
            self._conn.close()
            self._conn = None
        self._damage = LibraryDamaged(damaged_message(self.db_path, detail, copy))
        return self._damage

    def _reader(self) -> GuardedConnection | None:
        """The index for a read, or None while there is none (a read creates nothing)."""
        if (self._conn is None and self._damage is None and not self.db_path.exists()
                and not has_files(self.files)):
            return None
        return self.conn

    # -- the generate event of each job (issue #10) -----------------------------

    def mark_recorded(self, ids: Iterable[str]) -> None:
        """The job's generate event is in the history (or was not to be recorded)."""
        ids = [(i,) for i in ids]
        if not ids:
            return
        with self._lock:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany("DELETE FROM generate_pending WHERE id = ?", ids)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _recover_pending(self) -> None:
        """Record the generate event of rows whose process died before recording it."""
        assert self._conn is not None
        rows = self._conn.execute("SELECT id, job_id, pid FROM generate_pending").fetchall()
        jobs: dict[str, list[str]] = {}
        for aid, job_id, pid in rows:
            if not _process_alive(pid):
                jobs.setdefault(job_id, []).append(aid)
        for job_id, ids in jobs.items():
            arts = [_to_artifact(r, self.root) for r in self._conn.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM artifacts WHERE id IN "
                f"({','.join('?' * len(ids))})", ids)]
            if arts and not self._job_recorded(job_id):
                arts.sort(key=lambda a: (a.metadata.get("index", 0), a.id))
                req = GenerationRequest.from_dict(arts[0].metadata.get("request", {}))
                self.record(
                    "generate", ts=arts[0].created, modality=req.modality, task=req.task,
                    prompt=req.prompt, params=dict(req.params), model=req.model,
                    seed=req.seed, generator=req.generator,
                    artifacts=[a.id for a in arts], parent=req.parent, job_id=job_id,
                )
                if self.job_recorded is not None and not self._job_recorded(job_id):
                    continue  # the history cannot take it now; try again next time
            self.mark_recorded(ids)

    def _job_recorded(self, job_id: str) -> bool:
        if self.job_recorded is None:
            return False
        try:
            return self.job_recorded(job_id)
        except StudioError as exc:
            raise StudioError(f"the history cannot be read: {exc}") from exc

    # -- writing ---------------------------------------------------------------

    def add(
        self,
        outputs: Iterable[Output],
        request: GenerationRequest,
        plugin_version: str = "",
        job_id: str | None = None,
    ) -> list[Artifact]:
        """Write each output atomically, then index them all in one transaction.

        All or nothing: on any failure every file and thumbnail this call wrote is
        removed and nothing is indexed; a full disk or another OS error becomes a
        one-line ``LibraryWriteError``.
        """
        self.open()  # a damaged index refuses before any file is written
        now = time.time()
        made: list[Artifact] = []
        written: list[Path] = []
        planned: list[str] = []
        where = str(self.db_path)
        committed = False
        try:
            for index, output in enumerate(outputs):
                aid = new_id()
                meta: dict[str, Any] = {
                    "request": request.to_dict(),
                    "generator": request.generator,
                    "plugin_version": plugin_version,
                    "index": index,
                    **dict(output.metadata),
                }
                data, ext = writers.encode(output, meta)
                day = time.strftime("%Y/%m", time.localtime(now))
                path = self.files / day / f"{aid}{ext}"
                where = str(self.db_path)
                self._plan_files(aid, (path, self.thumbnail_path(aid)))
                planned.append(aid)
                where = str(path)
                written.append(path)
                write_atomic(path, data)
                fault_point("library.after_file")
                if output.kind in ("image", "video", "audio"):
                    where = str(self.thumbnail_path(aid))
                    written.append(self.thumbnail_path(aid))
                    # A video's thumbnail is its poster frame (issue #12), a clip's
                    # its waveform (issue #11).
                    self._write_thumbnail(aid, writers.thumbnail_image(output))
                    fault_point("library.after_thumbnail")
                seed = output.metadata.get("seed", request.seed)
                made.append(Artifact(
                    id=aid,
                    kind=output.kind,
                    path=str(path),
                    modality=request.modality,
                    task=request.task,
                    prompt=request.prompt,
                    text=output.data if output.kind == "text" else None,
                    params=dict(request.params),
                    seed=seed,
                    model=str(output.metadata.get("model", request.model)),
                    generator=request.generator,
                    plugin_version=plugin_version,
                    content_hash=hashlib.sha256(data).hexdigest(),
                    metadata=meta,
                    parent=request.parent,
                    job_id=job_id,
                    created=now,
                    modified=now,
                ))
            where = str(self.db_path)
            pending = job_id if job_id is not None and self.will_record(job_id) else None
            self._insert_many(made, pending)
            committed = True
            fault_point("library.after_index")
        except BaseException as exc:
            self._undo_add(made if committed else [], written, planned)
            error = _save_error(exc, where)
            if error is None:
                raise
            raise error from exc
        return made

    def _undo_add(self, indexed: list[Artifact], written: list[Path],
                  planned: list[str]) -> None:
        """Remove what a failed ``add`` wrote: no orphan file may keep a prompt (issue #10)."""
        removed = True
        for path in written:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                removed = False
                log.warning("could not remove %s after a failed save", path, exc_info=True)
        if removed:
            # A file that could not be removed keeps its row: the next open retries.
            self._forget_planned(planned)
        if not indexed:
            return
        ids = [(a.id,) for a in indexed]
        try:
            with self._lock:
                conn = self.conn
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.executemany("DELETE FROM artifacts WHERE id = ?", ids)
                    conn.executemany("DELETE FROM artifacts_fts WHERE id = ?", ids)
                    conn.executemany("DELETE FROM generate_pending WHERE id = ?", ids)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
        except (StudioError, sqlite3.Error):
            log.warning("could not unindex %d artifact(s) after a failed save", len(ids),
                        exc_info=True)

    # -- files written before their index rows (issue #10) -------------------------

    def _plan_files(self, artifact_id: str, paths: Iterable[Path]) -> None:
        """Note (committed) the files about to be written for ``artifact_id``: if this
        process dies before their rows are indexed, the next open deletes them."""
        rows = [(self.stored_path(str(p)), artifact_id, os.getpid()) for p in paths]
        with self._lock:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(
                    "INSERT OR REPLACE INTO pending_files (path, artifact_id, pid) "
                    "VALUES (?, ?, ?)", rows)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _forget_planned(self, artifact_ids: Iterable[str]) -> None:
        """Drop the notes of files that were removed again (a failed save or import)."""
        ids = [(i,) for i in artifact_ids]
        if not ids:
            return
        try:
            with self._lock:
                conn = self.conn
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.executemany("DELETE FROM pending_files WHERE artifact_id = ?", ids)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
        except (StudioError, sqlite3.Error) as exc:
            # Harmless: the next open finds the files gone and drops the notes.
            log.info("notes of removed files stay until the next open: %s", exc)

    def _remove_unfinished_files(self) -> None:
        """Delete the files (and temp files) of saves whose process died before indexing
        them; a live process's save in progress is left alone."""
        assert self._conn is not None
        conn = self._conn
        rows = conn.execute("SELECT path, artifact_id, pid FROM pending_files").fetchall()
        alive: dict[int, bool] = {}
        dead = []
        for stored, aid, pid in rows:
            if pid not in alive:
                alive[pid] = _process_alive(pid)
            if not alive[pid]:
                dead.append((stored, aid))
        if not dead:
            return
        folders = [self.files.resolve(), self.thumbs.resolve()]
        removed = 0
        for stored, aid in dead:
            if conn.execute("SELECT 1 FROM artifacts WHERE id = ?", (aid,)).fetchone():
                continue  # indexed after all: the file is the artifact's
            path = self.resolve(stored)
            if not any(path.resolve().is_relative_to(f) for f in folders):
                continue  # only what the library itself writes is ever deleted here
            for leftover in [path, *path.parent.glob(f".{glob.escape(path.name)}.*.tmp")]:
                if leftover.is_file() and not leftover.is_symlink():
                    leftover.unlink()
                    removed += 1
        with self._lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany("DELETE FROM pending_files WHERE path = ?",
                                 [(stored,) for stored, _aid in dead])
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        if removed:
            log.info("removed %d file(s) of interrupted saves", removed)

    def thumbnail_path(self, artifact_id: str) -> Path:
        """A small JPEG for browsing; a full-size decode per tile would stall the UI."""
        return self.thumbs / f"{artifact_id}.jpg"

    def _write_thumbnail(self, artifact_id: str, image: Any) -> None:
        import io

        thumb = image.convert("RGB")
        thumb.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
        buf = io.BytesIO()
        thumb.save(buf, format="JPEG", quality=85)
        write_atomic(self.thumbnail_path(artifact_id), buf.getvalue())

    def _row(self, art: Artifact) -> dict[str, Any]:
        row = art.to_dict()
        row.setdefault("text", None)
        row["path"] = self.stored_path(row["path"])
        row["params"] = json.dumps(row["params"], default=str)
        row["metadata"] = json.dumps(row["metadata"], default=str)
        row["favourite"] = int(row["favourite"])
        row["linked"] = int(row["linked"])
        return row

    def _insert_many(self, arts: Sequence[Artifact], pending_job: str | None) -> None:
        """Index ``arts`` in one transaction; with ``pending_job`` they wait for its event."""
        cols = ", ".join(_COLUMNS)
        marks = ", ".join(f":{c}" for c in _COLUMNS)
        with self._lock:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(f"INSERT INTO artifacts ({cols}) VALUES ({marks})",
                                 [self._row(a) for a in arts])
                conn.executemany("INSERT INTO artifacts_fts (id, prompt, text) VALUES (?, ?, ?)",
                                 [(a.id, a.prompt, a.text or "") for a in arts])
                if pending_job is not None:
                    conn.executemany(
                        "INSERT INTO generate_pending (id, job_id, pid) VALUES (?, ?, ?)",
                        [(a.id, pending_job, os.getpid()) for a in arts])
                conn.executemany("DELETE FROM pending_files WHERE artifact_id = ?",
                                 [(a.id,) for a in arts])
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def stored_path(self, path: str) -> str:
        """How the index stores ``path``: relative under the data folder, else absolute."""
        rel = relative_path(Path(path), self.root)
        return rel if rel is not None else str(path)

    def resolve(self, stored: str) -> Path:
        """The file a stored path names (relative ones are under the data folder)."""
        return _resolve(self.root, stored)

    # -- existing files (studio/app/library_import.py, issue #19) -----------------

    def content_hashes(self) -> set[str]:
        """The sha256 of every indexed file: what an import skips as already here."""
        return {row[0] for row in self.conn.execute("SELECT content_hash FROM artifacts")}

    def store_existing(
        self,
        source: Path,
        data: bytes,
        content_hash: str,
        created: float,
        request: GenerationRequest | None,
        metadata: Mapping[str, Any],
        link: bool = False,
        thumbnail: Any = None,
    ) -> Artifact:
        """Copy a user's file into the library (or, with ``link``, reference it in place)
        and write its thumbnail; ``index_existing`` then makes it visible.

        A linked source is only ever read: nothing in the library writes, moves or
        deletes it (see ``_remove_file``).
        """
        aid = new_id()
        day = time.strftime("%Y/%m", time.localtime(created))
        path = (Path(source).resolve() if link
                else self.files / day / f"{aid}{Path(source).suffix.lower()}")
        # A linked source is the user's own: never noted, so never deleted.
        self._plan_files(aid, ([] if link else [path])
                         + ([self.thumbnail_path(aid)] if thumbnail is not None else []))
        try:
            if not link:
                write_atomic(path, data)
                fault_point("library.import.after_file")
            if thumbnail is not None:
                self._write_thumbnail(aid, thumbnail)
        except BaseException:
            try:
                self._remove_file(aid, str(path), link)
            except OSError:
                log.warning("could not remove %s after a failed import", path, exc_info=True)
            else:
                self._forget_planned([aid])
            raise
        req = request or GenerationRequest(modality="image")
        return Artifact(
            id=aid, kind="image", path=str(path), modality=req.modality, task=req.task,
            prompt=req.prompt, params=dict(req.params), seed=req.seed, model=req.model,
            generator=req.generator, content_hash=content_hash, metadata=dict(metadata),
            created=created, modified=created, linked=link,
        )

    def index_existing(self, arts: Sequence[Artifact], pending: Iterable[str] = ()) -> None:
        """Index stored files in one transaction; the ids in ``pending`` are also marked
        as awaiting their history event until ``clear_pending`` names them."""
        rows = []
        for art in arts:
            row = art.to_dict()
            row.setdefault("text", None)
            row["params"] = json.dumps(row["params"], default=str)
            row["metadata"] = json.dumps(row["metadata"], default=str)
            row["favourite"], row["linked"] = int(row["favourite"]), int(row["linked"])
            row["path"] = self.stored_path(row["path"])
            rows.append(row)
        cols = ", ".join(_COLUMNS)
        marks = ", ".join(f":{c}" for c in _COLUMNS)
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                self.conn.executemany(f"INSERT INTO artifacts ({cols}) VALUES ({marks})", rows)
                self.conn.executemany(
                    "INSERT INTO artifacts_fts (id, prompt, text) VALUES (?, ?, ?)",
                    [(a.id, a.prompt, a.text or "") for a in arts],
                )
                self.conn.executemany("INSERT INTO import_pending (id) VALUES (?)",
                                      [(i,) for i in pending])
                self.conn.executemany("DELETE FROM pending_files WHERE artifact_id = ?",
                                      [(a.id,) for a in arts])
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                # Not indexed, so not kept: no stray copy may outlive a failed import.
                for art in arts:
                    self._remove_file(art.id, art.path, art.linked)
                self._forget_planned(a.id for a in arts)
                raise

    def pending_events(self) -> list[Artifact]:
        """Indexed imports whose history event was not written (an interrupted import)."""
        cols = ", ".join(f"a.{c}" for c in _COLUMNS)
        return [_to_artifact(r, self.root) for r in self.conn.execute(
            f"SELECT {cols} FROM artifacts a JOIN import_pending p ON p.id = a.id "
            "ORDER BY a.created"
        )]

    def clear_pending(self, ids: Iterable[str]) -> None:
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.executemany("DELETE FROM import_pending WHERE id = ?",
                                  [(i,) for i in ids])
            self.conn.execute("COMMIT")

    def _remove_file(self, artifact_id: str, path: str, linked: bool) -> None:
        # A linked artifact's file is the user's own, outside the library: dropping it
        # from the library removes only what the library made (row, thumbnail).
        if not linked:
            self.resolve(path).unlink(missing_ok=True)
        self.thumbnail_path(artifact_id).unlink(missing_ok=True)

    # -- reading ---------------------------------------------------------------

    def get(self, artifact_id: str) -> Artifact:
        conn = self._reader()
        row = None if conn is None else conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM artifacts WHERE id = ?", (artifact_id,)
        ).fetchone()
        if row is None:
            raise RequestError(f"no artifact {artifact_id!r} in the library")
        return _to_artifact(row, self.root)

    def list(
        self,
        search: str | None = None,
        kind: str | None = None,
        trashed: bool = False,
        favourites: bool = False,
        limit: int = 100,
        *,
        modality: str | None = None,
        min_rating: int | None = None,
        since: float | None = None,
        until: float | None = None,
        parent: str | None = None,
        order: str = "newest",
    ) -> list[Artifact]:
        """Artifacts matching every filter given; ``order`` is newest, oldest or rating.

        ``since``/``until`` bound the creation time (epoch seconds, ``until`` excluded);
        ``parent`` lists what was made from that artifact.
        """
        if order not in _ORDERS:
            raise RequestError(f"order must be one of {', '.join(_ORDERS)}, got {order!r}")
        where = ["a.trashed IS NOT NULL" if trashed else "a.trashed IS NULL"]
        args: list[Any] = []
        for clause, value in (("a.modality = ?", modality), ("a.rating >= ?", min_rating),
                              ("a.created >= ?", since), ("a.created < ?", until),
                              ("a.parent = ?", parent)):
            if value is not None:
                where.append(clause)
                args.append(value)
        join = ""
        if search:
            join = "JOIN artifacts_fts f ON f.id = a.id"
            where.append("artifacts_fts MATCH ?")
            args.append(_fts_query(search))
        if kind:
            where.append("a.kind = ?")
            args.append(kind)
        if favourites:
            where.append("a.favourite = 1")
        cols = ", ".join(f"a.{c}" for c in _COLUMNS)
        sql = (f"SELECT {cols} FROM artifacts a {join} WHERE {' AND '.join(where)} "
               f"ORDER BY {_ORDERS[order]} LIMIT ?")
        conn = self._reader()
        if conn is None:
            return []
        return [_to_artifact(r, self.root) for r in conn.execute(sql, (*args, limit))]

    def count(self) -> int:
        conn = self._reader()
        return 0 if conn is None else conn.execute("SELECT COUNT(*) FROM artifacts").fetchone()[0]

    # -- user actions (each one is recorded in the history) ---------------------

    def trash(self, artifact_id: str) -> None:
        """Move to the trash; the file stays until the trash is emptied, so undo is exact."""
        self._update(artifact_id, trashed=time.time())
        self.record("delete", target=artifact_id)

    def restore(self, artifact_id: str) -> None:
        self._update(artifact_id, trashed=None)
        self.record("restore", target=artifact_id)

    def set_favourite(self, artifact_id: str, favourite: bool = True) -> None:
        self._update(artifact_id, favourite=int(favourite))
        self.record("favourite" if favourite else "unfavourite", target=artifact_id)

    def keep(self, artifact_id: str) -> None:
        self.get(artifact_id)
        self.record("keep", target=artifact_id)

    def rate(self, artifact_id: str, rating: int) -> None:
        if not isinstance(rating, int) or not 1 <= rating <= 5:
            raise RequestError(f"rating must be 1 to 5, got {rating!r}")
        self._update(artifact_id, rating=rating)
        self.record("rate", target=artifact_id, value=rating)

    def unrate(self, artifact_id: str) -> None:
        """Clear the rating (the window's undo of a first rating, issue #14)."""
        self._update(artifact_id, rating=None)
        self.record("undo", action="rate", target=artifact_id)

    def empty_trash(self) -> int:
        """Delete trashed artifacts and their files for good; returns how many."""
        rows = self.conn.execute(
            "SELECT id, path, linked FROM artifacts WHERE trashed IS NOT NULL"
        ).fetchall()
        for aid, path, linked in rows:
            self._remove_file(aid, path, bool(linked))
            with self._lock:
                self.conn.execute("BEGIN")
                self.conn.execute("DELETE FROM artifacts WHERE id = ?", (aid,))
                self.conn.execute("DELETE FROM artifacts_fts WHERE id = ?", (aid,))
                self.conn.execute("COMMIT")
        return len(rows)

    def erase(self) -> int:
        """Delete every artifact, its file and its index row, leaving no copy behind.

        Every file under ``library/`` and ``thumbs/`` goes, indexed or not (a save cut
        short can leave one, and its PNG chunks hold the prompt), with the temp files of
        interrupted writes and the copies of a damaged index. A damaged index is deleted
        whole. Linked files are the user's own and stay. ``secure_delete`` (set on every
        connection) overwrites the freed pages; VACUUM and a truncating checkpoint drop
        them and the write-ahead log from disk. Returns how many artifacts were indexed
        (how many files were under ``library/`` when the index was damaged).
        """
        with self._lock:
            try:
                conn = None if self._reader() is None else self.conn
            except LibraryDamaged:
                conn = None
            rows = [] if conn is None else conn.execute(
                "SELECT id, path, linked FROM artifacts").fetchall()
            for aid, path, linked in rows:
                self._remove_file(aid, path, bool(linked))
            if conn is not None:
                conn.execute("BEGIN")
                conn.execute("DELETE FROM artifacts")
                conn.execute("DELETE FROM artifacts_fts")
                conn.execute("DELETE FROM import_pending")
                conn.execute("DELETE FROM generate_pending")
                conn.execute("DELETE FROM pending_files")
                conn.execute("COMMIT")
                conn.execute("VACUUM")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            elif self._damage is not None or self.db_path.exists():
                self.close()
                for name in (DB_NAME, *(DB_NAME + s for s in ("-wal", "-shm", "-journal"))):
                    (self.root / name).unlink(missing_ok=True)
                self._damage = None
            unindexed = _remove_tree_files(self.files)
            _remove_tree_files(self.thumbs)
            for derived in DERIVED_FOLDERS:
                _remove_tree_files(self.root / derived)
            for leftover in [*self.root.glob(f"{DB_NAME}.broken-*"),
                             *self.root.glob(f".{DB_NAME}.repair*")]:
                leftover.unlink(missing_ok=True)
        return len(rows) if conn is not None else unindexed

    def _update(self, artifact_id: str, **changes: Any) -> None:
        self.get(artifact_id)
        sets = ", ".join(f"{k} = ?" for k in changes)
        with self._lock:
            self.conn.execute(
                f"UPDATE artifacts SET {sets}, modified = ? WHERE id = ?",
                (*changes.values(), time.time(), artifact_id),
            )


class LibraryWriteError(StudioError):
    """Saving to the library failed (a full disk, a read-only folder); nothing was kept."""


def _save_error(exc: BaseException, where: str) -> LibraryWriteError | None:
    """The one-line error for a failed save, or None for errors that are bugs."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return LibraryWriteError(f"no space left on device while saving {where}")
    if is_disk_full(exc):
        return LibraryWriteError(f"no space left on device while saving {where}")
    if isinstance(exc, OSError):
        return LibraryWriteError(f"could not save {where}: {exc.strerror or exc}")
    return None


def _remove_tree_files(folder: Path) -> int:
    """Delete every file under ``folder`` and its emptied subfolders; return the count."""
    if not folder.is_dir():
        return 0
    count = 0
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):
                path.rmdir()
        else:
            path.unlink(missing_ok=True)
            count += not path.name.startswith(".")
    return count


def _resolve(root: Path, stored: str) -> Path:
    path = Path(stored)
    return path if path.is_absolute() else root / path


def _process_alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (this one counts as running)."""
    if pid == os.getpid():
        return True
    if os.name == "nt":
        import ctypes

        kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _to_artifact(row: tuple, root: Path) -> Artifact:
    data = dict(zip(_COLUMNS, row, strict=False))
    data["path"] = str(_resolve(root, data["path"]))
    data["params"] = json.loads(data["params"])
    data["metadata"] = json.loads(data["metadata"])
    data["favourite"] = bool(data["favourite"])
    data["linked"] = bool(data["linked"])
    return Artifact(**data)


def _fts_query(text: str) -> str:
    # Quote each word so user input is never parsed as FTS syntax (AND, NEAR, "-", ...).
    words = [w.replace('"', '""') for w in text.split() if w.strip()]
    return " ".join(f'"{w}"*' for w in words) or '""'
