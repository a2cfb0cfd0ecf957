"""The accelerated runtime: a separate Python environment holding the right torch.

The app ships (or the developer set-up installs) a CPU torch. When the machine
has a GPU, ``install(variant)`` builds ``<data>/runtime/<variant>`` with a pinned
``uv`` from a checked-in lock file (``packaging/locks/``), verifies it, and only
then makes it the active runtime; the engine's worker process then runs on that
runtime's Python (``worker_python``). Until then, and whenever the runtime is
missing or broken, the worker runs on the app's own Python.

Layout under ``<data>/runtime/``:

- ``<variant>.new/``  an install in progress; never used, removed by the next try;
- ``<variant>/``      a verified runtime;
- ``<variant>.old/``  the runtime being replaced, only between two renames;
- ``active.json``     which runtime is active (written atomically: the switch);
- ``cache/``          uv's download cache: an interrupted download starts again
                      from the wheels already fetched.

Only the torch stack (torch, torchaudio and their own dependencies) lives in the
runtime. Studio, its packs and their pure-Python dependencies come from the app:
the worker starts with a bootstrap that appends the app's site folders after the
runtime's own (``site.addsitedir``, so the app's ``.pth`` files and editable
installs work too). The runtime's torch is found first; everything else is the
app's, at the version the app runs. That is chosen over a ``.pth`` file written
into the runtime because the paths are the app's *current* ones at every start:
an app moved or updated never runs a stale copy. It needs the runtime's Python to
be the app's Python version (the app's compiled packages are built for it); the
runtime is created from the app's interpreter, and ``status`` reports a mismatch.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import site
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from studio.api import StudioError
from studio.app import hardware
from studio.app.paths import data_dir, private_dir
from studio.app.settings import write_atomic

log = logging.getLogger(__name__)

ENV_LOCKS_DIR = "STUDIO_LOCKS_DIR"  # where the lock files are (tests, frozen apps)
ENV_UV = "STUDIO_UV"  # the uv executable to use instead of the pinned one
ENV_NO_RUNTIME = "STUDIO_NO_RUNTIME"  # 1: the worker runs on the app's Python
ACTIVE_FILE = "active.json"

#: Disk a runtime takes once installed, in bytes. cu130 is measured (torch,
#: torchaudio and the nvidia-* wheels of torch 2.11 on Linux: 4.45 GiB); the
#: others are estimates from their wheel sizes. The free space asked for is
#: 1.5x this: the downloaded wheels sit in the cache while they are unpacked.
INSTALLED_BYTES = {
    "cpu": int(1.0 * 2**30),
    "mps": int(0.6 * 2**30),
    "cu126": int(5.5 * 2**30),
    "cu128": int(5.5 * 2**30),
    "cu130": int(4.5 * 2**30),
}
SPACE_FACTOR = 1.5

VERIFY_TIMEOUT_S = 300.0

#: Run in the new runtime's Python (a child process; this module never imports torch):
#: imports torch, checks the device the variant is for, and runs one tiny kernel on
#: it. Prints one JSON line.
_VERIFY_SCRIPT = r"""
import json, sys
variant = sys.argv[1]
torch = __import__("torch")
info = {"torch": str(torch.__version__), "python": "%d.%d" % sys.version_info[:2]}
if variant.startswith("cu"):
    if not torch.cuda.is_available():
        print(json.dumps({**info, "error": "torch sees no CUDA device"}))
        sys.exit(3)
    device = "cuda"
    info["device_name"] = str(torch.cuda.get_device_name(0))
elif variant == "mps":
    if not torch.backends.mps.is_available():
        print(json.dumps({**info, "error": "torch sees no Metal (MPS) device"}))
        sys.exit(3)
    device = "mps"
else:
    device = "cpu"
x = torch.ones(8, device=device)
value = float((x * 2).sum().item())
if value != 16.0:
    print(json.dumps({**info, "error": "a test kernel gave %r instead of 16" % value}))
    sys.exit(3)
info["device"] = device
print(json.dumps(info))
"""

#: The worker's bootstrap: the app's site folders after the runtime's own, then the
#: worker's main. ``sys.argv[1]`` is a JSON list of folders.
WORKER_BOOTSTRAP = (
    "import json, site, sys; "
    "[site.addsitedir(p) for p in json.loads(sys.argv[1])]; "
    "from studio.app.worker_process import child_entry; child_entry()"
)


@dataclass
class RuntimeStatus:
    """What ``studio runtime status`` shows."""

    active: str  # the variant the worker runs on, or "" for the app's own Python
    python: str  # the interpreter the worker uses
    recommended: str
    reason: str
    installed: list[str]
    torch: str = ""
    device_name: str = ""
    problem: str = ""  # a runtime is recorded but unusable (repair fixes it)
    leftovers: list[str] | None = None  # interrupted installs waiting to be cleaned

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- where things are ---------------------------------------------------------------


def python_version() -> str:
    """This interpreter's ``major.minor``: the runtime has to match it."""
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def runtime_root() -> Path:
    return data_dir() / "runtime"


def locks_dir() -> Path:
    """The checked-in lock files: beside the source tree, or in a frozen app's folder."""
    override = os.environ.get(ENV_LOCKS_DIR)
    if override:
        return Path(override)
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "packaging" / "locks"
    return Path(__file__).resolve().parents[2] / "packaging" / "locks"


def lock_name(variant: str, os_name: str | None = None, arch: str | None = None,
              python: tuple[int, int] | None = None) -> str:
    os_name = os_name or hardware.current_os()
    arch = arch or hardware.current_arch()
    major, minor = python or sys.version_info[:2]
    return f"{os_name}-{arch}-{variant}-py{major}{minor}.txt"


def lock_file(variant: str) -> Path:
    """The lock for ``variant`` on this OS, architecture and Python, or a one-line error."""
    check_variant(variant)
    path = locks_dir() / lock_name(variant)
    if not path.is_file():
        have = sorted(p.name for p in locks_dir().glob("*.txt")) if locks_dir().is_dir() else []
        raise StudioError(f"no lock file for the {variant} runtime on this machine "
                          f"({path.name} is not in {locks_dir()}; there are: "
                          f"{', '.join(have) or 'none'}); packaging/make_locks.sh makes them")
    return path


def check_variant(variant: str) -> None:
    if variant not in hardware.VARIANTS:
        raise StudioError(f"unknown runtime variant {variant!r} "
                          f"(choose one of: {', '.join(hardware.VARIANTS)})")


def python_in(folder: Path) -> Path:
    """The interpreter of the environment in ``folder``."""
    if os.name == "nt":
        return folder / "Scripts" / "python.exe"
    return folder / "bin" / "python"


def _read_active(root: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((root / ACTIVE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        log.warning("%s is unreadable; the worker runs on the app's Python",
                    root / ACTIVE_FILE)
        return None
    return data if isinstance(data, dict) and data.get("variant") in hardware.VARIANTS else None


def active_runtime(root: Path | None = None) -> tuple[str, Path] | None:
    """The active variant and its Python, when it is there; None otherwise.

    Reads only: a switch interrupted between its two renames leaves the runtime in
    ``<variant>.old``, which is used until ``repair`` (or the next install) renames
    it back.
    """
    root = root or runtime_root()
    active = _read_active(root)
    if active is None:
        return None
    variant = active["variant"]
    if active.get("python", python_version()) != python_version():
        return None  # built for the app's former Python: its compiled packages would not load
    for folder in (root / variant, root / f"{variant}.old"):
        python = python_in(folder)
        if python.is_file():
            return variant, python
    return None


def worker_python() -> str:
    """The interpreter the engine's worker process runs on.

    The active runtime's Python when one is installed and verified, else the app's
    own (``sys.executable``). ``STUDIO_NO_RUNTIME=1`` forces the app's own.
    """
    if os.environ.get(ENV_NO_RUNTIME, "").strip() not in ("", "0"):
        return sys.executable
    try:
        found = active_runtime()
    except StudioError:
        return sys.executable
    return str(found[1]) if found else sys.executable


#: Variables that would make the runtime's Python load the app's libraries or
#: modules instead of its own. PyInstaller's bootloader prepends its folder to
#: LD_LIBRARY_PATH (Linux) / DYLD_LIBRARY_PATH (macOS) and keeps the user's value
#: in ``<NAME>_ORIG``; that value is put back.
_LIBRARY_PATH_VARS = ("LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "DYLD_FRAMEWORK_PATH",
                      "DYLD_FALLBACK_LIBRARY_PATH", "LIBPATH")
_PYTHON_VARS = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONEXECUTABLE",
                "PYTHONUSERBASE", "PYTHONNOUSERSITE", "__PYVENV_LAUNCHER__", "VIRTUAL_ENV")


def worker_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (``os.environ``) cleaned for a Python that is not the app's.

    PYTHONPATH, PYTHONHOME and the like are dropped; library search paths are put
    back to what the user had before a frozen app changed them (``*_ORIG``), or
    dropped when the app set them from nothing; PyInstaller's own markers go too.
    """
    env = dict(os.environ if base is None else base)
    for name in _PYTHON_VARS:
        env.pop(name, None)
    for name in _LIBRARY_PATH_VARS:
        original = env.pop(f"{name}_ORIG", None)
        if original is not None:
            env[name] = original
        elif _frozen(env):
            env.pop(name, None)  # the bootloader set it from nothing
    for name in [n for n in env if n.startswith(("_PYI_", "_MEIPASS"))]:
        env.pop(name)
    env["PYTHONNOUSERSITE"] = "1"  # the user's own site-packages could shadow the runtime's torch
    return env


def _frozen(env: Mapping[str, str]) -> bool:
    return bool(getattr(sys, "frozen", False) or any(n.startswith(("_PYI_", "_MEIPASS"))
                                                     for n in env))


def host_paths() -> list[str]:
    """The app's folders the runtime's worker appends after its own site-packages.

    In a source or pip install: the app's site-packages (processed as site dirs, so
    editable installs and ``.pth`` files count) and any other non-standard-library
    folder on ``sys.path`` (a source checkout, a plugins folder).
    """
    base = {"base": sys.base_prefix, "platbase": sys.base_exec_prefix,
            "installed_base": sys.base_prefix, "installed_platbase": sys.base_exec_prefix}
    stdlib = {os.path.normcase(os.path.realpath(sysconfig.get_path(name, vars=base)))
              for name in ("stdlib", "platstdlib")}
    seen: set[str] = set()
    out: list[str] = []

    def add(path: str) -> None:
        if not path or not os.path.isdir(path):
            return
        real = os.path.normcase(os.path.realpath(path))
        in_stdlib = real in stdlib or any(real.startswith(s + os.sep) for s in stdlib)
        if real in seen or (in_stdlib and "site-packages" not in real
                            and "dist-packages" not in real):
            return
        seen.add(real)
        out.append(os.path.abspath(path))

    for path in site.getsitepackages() if hasattr(site, "getsitepackages") else ():
        add(path)
    for path in sys.path:
        add(path or os.getcwd())
    return out


# -- status ---------------------------------------------------------------------------


def status(hw: hardware.Hardware | None = None) -> RuntimeStatus:
    """The active runtime, what is installed, and what this machine should have."""
    root = runtime_root()
    recommended, reason = hardware.recommend(hw)
    installed = sorted(v for v in hardware.VARIANTS if python_in(root / v).is_file())
    leftovers = sorted(p.name for p in root.glob("*.new")) if root.is_dir() else []
    active = _read_active(root)
    found = active_runtime(root)
    result = RuntimeStatus(active="", python=sys.executable, recommended=recommended,
                           reason=reason, installed=installed, leftovers=leftovers)
    if active is not None:
        result.torch = str(active.get("torch", ""))
        result.device_name = str(active.get("device_name", ""))
        if active.get("python", python_version()) != python_version():
            result.problem = (f"the {active['variant']} runtime runs Python "
                              f"{active.get('python')} but the app runs {python_version()}; "
                              "`studio runtime repair` rebuilds it")
        elif found is None:
            result.problem = (f"the {active['variant']} runtime is recorded as active but its "
                              "folder is missing; `studio runtime repair` reinstalls it")
        else:
            result.active, result.python = found[0], str(found[1])
    return result


# -- install ------------------------------------------------------------------------------


ProgressFn = Callable[[str, str], None]  # (phase, line)


def uv_executable() -> str:
    """The pinned uv (its PyPI wheel's binary), or ``STUDIO_UV``."""
    override = os.environ.get(ENV_UV)
    if override:
        return override
    try:
        from uv import find_uv_bin  # the uv wheel's helper

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        pass
    found = shutil.which("uv")
    if found:
        return found
    raise StudioError("uv is not installed, so a runtime cannot be built "
                      "(pip install uv==0.13.9)")


def needed_bytes(variant: str) -> int:
    return int(INSTALLED_BYTES.get(variant, INSTALLED_BYTES["cu130"]) * SPACE_FACTOR)


def check_disk_space(folder: Path, variant: str) -> None:
    need = needed_bytes(variant)
    free = shutil.disk_usage(folder).free
    if free < need:
        raise StudioError(f"not enough disk space for the {variant} runtime: it needs about "
                          f"{need / 2**30:.1f} GiB free in {folder}, {free / 2**30:.1f} GiB is")


_LOCK = threading.Lock()


def install(variant: str | None = None, progress: ProgressFn | None = None,
            cancel: threading.Event | None = None, force: bool = False,
            hw: hardware.Hardware | None = None) -> RuntimeStatus:
    """Build, verify and switch to the ``variant`` runtime (the recommended one if None).

    The previous runtime stays active until the new one has verified; a failure, a
    ``cancel`` or an interruption at any point before the switch leaves it as it was.
    A variant the probed hardware cannot run is refused before anything is fetched,
    unless ``force``.
    """
    hw = hw or hardware.probe()
    if variant is None:
        variant = hardware.recommend(hw)[0]
    lock = lock_file(variant)
    why_not = "" if force else hardware.unsupported_reason(variant, hw)
    if why_not:
        why_not = why_not[0].lower() + why_not[1:].rstrip(".")
        raise StudioError(f"{why_not} (--force installs it anyway)")
    root = private_dir(runtime_root())
    report = progress or (lambda phase, line: log.info("runtime %s: %s", phase, line))
    cancel = cancel or threading.Event()
    with _LOCK, _install_lock(root):
        for line in _prune(root):
            report("clean", line)
        check_disk_space(root, variant)
        new = root / f"{variant}.new"
        if new.exists():
            report("clean", f"removing an interrupted install ({new.name})")
            _rmtree(new)
        uv = uv_executable()
        try:
            report("venv", f"creating {new}")
            _run_uv([uv, "venv", "--relocatable", "--python", _base_python(), str(new)],
                    root, report, "venv", cancel)
            report("download", f"installing the packages pinned in {lock.name}")
            _run_uv([uv, "pip", "sync", "--python", str(python_in(new)), str(lock)],
                    root, report, "install", cancel)
            _check_cancel(cancel)
            report("verify", "importing torch and running a test kernel")
            info = verify(python_in(new), variant)
            _check_cancel(cancel)
        except BaseException:
            report("failed", f"the {variant} install did not complete; nothing was switched")
            raise
        _switch(root, variant, new, info)
        report("done", f"the {variant} runtime is active (torch {info.get('torch', '?')})")
    return status(hw)


def install_in_background(variant: str | None, progress: ProgressFn,
                          done: Callable[[RuntimeStatus | None, str], None],
                          cancel: threading.Event | None = None,
                          force: bool = False) -> threading.Thread:
    """``install`` on a thread of its own (for the settings dialog): ``progress`` gets
    each line, ``done(status, "")`` or ``done(None, error line)`` the outcome."""

    def work() -> None:
        try:
            state = install(variant, progress=progress, cancel=cancel, force=force)
        except StudioError as exc:
            done(None, str(exc))
        except Exception as exc:  # reported, never lost with its thread
            log.error("runtime install failed", exc_info=True)
            done(None, f"{type(exc).__name__}: {exc}")
        else:
            done(state, "")

    thread = threading.Thread(target=work, name="studio-runtime-install", daemon=True)
    thread.start()
    return thread


class InstallCancelled(StudioError):
    """The user stopped the install; the previous runtime is still active."""


def _check_cancel(cancel: threading.Event) -> None:
    if cancel.is_set():
        raise InstallCancelled("the runtime install was cancelled; nothing was switched")


class _install_lock:
    """One install at a time across processes (the CLI and the window): a file
    holding the installer's pid. A lock whose process is gone is taken over."""

    def __init__(self, root: Path) -> None:
        self.path = root / "install.lock"

    def __enter__(self) -> None:
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                pid = _read_pid(self.path)
                if pid and _pid_alive(pid):
                    raise StudioError(f"another runtime install is running (process {pid}); "
                                      "wait for it or stop it first") from None
                self.path.unlink(missing_ok=True)  # left by a killed install
                continue
            with os.fdopen(fd, "w") as f:
                f.write(str(os.getpid()))
            return
        raise StudioError(f"the install lock {self.path} cannot be taken")

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)


def _read_pid(path: Path) -> int:
    try:
        return int(path.read_text().strip() or 0)
    except (OSError, ValueError):
        return 0


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":
        proc = subprocess.run(["tasklist", "/FI", f"PID eq {pid}", "/NH"], capture_output=True,
                              text=True)
        return str(pid) in proc.stdout
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _base_python() -> str:
    """The interpreter to build the runtime from: the app's own Python version."""
    if getattr(sys, "frozen", False):
        return python_version()  # uv finds (or fetches) that version
    return sys.executable


def _uv_env() -> dict[str, str]:
    env = worker_environment()
    env.setdefault("UV_CACHE_DIR", str(runtime_root() / "cache"))
    env["UV_NO_PROGRESS"] = "1"
    env["NO_COLOR"] = "1"
    env.pop("UV_PYTHON", None)
    return env


_COUNT = re.compile(r"^(Resolved|Prepared|Installed|Uninstalled|Audited) (\d+) package")


def _run_uv(cmd: list[str], root: Path, report: ProgressFn, phase: str,
            cancel: threading.Event | None = None) -> None:
    """Run uv, passing each output line to ``report``; uv's own message on failure.
    Setting ``cancel`` kills uv (what it fetched stays in the cache)."""
    env = _uv_env()
    cache = Path(env["UV_CACHE_DIR"])
    stop = threading.Event()
    cancel = cancel or threading.Event()
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, cwd=root, text=True,
                                encoding="utf-8", errors="replace")
    except OSError as exc:
        raise StudioError(f"uv could not be started ({cmd[0]}): {exc.strerror or exc}") from None
    watcher = threading.Thread(target=_watch, args=(proc, cache if phase == "install" else None,
                                                    report, stop, cancel),
                               name="studio-runtime-uv-watch", daemon=True)
    watcher.start()
    tail: list[str] = []
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.rstrip()
            if not line:
                continue
            tail = [*tail[-19:], line]
            match = _COUNT.match(line)
            report(match.group(1).lower() if match else phase, line)
        code = proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        stop.set()
        watcher.join(5)
    _check_cancel(cancel)
    if code != 0:
        raise StudioError(f"uv failed while building the runtime ({phase}): "
                          f"{_uv_error(tail, code)}")


def _uv_error(tail: list[str], code: int) -> str:
    """uv's error line and its innermost cause, as one line."""
    lines = [t.strip().lstrip("\u00d7\u2570\u2500\u25b6 ").strip() for t in tail]
    errors = [t for t in lines if t.lower().startswith("error")]
    causes = [t for t in lines if t.lower().startswith("caused by")]
    picked = (errors[:1] + causes[-1:]) or lines[-1:] or [f"exit code {code}"]
    return "; ".join(picked)


def _watch(proc: subprocess.Popen, cache: Path | None, report: ProgressFn,
           stop: threading.Event, cancel: threading.Event) -> None:
    """Kill uv on ``cancel``; report how much the download cache holds every few
    seconds (uv prints no per-file progress when its output is not a terminal)."""
    last, ticks = -1, 0
    while not stop.wait(0.2):
        if cancel.is_set():
            proc.kill()
            return
        ticks += 1
        if cache is not None and ticks % 15 == 0:
            size = _tree_size(cache)
            if size != last:
                report("download", f"{size / 2**20:.0f} MiB in the download cache")
                last = size


def _tree_size(folder: Path) -> int:
    total = 0
    for base, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(base, name)).st_size
            except OSError:
                pass
    return total


def verify(python: Path, variant: str, timeout: float = VERIFY_TIMEOUT_S) -> dict[str, Any]:
    """Import torch in the runtime, check its device and run one kernel; its facts.

    Runs with the sanitized environment and without the app's folders, so what is
    verified is the runtime's own torch.
    """
    try:
        proc = subprocess.run(
            [str(python), "-I", "-c", _VERIFY_SCRIPT, variant],
            capture_output=True, text=True, timeout=timeout, env=worker_environment(),
            stdin=subprocess.DEVNULL, encoding="utf-8", errors="replace",
        )
    except subprocess.TimeoutExpired:
        raise StudioError(f"the {variant} runtime did not answer within {timeout:g} s "
                          "while being verified") from None
    except OSError as exc:
        raise StudioError(f"the {variant} runtime's Python cannot run: "
                          f"{exc.strerror or exc}") from None
    info: dict[str, Any] = {}
    for line in reversed(proc.stdout.splitlines()):
        try:
            info = json.loads(line)
            break
        except ValueError:
            continue
    if proc.returncode != 0 or "error" in info or not info.get("torch"):
        why = info.get("error") or _last_line(proc.stderr) or f"exit code {proc.returncode}"
        raise StudioError(f"the {variant} runtime failed its check: {why}")
    return info


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _switch(root: Path, variant: str, new: Path, info: dict[str, Any]) -> None:
    """Put the verified ``new`` in place and make it active.

    Same variant: ``<variant>`` -> ``.old``, ``.new`` -> ``<variant>``, then the
    record; ``active_runtime`` and ``_recover`` cover a stop between the renames.
    The record (``active.json``, atomic) is the switch between variants. What is
    replaced is left for the next install or repair to remove (``_prune``): a worker
    still running on it keeps importing from it until it is restarted.
    """
    final, old = root / variant, root / f"{variant}.old"
    if old.exists():
        _rmtree(old)
    if final.exists():
        os.replace(final, old)
    os.replace(new, final)
    record = {"variant": variant, "installed_at": time.time(), **info}
    write_atomic(root / ACTIVE_FILE, json.dumps(record, indent=1).encode("utf-8"))


def _prune(root: Path) -> list[str]:
    """Finish an interrupted switch, then remove replaced and inactive runtimes."""
    done = _recover(root)
    active = _read_active(root)
    for variant in hardware.VARIANTS:
        folder = root / variant
        if folder.is_dir() and (active is None or active["variant"] != variant):
            _rmtree(folder)
            done.append(f"removed the inactive {variant} runtime")
    return done


def _recover(root: Path) -> list[str]:
    """Finish what an interrupted switch left; the messages of what was done."""
    done = []
    for old in root.glob("*.old"):
        final = root / old.name[: -len(".old")]
        if final.exists():
            _rmtree(old)
        else:
            os.replace(old, final)
            done.append(f"restored {final.name} from an interrupted switch")
    return done


def _rmtree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


# -- repair and remove ---------------------------------------------------------------------


def repair(progress: ProgressFn | None = None) -> RuntimeStatus:
    """Clean interrupted installs and switches; re-verify the active runtime and
    reinstall it when it fails or is missing."""
    root = runtime_root()
    report = progress or (lambda phase, line: log.info("runtime %s: %s", phase, line))
    if not root.is_dir():
        return status()
    with _LOCK, _install_lock(root):  # never under an install in another process
        for line in _prune(root):
            report("repair", line)
        for leftover in root.glob("*.new"):
            report("repair", f"removed an interrupted install ({leftover.name})")
            _rmtree(leftover)
    active = _read_active(root)
    if active is None:
        return status()
    variant = active["variant"]
    try:
        verify(python_in(root / variant), variant)
        if active.get("python") in (None, python_version()):
            report("repair", f"the {variant} runtime verified")
            return status()
    except StudioError as exc:
        report("repair", f"{exc}; reinstalling it")
    return install(variant, progress=report, force=True)  # it ran here before


def remove(variant: str | None = None) -> RuntimeStatus:
    """Remove a runtime (the active one if None); the worker goes back to the app's Python."""
    root = runtime_root()
    active = _read_active(root) if root.is_dir() else None
    if variant is None:
        if active is None:
            raise StudioError("no runtime is active; nothing to remove")
        variant = active["variant"]
    check_variant(variant)
    if not any((root / f"{variant}{s}").exists() for s in ("", ".new", ".old")):
        raise StudioError(f"the {variant} runtime is not installed")
    with _LOCK, _install_lock(root):
        if active is not None and active["variant"] == variant:
            (root / ACTIVE_FILE).unlink()  # first: the worker never points at half a folder
        for suffix in ("", ".new", ".old"):
            _rmtree(root / f"{variant}{suffix}")
        if not any(python_in(root / v).is_file() for v in hardware.VARIANTS):
            _rmtree(root / "cache")  # our own download cache: its GiBs go with the last runtime
    return status()
