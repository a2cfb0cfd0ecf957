"""``studio library repair``: rebuild the library index from the files themselves.

Every file Studio saves carries its request: PNG images in a ``studio`` iTXt chunk,
Markdown texts in their front matter, FLAC audio in its comment. The new index is
built in a temp file beside the old one and renamed over it only when complete, so
an interrupted repair leaves the old index as it was. What only the old index knew
(favourite, rating, trash, creation time, job) is kept for every row of it that can
still be read; the damaged index itself is backed up once first.

Fault points (tests/faults): ``library.repair.after_build`` (the new index is
complete, the old one untouched), ``library.repair.after_replace`` (renamed).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.api import GenerationRequest, StudioError
from studio.app import writers
from studio.app.faults import fault_point
from studio.app.library import (
    _COLUMNS,
    Artifact,
    Library,
    LibraryWriteError,
    migrations,
    relative_path,
)
from studio.app.library_health import DB_NAME, SIDECARS, backup_once

log = logging.getLogger(__name__)

_KINDS = {".png": "image", ".md": "text", ".flac": "audio"}
#: What only the index knows; kept from the old index where its row can be read.
_STATE = ("favourite", "rating", "trashed", "created", "modified", "job_id", "linked")


@dataclass
class RepairReport:
    seen: int = 0  # files under library/
    rebuilt: int = 0  # artifacts in the new index
    kept_state: int = 0  # of which the old index still had a readable row
    unreadable: list[str] = field(default_factory=list)  # files with no readable metadata
    backup: str | None = None  # the copy of the old index, if one was needed

    def to_dict(self) -> dict[str, Any]:
        return {"seen": self.seen, "rebuilt": self.rebuilt, "kept_state": self.kept_state,
                "unreadable": list(self.unreadable), "backup": self.backup}


def repair(root: Path) -> RepairReport:
    """Rebuild ``root/library.sqlite`` from the files under ``root/library``."""
    root = Path(root)
    db = root / DB_NAME
    report = RepairReport()
    old = _OldIndex(db)
    try:
        arts, pending = _collect(root, old, report)
    finally:
        old.close()
    copy = backup_once(db) if db.exists() and db.stat().st_size else None
    report.backup = str(copy) if copy else None
    tmp = root / f".{DB_NAME}.repair-{os.getpid()}"
    try:
        _build(tmp, root, arts, pending)
        fault_point("library.repair.after_build")
        # A WAL left beside the new file would be replayed into it: the old one goes
        # first (it is in the backup).
        for suffix in SIDECARS:
            Path(str(db) + suffix).unlink(missing_ok=True)
        os.replace(tmp, db)
        _fsync_dir(root)
        fault_point("library.repair.after_replace")
    except OSError as exc:
        _remove_db(tmp)
        raise LibraryWriteError(f"could not write the new library index {db}: "
                                f"{exc.strerror or exc}") from exc
    except BaseException:
        _remove_db(tmp)
        raise
    report.rebuilt = len(arts)
    lib = Library(root)
    try:
        for art in arts:
            if art.kind == "image" and not lib.thumbnail_path(art.id).exists():
                _thumbnail(lib, art)
    finally:
        lib.close()
    return report


class _OldIndex:
    """Best-effort reads from the old index: each row alone, so one bad page costs only
    the rows on it."""

    def __init__(self, db: Path) -> None:
        self.conn: sqlite3.Connection | None = None
        if not db.exists() or db.stat().st_size == 0:
            return
        try:
            self.conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            self.conn.execute("SELECT 1 FROM artifacts LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            log.warning("the old library index cannot be read: %s", exc)
            self.close()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def row(self, aid: str) -> dict[str, Any] | None:
        if self.conn is None:
            return None
        try:
            row = self.conn.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM artifacts WHERE id = ?", (aid,)
            ).fetchone()
            return dict(zip(_COLUMNS, row, strict=True)) if row else None
        except (sqlite3.DatabaseError, ValueError):
            return None

    def linked_ids(self) -> list[str]:
        """Ids of linked artifacts (files outside the data folder), as far as readable."""
        if self.conn is None:
            return []
        try:
            return [r[0] for r in self.conn.execute("SELECT id FROM artifacts WHERE linked = 1")]
        except sqlite3.DatabaseError:
            return []

    def pending(self, table: str, aid: str) -> tuple | None:
        if self.conn is None:
            return None
        try:
            return self.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (aid,)).fetchone()
        except sqlite3.DatabaseError:
            return None


def _collect(root: Path, old: _OldIndex,
             report: RepairReport) -> tuple[list[Artifact], dict[str, list[tuple]]]:
    arts: list[Artifact] = []
    files = root / "library"
    paths = sorted(p for p in files.rglob("*") if p.is_file() and not p.name.startswith(".")) \
        if files.is_dir() else []
    report.seen = len(paths)
    for path in paths:
        aid = path.stem
        prior = old.row(aid)
        try:
            art = _from_file(path, aid, prior)
        except Exception as exc:  # any unreadable file is reported, never fatal
            log.info("%s: %s", path, exc)
            art = None
        if art is None and prior is not None:
            try:
                art = _from_row(prior, path)
            except (TypeError, ValueError) as exc:
                log.info("%s: its old row is unusable: %s", path, exc)
        if art is None:
            report.unreadable.append(str(path))
            continue
        report.kept_state += prior is not None
        arts.append(art)
    seen = {a.id for a in arts}
    for aid in old.linked_ids():
        prior = old.row(aid)
        if aid not in seen and prior is not None and Path(prior["path"]).is_file():
            try:
                arts.append(_from_row(prior, Path(prior["path"])))
            except (TypeError, ValueError):
                continue
            report.kept_state += 1
    pending: dict[str, list[tuple]] = {"generate_pending": [], "import_pending": []}
    for art in arts:
        for table, rows in pending.items():
            row = old.pending(table, art.id)
            if row is not None:
                rows.append(tuple(row))
    return arts, pending


def _from_file(path: Path, aid: str, prior: dict[str, Any] | None) -> Artifact | None:
    """The artifact a file describes through its embedded metadata, or None if it has none."""
    kind = _KINDS.get(path.suffix.lower())
    if kind is None:
        return None
    data = path.read_bytes()
    text = None
    if kind == "image":
        from PIL import Image

        with Image.open(path) as im:
            raw = im.text.get(writers.PNG_JSON_KEY)  # type: ignore[attr-defined]
        meta = json.loads(raw) if raw else None
    elif kind == "text":
        meta, text = writers.read_markdown(data)
    else:
        import soundfile as sf

        with sf.SoundFile(path) as f:
            meta = json.loads(f.comment) if f.comment else None
    if not isinstance(meta, dict) or not isinstance(meta.get("request"), dict):
        return None
    req = GenerationRequest.from_dict(meta["request"])
    mtime = path.stat().st_mtime
    state: dict[str, Any] = {"created": mtime, "modified": mtime}
    if prior is not None:
        state.update({k: prior[k] for k in _STATE})
        state["favourite"] = bool(state["favourite"])
        state["linked"] = bool(state["linked"])
    return Artifact(
        id=aid, kind=kind, path=str(path), modality=req.modality, task=req.task,
        prompt=req.prompt, text=text, params=dict(req.params),
        seed=meta.get("seed", req.seed), model=str(meta.get("model", req.model)),
        generator=str(meta.get("generator", req.generator)),
        plugin_version=str(meta.get("plugin_version", "")),
        content_hash=hashlib.sha256(data).hexdigest(), metadata=meta, parent=req.parent,
        **state,
    )


def _from_row(prior: dict[str, Any], path: Path) -> Artifact:
    """An old index row for a file without embedded metadata (an imported JPEG)."""
    data = dict(prior)
    data["path"] = str(path)
    data["params"] = json.loads(data["params"] or "{}")
    data["metadata"] = json.loads(data["metadata"] or "{}")
    data["favourite"], data["linked"] = bool(data["favourite"]), bool(data["linked"])
    return Artifact(**data)


def _build(tmp: Path, root: Path, arts: list[Artifact],
           pending: dict[str, list[tuple]]) -> None:
    _remove_db(tmp)
    conn = sqlite3.connect(str(tmp), isolation_level=None)
    try:
        migrations.migrate(conn, "library index")
        rows = []
        for art in arts:
            row = art.to_dict()
            row.setdefault("text", None)
            rel = relative_path(Path(row["path"]), root)
            row["path"] = rel if rel is not None and not art.linked else row["path"]
            row["params"] = json.dumps(row["params"], default=str)
            row["metadata"] = json.dumps(row["metadata"], default=str)
            row["favourite"], row["linked"] = int(row["favourite"]), int(row["linked"])
            rows.append(row)
        cols = ", ".join(_COLUMNS)
        marks = ", ".join(f":{c}" for c in _COLUMNS)
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO artifacts ({cols}) VALUES ({marks})", rows)
        conn.executemany("INSERT INTO artifacts_fts (id, prompt, text) VALUES (?, ?, ?)",
                         [(a.id, a.prompt, a.text or "") for a in arts])
        for table, items in pending.items():
            if items:
                marks = ",".join("?" * len(items[0]))
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", items)
        conn.execute("COMMIT")
    finally:
        conn.close()
    with tmp.open("rb+") as f:
        os.fsync(f.fileno())
    if os.name == "posix":
        tmp.chmod(0o600)


def _thumbnail(lib: Library, art: Artifact) -> None:
    from PIL import Image

    try:
        with Image.open(art.path) as im:
            lib._write_thumbnail(art.id, im)
    except (OSError, StudioError, ValueError) as exc:
        log.warning("no thumbnail for %s: %s", art.path, exc)


def _remove_db(path: Path) -> None:
    for suffix in ("", *SIDECARS):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
