"""Import a folder of images made elsewhere (AUTOMATIC1111, ComfyUI, InvokeAI...) (issue #19).

Each image is read for its generation metadata, added to the library (copied, or
referenced in place with ``link``) and recorded as a ``generate`` event at its
original time, so the profile and the suggestions learn from it at once.

Order of writes, for a safe resume after any interruption: the files of a batch,
then their index rows in one transaction (marked "event pending"), then their
events in one transaction, then the marks are cleared. A re-run skips every file
whose bytes are already indexed and first writes the events still pending, after
checking the history for ones that were stored just before the interruption, so
no item ever gets two events or none.

Files are read, hashed and decoded a few ahead on worker threads, and written on a
few more (decoding and fsync overlap); the index and the history are written on
the caller's thread. The source folder is only read: nothing here opens a source
file for writing. Hidden files and folders are skipped.

Fault point (tests/faults): ``import.after_rows``, between a batch's index rows and
its events.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import math
import os
import sqlite3
import stat
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.api import CancelToken, GenerationRequest, RequestError, StudioError
from studio.app.faults import fault_point

if TYPE_CHECKING:
    from studio.app.library import Artifact, Library
    from studio.app.metadata import FileMetadata
    from studio.app.studio import Studio

log = logging.getLogger(__name__)

#: File name endings read as images (compared in lower case).
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})
#: Files indexed (and events recorded) per transaction: few commits, little lost work.
BATCH = 64
#: Most threads reading and decoding files ahead of the writer.
READERS = 4
#: Larger files are skipped, not read into memory (the metadata reader's limit too).
MAX_BYTES = 1 << 30
#: The skip reason of an image that carries no settings (counted, imported by ``--all``).
NO_METADATA = "no generation metadata"

#: The names users know the tools by, for the tool ids ``FileMetadata.tool`` holds.
TOOL_NAMES = {
    "studio": "Studio", "automatic1111": "AUTOMATIC1111", "comfyui": "ComfyUI",
    "invokeai": "InvokeAI", "fooocus": "Fooocus", "novelai": "NovelAI",
    "swarmui": "SwarmUI", "drawthings": "Draw Things", "easydiffusion": "Easy Diffusion",
}

#: ``progress(done, total, path)`` after each file; raising from it stops the import.
Progress = Callable[[int, int, Path], None]


@dataclass
class ImportSummary:
    seen: int = 0
    imported: int = 0
    duplicates: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    events: int = 0
    seconds: float = 0.0
    no_metadata: int = 0
    cancelled: bool = False
    dry_run: bool = False

    def skip(self, path: Path, reason: str) -> None:
        self.skipped.append({"path": str(path), "reason": reason})
        if reason == NO_METADATA:
            self.no_metadata += 1

    def to_dict(self) -> dict[str, Any]:
        return {"seen": self.seen, "imported": self.imported, "duplicates": self.duplicates,
                "skipped": list(self.skipped), "events": self.events,
                "seconds": round(self.seconds, 3), "no_metadata": self.no_metadata,
                "cancelled": self.cancelled, "dry_run": self.dry_run}


@dataclass(frozen=True)
class _Found:
    """One readable image: its bytes, settings (None without any) and thumbnail."""

    path: Path
    data: bytes
    digest: str
    tool: str
    request: GenerationRequest | None
    created: float
    thumbnail: Any


class _Skip(Exception):
    """A file that is not imported, and why (never raised out of this module)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def import_folder(
    studio: Studio,
    folder: Path | str,
    *,
    link: bool = False,
    dry_run: bool = False,
    include_all: bool = False,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> ImportSummary:
    """Import every image under ``folder`` into ``studio``'s library; see the module notes.

    ``dry_run`` reads and reports without writing anything (the library is not even
    opened for writing). ``include_all`` also imports images without metadata (no
    event: they say nothing about the user's taste). ``cancel`` is checked between
    files. Raises ``RequestError`` when ``folder`` is not a folder.
    """
    start = time.perf_counter()
    root = check_folder(folder)
    summary = ImportSummary(dry_run=dry_run)
    unreadable: list[tuple[Path, str]] = []
    files = list(walk_images(root, exclude=Path(studio.root), unreadable=unreadable))
    for path, reason in unreadable:
        summary.skip(path, reason)
    if dry_run:
        known = _read_only_hashes(Path(studio.root))
        writer = None
    else:
        writer = _Writer(studio, studio.library, link)
        writer.resolve_pending()
        known = studio.library.content_hashes()
    seen_now: set[str] = set()
    results = _examine_ahead(files, known, seen_now, include_all)
    try:
        for n, (path, outcome) in enumerate(results, 1):
            if cancel is not None and cancel.cancelled:
                summary.cancelled = True
                break
            summary.seen += 1
            if isinstance(outcome, _Skip):
                summary.skip(path, outcome.reason)
            elif outcome is None or outcome.digest in seen_now:
                summary.duplicates += 1
            else:
                seen_now.add(outcome.digest)
                summary.imported += 1
                if writer is not None:
                    writer.add(outcome)
                elif outcome.request is not None and studio.recording:
                    summary.events += 1
            if progress is not None:
                progress(n, len(files), path)
    finally:
        # Whatever stopped the loop (done, cancelled, an exception from the progress
        # callback, Ctrl-C), the files already written are indexed and recorded.
        results.close()
        if writer is not None:
            writer.close()
            summary.events += writer.events
        summary.seconds = time.perf_counter() - start
    return summary


def _examine_ahead(files: list[Path], known: set[str] | frozenset[str], seen_now: set[str],
                   include_all: bool) -> Generator[tuple[Path, _Found | _Skip | None]]:
    """Each file's outcome in order (None: a duplicate), read a few files ahead.

    Reading, hashing and decoding run on worker threads (Pillow's decoders and
    hashlib release the GIL); the caller decides in order what is written. At most
    ``2 * workers`` files are in flight, so memory stays flat, and a stop (cancel, an
    exception) waits only for the files being read.
    """
    workers = max(1, min(READERS, os.cpu_count() or 1))

    def outcome(path: Path) -> _Found | _Skip | None:
        try:
            return _examine(path, known, seen_now, include_all)
        except _Skip as skip:
            return None if skip.reason == "duplicate" else skip

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="studio-import")
    ahead: deque[tuple[Path, Future]] = deque()
    queue = iter(files)
    try:
        for path in itertools.islice(queue, 2 * workers):
            ahead.append((path, pool.submit(outcome, path)))
        while ahead:
            path, future = ahead.popleft()
            following = next(queue, None)
            if following is not None:
                ahead.append((following, pool.submit(outcome, following)))
            yield path, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def check_folder(folder: Path | str) -> Path:
    path = Path(folder).expanduser()
    if not path.is_dir():
        what = "does not exist" if not path.exists() else "is not a folder"
        raise RequestError(f"{path} {what}: give a folder of images to import")
    return path


def walk_images(root: Path, exclude: Path | None = None,
                unreadable: list[tuple[Path, str]] | None = None) -> Iterator[Path]:
    """Image files under ``root``, sorted, skipping hidden files and folders.

    Symbolic links to folders are followed once: a folder reached again (a link
    loop, or two links to one place) is not walked twice. Folders that cannot be
    listed are added to ``unreadable`` with the reason.
    """
    def walk_error(exc: OSError) -> None:
        if unreadable is not None:
            unreadable.append((Path(exc.filename or root),
                               f"folder cannot be read: {exc.strerror or exc}"))

    visited: set[tuple[int, int]] = set()
    skip_dir = _identity(exclude) if exclude is not None and exclude.exists() else None
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=walk_error):
        try:
            ident = _identity(Path(dirpath))
        except OSError as exc:  # removed while we walk
            walk_error(exc)
            dirnames[:] = []
            continue
        if ident in visited or ident == skip_dir:
            dirnames[:] = []
            continue
        visited.add(ident)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and Path(name).suffix.lower() in IMAGE_SUFFIXES:
                yield Path(dirpath) / name


def _identity(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_dev, st.st_ino


# -- reading one file -----------------------------------------------------------------


def _examine(path: Path, known: set[str] | frozenset[str], seen_now: set[str],
             include_all: bool) -> _Found:
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise _Skip("not a regular file")  # a pipe named .png would block the read
        if st.st_size == 0:
            raise _Skip("empty file")
        if st.st_size > MAX_BYTES:
            raise _Skip(f"larger than {MAX_BYTES / 2**20:g} MiB")
        data = path.read_bytes()
    except OSError as exc:
        raise _Skip(f"cannot be read: {exc.strerror or exc}") from exc
    digest = hashlib.sha256(data).hexdigest()
    # Before any decoding: a re-run over an imported folder costs only reading and hashing.
    if digest in seen_now or digest in known:
        raise _Skip("duplicate")
    tool, request, created = _metadata(path, include_all)
    thumbnail = _thumbnail(data)
    return _Found(path, data, digest, tool, request, created or st.st_mtime, thumbnail)


def _metadata(path: Path, include_all: bool) -> tuple[str, GenerationRequest | None,
                                                      float | None]:
    from studio.app.metadata import NoMetadata

    try:
        meta = read_metadata(path)
    except NoMetadata as exc:
        if include_all:
            return "", None, None
        raise _Skip(NO_METADATA) from exc
    except RequestError as exc:
        raise _Skip(_reason(exc, path)) from exc
    except Exception as exc:
        # Files from elsewhere can be malformed in ways no reader foresees: that file
        # is reported, the import goes on.
        log.info("import: reading the metadata of %s failed", path, exc_info=True)
        raise _Skip(f"unreadable metadata ({type(exc).__name__}: {exc})") from exc
    return meta.tool, meta.request, meta.created


def read_metadata(path: Path) -> FileMetadata:
    """A file's generation metadata; ``RequestError`` (one line naming the file) if none."""
    from studio.app.metadata import read_file_metadata

    return read_file_metadata(path)


def tool_name(tool: str) -> str:
    """How the user knows the tool a file came from ("comfyui" -> "ComfyUI")."""
    return TOOL_NAMES.get(tool, tool or "an unknown tool")


def _reason(exc: Exception, path: Path) -> str:
    # The reader's one-line messages name the file; the report already does.
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for prefix in (f"{path}: ", f"{path} is ", f"{path} "):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


def _thumbnail(data: bytes) -> Any:
    """Decode once, at reduced size where the format allows (JPEG draft mode)."""
    from PIL import Image

    from studio.app.library import THUMBNAIL_PX

    try:
        with Image.open(io.BytesIO(data)) as im:
            im.draft("RGB", (THUMBNAIL_PX, THUMBNAIL_PX))
            im.load()
            # A box reduction by the whole factor first: a 512 px image becomes its
            # 256 px thumbnail at a third of the cost of a Lanczos resize.
            factor = max(1, min(im.size) // THUMBNAIL_PX)
            thumb = im.reduce(factor) if factor > 1 else im.copy()
    except Exception as exc:
        # Truncated, corrupt or not an image at all: decoders raise many kinds.
        raise _Skip(f"not a readable image ({type(exc).__name__}: {exc})") from exc
    if thumb.mode not in ("RGB", "L"):
        thumb = thumb.convert("RGB")
    thumb.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    return thumb


# -- writing --------------------------------------------------------------------------


class _Writer:
    """Stores files as they come (on a few threads: the writes wait on the disk) and
    indexes/records them a batch at a time, each batch only once all its files are
    written."""

    def __init__(self, studio: Studio, library: Library, link: bool) -> None:
        self.studio = studio
        self.library = library
        self.link = link
        self.workers = max(1, min(READERS, os.cpu_count() or 1))
        self.pool = ThreadPoolExecutor(max_workers=self.workers,
                                       thread_name_prefix="studio-import-write")
        self.batch: list[tuple[Future, bool]] = []  # (the stored artifact, has settings)
        self.events = 0

    def add(self, found: _Found) -> None:
        # Few files wait for the disk at a time, so their bytes do not pile up in memory.
        running = [f for f, _ in self.batch if not f.done()]
        if len(running) >= 2 * self.workers:
            wait(running, return_when=FIRST_COMPLETED)
        self.batch.append((self.pool.submit(self._store, found), found.request is not None))
        if len(self.batch) >= BATCH:
            self.flush()

    def _store(self, found: _Found) -> Artifact:
        meta: dict[str, Any] = {"imported": {"source": str(found.path), "tool": found.tool}}
        if found.request is not None:
            meta["request"] = found.request.to_dict()
        try:
            return self.library.store_existing(
                found.path, found.data, found.digest, found.created, found.request, meta,
                link=self.link, thumbnail=found.thumbnail)
        except OSError as exc:
            raise StudioError(f"cannot write to the library at {self.library.root}: "
                              f"{exc.strerror or exc}") from exc

    def flush(self) -> None:
        """Index the stored batch in one transaction, then record its events in one."""
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        stored: list[tuple[Artifact, bool]] = []
        failure: BaseException | None = None
        for future, has_settings in batch:
            try:
                stored.append((future.result(), has_settings))
            except BaseException as exc:
                failure = failure or exc
        # Incognito or paused: imported, but nothing is recorded now or on a later run.
        to_record = ([art for art, has in stored if has] if self.studio.recording else [])
        if stored:
            self.library.index_existing([art for art, _ in stored],
                                        pending=[a.id for a in to_record])
            fault_point("import.after_rows")
            self._record(to_record)
        if failure is not None:
            raise failure

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=False)

    def resolve_pending(self) -> None:
        """Write the events an interrupted import left pending."""
        if not self.studio.recording:
            return
        pending = self.library.pending_events()
        if not pending:
            return
        ids = {a.id for a in pending}
        # The events may have been stored just before the interruption, marks not yet
        # cleared: those are not written twice.
        done: set[str] = set()
        for event in self.studio.history.events(types=["generate"]):
            done.update(event.mentions() & ids)
        if done:
            self.library.clear_pending(done)
        self._record([a for a in pending if a.id not in done])

    def _record(self, arts: list[Artifact]) -> None:
        if not arts:
            return
        stored = self.studio.record_many("generate", [event_fields(a) for a in arts])
        self.events += stored
        # Refused (a locked history): the marks stay, and the next run tries again.
        if stored == len(arts):
            self.library.clear_pending(a.id for a in arts)


def event_fields(art: Artifact) -> dict[str, Any]:
    """The ``generate`` event of an imported artifact, at its original time."""
    return {
        "ts": art.created, "modality": art.modality or "image", "task": art.task,
        "prompt": art.prompt, "params": _storable(art.params), "model": art.model,
        "seed": art.seed, "generator": art.generator, "artifacts": [art.id],
        "imported_from": str(art.metadata.get("imported", {}).get("tool", "")),
    }


def _storable(params: Any) -> dict[str, Any]:
    # NaN/inf (a "CFG scale: nan" someone typed) cannot be stored; the rest is kept.
    return {k: v for k, v in dict(params).items()
            if not (isinstance(v, float) and not math.isfinite(v))}


def _read_only_hashes(root: Path) -> frozenset[str]:
    """For a dry run: look up hashes without creating or migrating the library index."""
    path = root / "library.sqlite"
    if not path.exists():
        return frozenset()
    # With no write-ahead log beside it the file is the whole index: open it immutable,
    # or SQLite would create the -wal/-shm files even for a read-only connection.
    flags = "mode=ro" if Path(f"{path}-wal").exists() else "mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?{flags}", uri=True)
        conn.execute("SELECT 1 FROM artifacts LIMIT 1")
    except sqlite3.DatabaseError as exc:
        raise StudioError(f"the library index at {path} cannot be read: {exc}") from exc
    # Scanned once: an index from before the hash index existed is read the same way.
    hashes = frozenset(row[0] for row in conn.execute("SELECT content_hash FROM artifacts"))
    conn.close()
    return hashes
