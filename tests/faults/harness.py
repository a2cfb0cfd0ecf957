"""The fault suite's machinery: run the real command line in a child process with a
fault armed, then check what it left in the data folder.

Shared by the CI tests in this folder and by ``python -m bench.faults`` (the long run),
so both count the same things the same way. The checks read the data folder directly
(SQLite, files), not through the app, so a bug in the app's readers cannot hide a
bug in its writers.
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SITE = Path(__file__).resolve().parent / "_site"
#: The packs the child processes see besides the installed ones (see _site/sitecustomize.py).
TEST_PACKS = "fake=tests.fakes.fake_pack"
ENV_FAULT = "STUDIO_FAULT_POINT"

#: Lines a successful or failed command may print on stderr besides its one message.
_PROGRESS = re.compile(r"^(loading model\.\.\.|step \d+/\d+( eta \d+s)?)$")
_POINT_CALL = re.compile(r"""fault_point\(\s*["']([A-Za-z0-9_.\-]+)["']""")

#: point prefix -> the workload (command) that reaches it; the rest: ``generate``.
WORKLOAD_PREFIXES = (
    ("history.import.", "import"),
    ("history.batch.", "import"),
    ("history.erase.", "forget"),
    ("library.repair.", "repair"),
    ("import.", "library_import"),
    ("library.import.", "library_import"),
    ("settings.repair.", "settings_repair"),
)

#: Points after a generation's files are saved: a failure there (ENOSPC, a bug) leaves
#: the command successful with one warning line; the next open records what is late.
AFTER_SAVE_POINTS = frozenset({"engine.before_record", "engine.after_record"})

# -- fault points ------------------------------------------------------------------


def discover_points(roots: tuple[str, ...] = ("studio", "plugins")) -> list[str]:
    """Every ``fault_point("name")`` in the source, sorted (the suite follows the code)."""
    names: set[str] = set()
    for root in roots:
        for path in (REPO / root).rglob("*.py"):
            if path.name == "faults.py" and path.parent.name == "app":
                continue  # the mechanism itself; its docstring names an example
            names.update(_POINT_CALL.findall(path.read_text(encoding="utf-8")))
    return sorted(names)


def workload_of(point: str) -> str:
    """The name of the workload (see ``workload``) that reaches ``point``."""
    for prefix, name in WORKLOAD_PREFIXES:
        if point.startswith(prefix):
            return name
    return "generate"


# -- running the command line --------------------------------------------------------


@dataclass
class Run:
    args: list[str]
    fault: str | None
    rc: int
    stdout: str
    stderr: str
    #: the faults that acted, as ``name:action`` (the child logs each before acting)
    acted: list[str] = field(default_factory=list)

    @property
    def reached(self) -> bool:
        return bool(self.acted)

    @property
    def killed(self) -> bool:
        return self.rc == -9

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.stderr

    def message_lines(self) -> list[str]:
        """stderr without progress output: what the user is told."""
        return [ln for ln in self.stderr.splitlines() if ln.strip() and not _PROGRESS.match(ln)]

    def command(self, data_dir: Path) -> str:
        """A shell line that reproduces this run."""
        env = f"{ENV_FAULT}={self.fault} " if self.fault else ""
        quoted = " ".join(_quote(a) for a in self.args)
        return (f"PYTHONPATH={SITE.relative_to(REPO)}:. STUDIO_TEST_PACKS={TEST_PACKS} "
                f"STUDIO_DATA_DIR={data_dir} {env}.venv/bin/python -m studio.cli.main {quoted}")


def _quote(arg: str) -> str:
    return arg if re.fullmatch(r"[\w./=:,@+-]+", arg) else "'" + arg.replace("'", "'\\''") + "'"


def prepare_data_dir(data_dir: Path) -> None:
    """A data folder whose settings keep the device on the CPU (no torch import)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = data_dir / "settings.json"
    if not settings.exists():
        settings.write_text(json.dumps({"device": "cpu"}), encoding="utf-8")


def cli_env(data_dir: Path, fault: str | None = None, fault_log: Path | None = None,
            extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in (ENV_FAULT, "STUDIO_INCOGNITO", "STUDIO_PASSPHRASE",
                        "STUDIO_NO_PLUGINS", "STUDIO_LOAD_PLUGINS")}
    env.update({
        "STUDIO_DATA_DIR": str(data_dir),
        "STUDIO_TEST_PACKS": TEST_PACKS,
        "PYTHONPATH": os.pathsep.join([str(SITE), str(REPO)]),
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    })
    if fault:
        env[ENV_FAULT] = fault
    if fault_log is not None:
        env["STUDIO_TEST_FAULT_LOG"] = str(fault_log)
    env.update(extra or {})
    return env


def run_cli(args: list[str], data_dir: Path, fault: str | None = None,
            timeout: float = 120, env: dict[str, str] | None = None) -> Run:
    """``python -m studio.cli.main ARGS`` in a child process; never raises on its failure."""
    fd, name = tempfile.mkstemp(prefix="studio-faults-", suffix=".log")
    os.close(fd)
    log = Path(name)
    try:
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "studio.cli.main", *args], cwd=REPO,
                env=cli_env(data_dir, fault, log, env), capture_output=True, text=True,
                timeout=timeout, stdin=subprocess.DEVNULL,
            )
            rc, out, err = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
            rc, err = 124, err + f"\n(timed out after {timeout} s)"
        acted = log.read_text(encoding="utf-8").split()
    finally:
        log.unlink(missing_ok=True)
    return Run(list(args), fault, rc, out, err, acted)


def generate_args(prompt: str, seed: int, batch: int = 1, out: Path | None = None,
                  sets: tuple[str, ...] = ()) -> list[str]:
    args = ["generate", "image", "--generator", "fake.image", "--prompt", prompt,
            "--seed", str(seed), "--set", "steps=1", "--set", f"batch_size={batch}", "--json"]
    for item in sets:
        args += ["--set", item]
    if out is not None:
        args += ["--out", str(out)]
    return args


def committed_ids(run: Run) -> list[str]:
    """Artifact ids a successful ``generate --json`` reported as stored."""
    if run.rc != 0:
        return []
    try:
        return [a["id"] for a in json.loads(run.stdout)["artifacts"]]
    except (ValueError, KeyError, TypeError):
        return []


def write_history_file(path: Path, prefix: str, rng: random.Random) -> int:
    """A JSONL history whose every line names ``prefix`` (as id or target); returns lines."""
    lines = []
    ids = [f"{prefix}{i}" for i in range(rng.randint(2, 6))]
    ts = 1_700_000_000 + rng.randint(0, 10**6)
    for n, ext in enumerate(ids):
        lines.append({"ts": ts + n * 60, "type": "generate", "id": ext, "modality": "image",
                      "prompt": f"{prefix} a lighthouse {n}", "params": {"steps": 20}})
    for n in range(rng.randint(1, 6)):
        kind = rng.choice(["keep", "favourite", "rate"])
        line: dict[str, Any] = {"ts": ts + 3600 + n, "type": kind, "target": rng.choice(ids)}
        if kind == "rate":
            line["value"] = rng.randint(1, 5)
        lines.append(line)
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return len(lines)


# -- checking the data folder --------------------------------------------------------


@dataclass
class Ledger:
    """What the runs reported as done, to be found again after every fault."""

    artifacts: set[str] = field(default_factory=set)
    #: prefix of an imported file's ids -> its line count (once the import completed)
    imports: dict[str, int] = field(default_factory=dict)
    #: False once the user erased the history: indexed artifacts keep no event then
    events_kept: bool = True


@dataclass
class Findings:
    integrity_failures: list[str] = field(default_factory=list)
    artifacts_lost: list[str] = field(default_factory=list)
    events_lost: list[str] = field(default_factory=list)
    events_duplicated: list[str] = field(default_factory=list)
    partial_files: list[str] = field(default_factory=list)
    #: temp files of interrupted atomic writes; none may survive the library's next open
    temp_files: list[str] = field(default_factory=list)
    #: complete files (library/, thumbs/) no index row names (a kill between the file
    #: and its row); none may survive the library's next open
    orphan_files: list[str] = field(default_factory=list)

    PROBLEMS = ("integrity_failures", "artifacts_lost", "events_lost", "events_duplicated",
                "partial_files")

    def problems(self) -> dict[str, list[str]]:
        return {k: getattr(self, k) for k in self.PROBLEMS if getattr(self, k)}

    def leftovers(self) -> list[str]:
        """Orphans and temp files: a kill may leave them, a later open must remove them."""
        return [*self.orphan_files, *self.temp_files]


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path), isolation_level=None, timeout=30)


def is_database(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def databases(data_dir: Path) -> list[Path]:
    """The data folder's live SQLite files (not the backups of damaged ones)."""
    return sorted(p for p in data_dir.rglob("*") if p.is_file() and ".broken" not in p.name
                  and not p.name.endswith(("-wal", "-shm", "-journal")) and is_database(p))


def integrity(path: Path) -> str:
    try:
        conn = _connect(path)
        try:
            return "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check").fetchall())
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return f"{type(exc).__name__}: {exc}"


def read_events(data_dir: Path) -> list[tuple[int, str, dict[str, Any]]]:
    """(id, type, payload) of every event in the history, oldest first."""
    path = data_dir / "history.sqlite"
    if not path.exists():
        return []
    conn = _connect(path)
    try:
        rows = conn.execute("SELECT id, type, enc, payload FROM events ORDER BY id").fetchall()
    finally:
        conn.close()
    out = []
    for eid, etype, enc, payload in rows:
        out.append((eid, etype, {} if enc else json.loads(payload)))
    return out


def read_index(data_dir: Path) -> tuple[list[tuple[str, str, str]], set[str]]:
    """(id, kind, path) of every indexed artifact, and the ids awaiting their event
    (rows of the index's ``*_pending`` tables: a save or import the next open finishes)."""
    path = data_dir / "library.sqlite"
    if not path.exists():
        return [], set()
    conn = _connect(path)
    try:
        rows = conn.execute("SELECT id, kind, path FROM artifacts").fetchall()
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_pending' "
            "ESCAPE '\\'")]
        pending = {r[0] for t in tables for r in conn.execute(f'SELECT id FROM "{t}"')}
    finally:
        conn.close()
    return rows, pending


def file_is_whole(path: Path) -> bool:
    """Whether a library file decodes completely (a torn write does not)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".png", ".jpg", ".jpeg", ".webp"):
            from PIL import Image

            with Image.open(path) as im:
                im.load()
            return True
        if suffix == ".md":
            from studio.app.writers import read_markdown

            meta, _ = read_markdown(path.read_bytes())
            return bool(meta)
        if suffix == ".flac":
            import soundfile as sf

            sf.read(str(path))
            return True
        return path.stat().st_size > 0
    except Exception:
        return False


def check_state(data_dir: Path, ledger: Ledger, copies: tuple[Path, ...] = (),
                recovered: bool = False) -> Findings:
    """Everything the fault suite requires of a data folder after any fault.

    ``copies``: folders given to ``--out``; a file there under its final name is whole.
    An artifact may wait for its event in a ``*_pending`` table right after a fault;
    ``recovered``: a later run opened the folder since, so nothing may be waiting.
    """
    found = Findings()
    for folder in copies:
        if folder.is_dir():
            for p in sorted(folder.iterdir()):
                if p.is_file() and not p.name.startswith(".") and not file_is_whole(p):
                    found.partial_files.append(f"{p}: copy does not decode")
    for db in databases(data_dir):
        status = integrity(db)
        if status != "ok":
            found.integrity_failures.append(f"{db.name}: {status}")
    settings = data_dir / "settings.json"
    if settings.exists():
        try:
            json.loads(settings.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            found.partial_files.append(f"settings.json: {exc}")
    for p in data_dir.rglob("*"):
        if p.is_file() and p.name.startswith(".") and p.name.endswith(".tmp"):
            found.temp_files.append(str(p.relative_to(data_dir)))
    try:
        events = read_events(data_dir)
        rows, pending = read_index(data_dir)
    except sqlite3.DatabaseError as exc:
        found.integrity_failures.append(f"unreadable: {exc}")
        return found

    # Every artifact a run reported, and every indexed one, has its file and its event.
    generated: Counter[str] = Counter()
    for _eid, etype, payload in events:
        if etype == "generate":
            for aid in payload.get("artifacts") or ():
                generated[aid] += 1
    # Relative paths are under the data folder (an absolute one stays as it is).
    indexed = {aid: (kind, str(data_dir / path)) for aid, kind, path in rows}
    for aid in sorted(ledger.artifacts - set(indexed)):
        found.artifacts_lost.append(f"{aid}: reported stored, not in the index")
    for aid, (_kind, path) in sorted(indexed.items()):
        file = Path(path)
        if not file.is_file():
            found.artifacts_lost.append(f"{aid}: indexed, its file {path} is missing")
        elif not file_is_whole(file):
            found.partial_files.append(f"{path}: indexed but does not decode")
        if ledger.events_kept and not generated.get(aid) and (recovered or aid not in pending):
            found.events_lost.append(f"{aid}: indexed without a generate event"
                                     + (" (still pending after a later run)"
                                        if aid in pending else ""))
    for aid, n in sorted(generated.items()):
        if n > 1:
            found.events_duplicated.append(f"{aid}: in {n} generate events")

    # No file under a final name is partial; files nobody indexed are counted.
    library = data_dir / "library"
    if library.is_dir():
        names = {(data_dir / p).resolve() for _a, _k, p in rows}
        for p in sorted(library.rglob("*")):
            if not p.is_file() or p.name.startswith("."):
                continue
            if not file_is_whole(p):
                found.partial_files.append(f"{p.relative_to(data_dir)}: does not decode")
            elif p.resolve() not in names:
                found.orphan_files.append(str(p.relative_to(data_dir)))
    thumbs = data_dir / "thumbs"
    if thumbs.is_dir():
        for p in sorted(thumbs.iterdir()):
            if not p.is_file() or p.name.startswith("."):
                continue
            if not file_is_whole(p):
                found.partial_files.append(f"{p.relative_to(data_dir)}: does not decode")
            elif p.stem not in indexed:
                found.orphan_files.append(str(p.relative_to(data_dir)))

    # Imported files: each line is one event, exactly once.
    for prefix, lines in sorted(ledger.imports.items()):
        n = count_imported(events, prefix)
        if n < lines:
            found.events_lost.append(f"import {prefix}: {n} events for {lines} lines")
        elif n > lines:
            found.events_duplicated.append(f"import {prefix}: {n} events for {lines} lines")
    return found


def count_imported(events: list[tuple[int, str, dict[str, Any]]], prefix: str) -> int:
    """Events that came from the imported file whose ids all start with ``prefix``."""
    n = 0
    for _eid, _etype, payload in events:
        name = payload.get("ref") if _etype == "generate" else payload.get("target")
        if isinstance(name, str) and name.startswith(prefix):
            n += 1
    return n


# -- workloads: a command that reaches a fault point, over a folder with data in it ---


@dataclass
class Workload:
    """A command to run with a fault armed, and what it must leave whatever happens."""

    name: str
    args: list[str]
    ledger: Ledger
    copies: tuple[Path, ...] = ()
    #: (prefix, lines) of a history file this command imports: counted once it completed
    imported: tuple[str, int] | None = None
    #: the command erases the whole history: once it completed, no event is left
    erases: bool = False


class SetupFailed(RuntimeError):
    """A clean run that prepares a workload failed (not the fault under test)."""


def _must(run: Run) -> Run:
    if run.rc != 0:
        raise SetupFailed(f"setup run failed (rc {run.rc}): {' '.join(run.args)}\n{run.stderr}")
    return run


def _a1111_png(path: Path, prompt: str, seed: int) -> None:
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", f"{prompt}\nNegative prompt: blurry\nSteps: 20, Sampler: "
                                f"Euler a, CFG scale: 7, Seed: {seed}, Size: 16x16")
    Image.new("RGB", (16, 16), (seed % 256, 40, 90)).save(path, pnginfo=info)


def workload(name: str, data_dir: Path, work: Path) -> Workload:
    """Prepare ``data_dir`` (clean runs) for workload ``name`` and return its command."""
    prepare_data_dir(data_dir)
    work.mkdir(parents=True, exist_ok=True)
    ledger = Ledger()
    if name in ("forget", "repair"):
        ledger.artifacts.update(committed_ids(_must(
            run_cli(generate_args("before the fault", 1, batch=2), data_dir))))
    if name == "generate":
        out = work / "out"
        return Workload(name, generate_args("during the fault", 2, batch=2, out=out), ledger,
                        (out,))
    if name == "import":
        history = work / "history.jsonl"
        lines = write_history_file(history, "hx", random.Random(7))
        return Workload(name, ["profile", "import", "--history", str(history)], ledger,
                        imported=("hx", lines))
    if name == "forget":
        history = work / "forget.jsonl"
        write_history_file(history, "fx", random.Random(8))
        _must(run_cli(["profile", "import", "--history", str(history)], data_dir))
        ledger.events_kept = False
        return Workload(name, ["profile", "forget", "--yes"], ledger, erases=True)
    if name == "repair":
        return Workload(name, ["library", "repair"], ledger)
    if name == "library_import":
        folder = work / "pictures"
        folder.mkdir(exist_ok=True)
        for i in range(3):
            _a1111_png(folder / f"made-elsewhere-{i}.png", f"a castle {i}", i)
        return Workload(name, ["library", "import", str(folder)], ledger)
    if name == "settings_repair":
        (data_dir / "settings.json").write_text(
            json.dumps({"device": "cpu", "half_life_days": "soon"}), encoding="utf-8")
        return Workload(name, ["library", "list"], ledger)
    raise ValueError(f"unknown workload {name!r}")
