"""The output library: files written atomically plus a SQLite index with full-text search.

Fault points (tests/faults), in the order ``add`` reaches them for each output:
``library.after_file``, ``library.after_thumbnail`` (images), ``library.after_index``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.api import GenerationRequest, Output, RequestError
from studio.app import writers
from studio.app.faults import fault_point
from studio.app.jobs import new_id
from studio.app.migrations import Migrations, connect
from studio.app.paths import private_dir
from studio.app.settings import write_atomic

Recorder = Callable[..., None]

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


class Library:
    """Artifacts under ``root/library/YYYY/MM/`` indexed in ``root/library.sqlite``."""

    def __init__(self, root: Path, recorder: Recorder | None = None) -> None:
        self.root = Path(root)
        self.files = self.root / "library"
        private_dir(self.files)  # 700: the user's images and texts (issue #10)
        self.thumbs = self.root / "thumbs"
        private_dir(self.thumbs)
        self.conn = connect(str(self.root / "library.sqlite"), "library index")
        migrations.migrate(self.conn, "library index")
        self._lock = threading.RLock()
        self.record: Recorder = recorder or (lambda *a, **k: None)

    def close(self) -> None:
        self.conn.close()

    # -- writing ---------------------------------------------------------------

    def add(
        self,
        outputs: Iterable[Output],
        request: GenerationRequest,
        plugin_version: str = "",
        job_id: str | None = None,
    ) -> list[Artifact]:
        """Write each output atomically and index it; returns the new artifacts."""
        now = time.time()
        made: list[Artifact] = []
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
            write_atomic(path, data)
            fault_point("library.after_file")
            if output.kind == "image":
                self._write_thumbnail(aid, output.data)
                fault_point("library.after_thumbnail")
            seed = output.metadata.get("seed", request.seed)
            art = Artifact(
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
            )
            self._insert(art)
            fault_point("library.after_index")
            made.append(art)
        return made

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

    def _insert(self, art: Artifact) -> None:
        row = art.to_dict()
        row.setdefault("text", None)
        row["params"] = json.dumps(row["params"], default=str)
        row["metadata"] = json.dumps(row["metadata"], default=str)
        row["favourite"] = int(row["favourite"])
        row["linked"] = int(row["linked"])
        cols = ", ".join(_COLUMNS)
        marks = ", ".join(f":{c}" for c in _COLUMNS)
        with self._lock:
            self.conn.execute("BEGIN")
            self.conn.execute(f"INSERT INTO artifacts ({cols}) VALUES ({marks})", row)
            self.conn.execute(
                "INSERT INTO artifacts_fts (id, prompt, text) VALUES (?, ?, ?)",
                (art.id, art.prompt, art.text or ""),
            )
            self.conn.execute("COMMIT")

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
        if link:
            path = Path(source).resolve()
        else:
            day = time.strftime("%Y/%m", time.localtime(created))
            path = self.files / day / f"{aid}{Path(source).suffix.lower()}"
            write_atomic(path, data)
        if thumbnail is not None:
            self._write_thumbnail(aid, thumbnail)
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
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def pending_events(self) -> list[Artifact]:
        """Indexed imports whose history event was not written (an interrupted import)."""
        cols = ", ".join(f"a.{c}" for c in _COLUMNS)
        return [_to_artifact(r) for r in self.conn.execute(
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
            Path(path).unlink(missing_ok=True)
        self.thumbnail_path(artifact_id).unlink(missing_ok=True)

    # -- reading ---------------------------------------------------------------

    def get(self, artifact_id: str) -> Artifact:
        row = self.conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM artifacts WHERE id = ?", (artifact_id,)
        ).fetchone()
        if row is None:
            raise RequestError(f"no artifact {artifact_id!r} in the library")
        return _to_artifact(row)

    def list(
        self,
        search: str | None = None,
        kind: str | None = None,
        trashed: bool = False,
        favourites: bool = False,
        limit: int = 100,
    ) -> list[Artifact]:
        where = ["a.trashed IS NOT NULL" if trashed else "a.trashed IS NULL"]
        args: list[Any] = []
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
               "ORDER BY a.created DESC LIMIT ?")
        return [_to_artifact(r) for r in self.conn.execute(sql, (*args, limit))]

    def count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM artifacts").fetchone()[0]

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

        ``secure_delete`` (set on every connection) overwrites the freed pages; VACUUM
        and a truncating checkpoint drop them and the write-ahead log from disk.
        """
        rows = self.conn.execute("SELECT id, path, linked FROM artifacts").fetchall()
        for aid, path, linked in rows:
            self._remove_file(aid, path, bool(linked))
        with self._lock:
            self.conn.execute("BEGIN")
            self.conn.execute("DELETE FROM artifacts")
            self.conn.execute("DELETE FROM artifacts_fts")
            self.conn.execute("DELETE FROM import_pending")
            self.conn.execute("COMMIT")
            self.conn.execute("VACUUM")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for folder in sorted(self.files.rglob("*"), reverse=True):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        return len(rows)

    def _update(self, artifact_id: str, **changes: Any) -> None:
        self.get(artifact_id)
        sets = ", ".join(f"{k} = ?" for k in changes)
        with self._lock:
            self.conn.execute(
                f"UPDATE artifacts SET {sets}, modified = ? WHERE id = ?",
                (*changes.values(), time.time(), artifact_id),
            )


def _to_artifact(row: tuple) -> Artifact:
    data = dict(zip(_COLUMNS, row, strict=False))
    data["params"] = json.loads(data["params"])
    data["metadata"] = json.loads(data["metadata"])
    data["favourite"] = bool(data["favourite"])
    data["linked"] = bool(data["linked"])
    return Artifact(**data)


def _fts_query(text: str) -> str:
    # Quote each word so user input is never parsed as FTS syntax (AND, NEAR, "-", ...).
    words = [w.replace('"', '""') for w in text.split() if w.strip()]
    return " ".join(f'"{w}"*' for w in words) or '""'
