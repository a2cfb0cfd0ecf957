"""The runtime manager with a fake torch: real uv, offline, from hand-made wheels.

No real torch is downloaded: the lock files these tests write point uv at a folder
of fake ``torch`` wheels (``--no-index --find-links``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studio.api import GenerationRequest, StudioError
from studio.app import runtime
from studio.cli.main import main
from tests.fakes.wheels import make_wheel

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX layout and signals")

FAKE_TORCH = '''
import os, sys, time
__version__ = "{version}"
if {broken}:
    raise ImportError("libcudart.so.13: cannot open shared object file")
mark = os.environ.get("FAKE_TORCH_MARK")
if mark:
    open(mark, "w").write(str(os.getpid()))
if os.environ.get("FAKE_TORCH_HANG"):
    time.sleep(600)

class _T:
    def __init__(self, v):
        self.v = v
    def __mul__(self, k):
        return _T([x * k for x in self.v])
    def sum(self):
        return _T(sum(self.v))
    def item(self):
        return self.v

def ones(n, device="cpu"):
    return _T([1.0] * n)

class cuda:
    @staticmethod
    def is_available():
        return os.environ.get("FAKE_CUDA") == "1"
    @staticmethod
    def get_device_name(i):
        return "Fake GPU"

class backends:
    class mps:
        @staticmethod
        def is_available():
            return False
'''


@pytest.fixture
def fake_index(tmp_path, monkeypatch):
    """A folder of fake torch wheels and a locks folder whose locks point at it."""
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "torch", "2.11.0", {"torch/__init__.py":
                                           FAKE_TORCH.format(version="2.11.0", broken=False)})
    make_wheel(wheels, "torch", "2.11.1", {"torch/__init__.py":
                                           FAKE_TORCH.format(version="2.11.1", broken=True)})
    locks = tmp_path / "locks"
    locks.mkdir()
    monkeypatch.setenv(runtime.ENV_LOCKS_DIR, str(locks))
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))

    def lock(variant: str, version: str = "2.11.0") -> Path:
        path = locks / runtime.lock_name(variant)
        path.write_text(f"--no-index\n--find-links {wheels}\ntorch=={version}\n")
        return path

    return lock


NVIDIA_HW = runtime.hardware.Hardware(
    os=runtime.hardware.current_os(), arch=runtime.hardware.current_arch(), vendor="nvidia",
    driver_version="580.95.05",
    gpus=[runtime.hardware.GpuInfo(0, "Fake GPU", (8, 9), 24 << 30)])


def installed_torch(variant: str) -> str:
    python = runtime.python_in(runtime.runtime_root() / variant)
    return subprocess.run([str(python), "-c", "import torch; print(torch.__version__)"],
                          capture_output=True, text=True, env=runtime.worker_environment(),
                          check=True).stdout.strip()


def test_install_verifies_then_switches(fake_index):
    fake_index("cpu")
    assert runtime.worker_python() == sys.executable  # nothing installed yet
    lines = []
    state = runtime.install("cpu", progress=lambda phase, line: lines.append((phase, line)))
    assert state.active == "cpu" and state.torch == "2.11.0"
    python = runtime.python_in(runtime.runtime_root() / "cpu")
    assert runtime.worker_python() == str(python)
    assert installed_torch("cpu") == "2.11.0"
    phases = [p for p, _ in lines]
    assert "verify" in phases and phases[-1] == "done"
    assert any(line.startswith("Installed 1 package") for _, line in lines)
    assert not (runtime.runtime_root() / "cpu.new").exists()
    record = json.loads((runtime.runtime_root() / "active.json").read_text())
    assert record["variant"] == "cpu" and record["python"] == runtime.python_version()


def test_failed_verification_keeps_the_previous_runtime(fake_index):
    fake_index("cpu")
    runtime.install("cpu")
    before = runtime.worker_python()
    fake_index("cpu", "2.11.1")  # a build whose import fails
    with pytest.raises(StudioError, match=r"failed its check: .*libcudart"):
        runtime.install("cpu")
    assert runtime.worker_python() == before
    assert installed_torch("cpu") == "2.11.0"
    assert runtime.status().active == "cpu"


def test_cuda_variant_must_see_a_device(fake_index, monkeypatch):
    fake_index("cu128")
    with pytest.raises(StudioError, match="torch sees no CUDA device"):
        runtime.install("cu128", force=True)
    assert runtime.worker_python() == sys.executable
    monkeypatch.setenv("FAKE_CUDA", "1")
    state = runtime.install("cu128", hw=NVIDIA_HW)
    assert state.active == "cu128" and state.device_name == "Fake GPU"


def test_switching_variant_keeps_the_old_one_until_the_next_install(fake_index, monkeypatch):
    fake_index("cpu")
    fake_index("cu130")
    runtime.install("cpu")
    monkeypatch.setenv("FAKE_CUDA", "1")
    state = runtime.install("cu130", force=True)
    # a worker still running on cpu is not pulled from under it
    assert state.active == "cu130" and state.installed == ["cpu", "cu130"]
    state = runtime.install("cu130", force=True)
    assert state.installed == ["cu130"]  # the inactive cpu went first
    assert (runtime.runtime_root() / "cu130.old").is_dir()  # the replaced one, until...
    runtime.repair()
    assert not (runtime.runtime_root() / "cu130.old").exists()
    assert runtime.status().active == "cu130"


def test_kill_mid_install_leaves_the_previous_runtime_active(fake_index, tmp_path):
    fake_index("cpu")
    runtime.install("cpu")
    before = runtime.worker_python()
    mark = tmp_path / "verifying"
    env = {**os.environ, "FAKE_TORCH_HANG": "1", "FAKE_TORCH_MARK": str(mark)}
    code = "from studio.app import runtime; runtime.install('cpu')"
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not mark.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert mark.exists(), "the install never reached verification"
        assert (runtime.runtime_root() / "cpu.new").is_dir()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the installer and its verifying child
        proc.wait()
    assert runtime.worker_python() == before
    assert installed_torch("cpu") == "2.11.0"
    state = runtime.status()
    assert state.active == "cpu" and state.leftovers == ["cpu.new"]
    runtime.repair()
    assert runtime.status().leftovers == []
    assert runtime.worker_python() == before


def test_interrupted_switch_is_recovered(fake_index):
    fake_index("cpu")
    runtime.install("cpu")
    root = runtime.runtime_root()
    os.replace(root / "cpu", root / "cpu.old")  # stopped between the two renames
    python = runtime.worker_python()
    assert python == str(runtime.python_in(root / "cpu.old"))
    runtime.repair()
    assert runtime.worker_python() == str(runtime.python_in(root / "cpu"))
    assert not (root / "cpu.old").exists()


def test_a_runtime_for_another_python_is_not_used(fake_index):
    fake_index("cpu")
    runtime.install("cpu")
    record_path = runtime.runtime_root() / "active.json"
    record = json.loads(record_path.read_text())
    record_path.write_text(json.dumps({**record, "python": "3.9"}))
    assert runtime.worker_python() == sys.executable
    state = runtime.status()
    assert state.active == "" and "runs Python 3.9 but the app runs" in state.problem
    runtime.repair()  # rebuilds it for this Python
    assert runtime.status().active == "cpu" and runtime.worker_python() != sys.executable


def test_remove_goes_back_to_the_app_python(fake_index):
    fake_index("cpu")
    runtime.install("cpu")
    (runtime.runtime_root() / "cache" / "wheels").mkdir(parents=True)
    state = runtime.remove()
    assert state.active == "" and state.installed == []
    assert not (runtime.runtime_root() / "cache").exists()
    assert runtime.worker_python() == sys.executable
    with pytest.raises(StudioError, match="no runtime is active"):
        runtime.remove()


def test_disk_space_is_checked_first(fake_index, monkeypatch):
    fake_index("cpu")

    class Usage:
        free = 10 * 2**20

    monkeypatch.setattr(runtime.shutil, "disk_usage", lambda path: Usage)
    with pytest.raises(StudioError, match=r"not enough disk space for the cpu runtime: it needs "
                                          r"about 1\.5 GiB"):
        runtime.install("cpu")
    assert not (runtime.runtime_root() / "cpu.new").exists()


def test_a_variant_this_machine_cannot_run_is_refused_before_fetching(fake_index, monkeypatch):
    fake_index("cu130")
    no_gpu = runtime.hardware.Hardware(os="linux", arch="x86_64")
    monkeypatch.setattr(runtime, "uv_executable", lambda: pytest.fail("uv was started"))
    with pytest.raises(StudioError, match=r"needs an NVIDIA GPU and none was found "
                                          r"\(--force installs it anyway\)"):
        runtime.install("cu130", hw=no_gpu)
    assert not runtime.runtime_root().exists() or not any(runtime.runtime_root().iterdir())


def test_cancel_leaves_the_previous_runtime(fake_index):
    import threading

    fake_index("cpu")
    runtime.install("cpu")
    before = runtime.worker_python()
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(runtime.InstallCancelled):
        runtime.install("cpu", cancel=cancel)
    assert runtime.worker_python() == before and installed_torch("cpu") == "2.11.0"


def test_background_install_reports_its_outcome(fake_index):
    fake_index("cpu")
    lines, outcome = [], []
    thread = runtime.install_in_background("cpu", lambda phase, line: lines.append(phase),
                                           lambda state, error: outcome.append((state, error)))
    thread.join(120)
    (state, error), = outcome
    assert error == "" and state.active == "cpu" and "verify" in lines


def test_one_install_at_a_time(fake_index):
    fake_index("cpu")
    root = runtime.runtime_root()
    root.mkdir(parents=True)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (root / "install.lock").write_text(str(other.pid))
        with pytest.raises(StudioError, match=f"another runtime install is running "
                                              f"\\(process {other.pid}\\)"):
            runtime.install("cpu")
    finally:
        other.kill()
        other.wait()
    runtime.install("cpu")  # a lock whose process is gone is taken over
    assert not (root / "install.lock").exists()


def test_missing_lock_and_unknown_variant(fake_index):
    with pytest.raises(StudioError, match="no lock file for the cu126 runtime"):
        runtime.install("cu126")
    with pytest.raises(StudioError, match="unknown runtime variant 'rocm'"):
        runtime.install("rocm")


def test_unresolvable_lock_is_one_line(fake_index):
    fake_index("cpu", "9.9.9")
    with pytest.raises(StudioError) as err:
        runtime.install("cpu")
    assert "uv failed while building the runtime (install)" in str(err.value)
    assert "\n" not in str(err.value)
    assert runtime.worker_python() == sys.executable


# -- the environment the runtime's worker gets -----------------------------------------


def test_environment_sanitizing_restores_what_pyinstaller_changed():
    base = {
        "PATH": "/usr/bin",
        "HOME": "/home/a",
        "PYTHONPATH": "/app/_internal",
        "PYTHONHOME": "/app/_internal",
        "LD_LIBRARY_PATH": "/app/_internal:/opt/lib",
        "LD_LIBRARY_PATH_ORIG": "/opt/lib",
        "DYLD_LIBRARY_PATH": "/app/_internal",
        "_PYI_APPLICATION_HOME_DIR": "/app/_internal",
        "_MEIPASS2": "/tmp/_MEI123",
        "VIRTUAL_ENV": "/app/.venv",
    }
    env = runtime.worker_environment(base)
    assert env["LD_LIBRARY_PATH"] == "/opt/lib"  # the user's own value is back
    assert "DYLD_LIBRARY_PATH" not in env  # the bootloader set it from nothing
    for gone in ("PYTHONPATH", "PYTHONHOME", "LD_LIBRARY_PATH_ORIG", "_PYI_APPLICATION_HOME_DIR",
                 "_MEIPASS2", "VIRTUAL_ENV"):
        assert gone not in env
    assert env["PATH"] == "/usr/bin" and env["HOME"] == "/home/a"
    assert env["PYTHONNOUSERSITE"] == "1"


def test_environment_keeps_the_users_library_path_outside_a_frozen_app():
    env = runtime.worker_environment({"LD_LIBRARY_PATH": "/opt/cuda/lib64", "PYTHONPATH": "x"})
    assert env["LD_LIBRARY_PATH"] == "/opt/cuda/lib64" and "PYTHONPATH" not in env


def test_host_paths_hold_the_app_not_the_standard_library():
    import sysconfig

    paths = runtime.host_paths()
    stdlib = os.path.realpath(sysconfig.get_path("stdlib"))
    assert paths and not any(os.path.realpath(p) == stdlib for p in paths)
    import studio

    studio_parent = os.path.realpath(Path(studio.__file__).parents[1])
    site_dirs = [os.path.realpath(p) for p in paths]
    # studio is importable from one of them (a checkout, or site-packages)
    assert any(studio_parent == p for p in site_dirs) or any(
        (Path(p) / "studio").is_dir() for p in site_dirs)


def test_no_runtime_switch_forces_the_app_python(fake_index, monkeypatch):
    fake_index("cpu")
    runtime.install("cpu")
    monkeypatch.setenv(runtime.ENV_NO_RUNTIME, "1")
    assert runtime.worker_python() == sys.executable


# -- the worker on the runtime -------------------------------------------------------------

PROBE_PACK = '''
import sys
from studio.api import Generator, GeneratorInfo, Output, hookimpl

STUDIO_API_VERSION = 1


class Probe(Generator):
    def load(self, model, plan):
        return None

    def generate(self, request, loaded, progress, cancel):
        import os
        import torch
        return [Output("text", f"{torch.__version__}|{sys.executable}|"
                                f"{os.environ.get('PYTHONPATH', '-')}")]


@hookimpl
def studio_register_generators(register):
    register(GeneratorInfo(id="probe.text", name="Probe", modality="text",
                           tasks=("continue",), factory="runtime_probe_pack:Probe"))
'''


def test_worker_runs_on_the_runtime_python(fake_index, tmp_path, monkeypatch):
    from studio.app.engine import Engine
    from studio.app.library import Library
    from studio.app.plugins import PluginHost
    from studio.app.settings import Settings
    from studio.app.worker_process import ProcessBackend

    fake_index("cpu")
    runtime.install("cpu")
    pack_dir = tmp_path / "pack"
    pack_dir.mkdir()
    (pack_dir / "runtime_probe_pack.py").write_text(PROBE_PACK)
    monkeypatch.syspath_prepend(str(pack_dir))
    monkeypatch.setenv("PYTHONPATH", "/nonexistent/app/internal")
    import runtime_probe_pack

    host = PluginHost()
    host.register_module(runtime_probe_pack, "runtime_probe_pack")
    settings = Settings(device="cpu")
    backend = ProcessBackend(tmp_path / "w", settings, extra_plugins=["runtime_probe_pack"])
    engine = Engine(host, Library(tmp_path / "w"), backend, settings)
    try:
        job = engine.run(GenerationRequest(modality="text", generator="probe.text",
                                           prompt="x", seed=1), timeout=120)
        assert job.state == "done", job.error
        text = Path(job.artifacts[0].path).read_text()
        torch_version, executable, pythonpath = text.strip().splitlines()[-1].split("|")
        assert torch_version == "2.11.0"  # the runtime's fake torch, not the app's
        assert executable == runtime.worker_python() != sys.executable
        assert pythonpath == "-"
    finally:
        engine.shutdown()
        engine.library.close()


def test_a_runtime_that_cannot_start_the_worker_falls_back(fake_index, tmp_path, caplog):
    from studio.app.settings import Settings
    from studio.app.worker_launch import ExternalWorker
    from studio.app.worker_process import ProcessBackend

    fake_index("cpu")
    runtime.install("cpu")
    python = runtime.python_in(runtime.runtime_root() / "cpu")
    python.unlink()
    python.write_text("#!/bin/sh\necho 'broken interpreter' >&2\nexit 1\n")
    python.chmod(0o755)
    backend = ProcessBackend(tmp_path / "w", Settings(device="cpu"))
    try:
        backend.start()
        assert backend.pid is not None and backend._proc.is_alive()
        assert not isinstance(backend._proc, ExternalWorker)  # the app's own worker
        assert "did not start: broken interpreter" in caplog.text
    finally:
        backend.shutdown()


# -- the CLI -----------------------------------------------------------------------------------


def test_cli_status_install_remove(fake_index, capsys):
    fake_index("cpu")
    assert main(["runtime", "status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["active"] == "" and data["recommended"] in runtime.hardware.VARIANTS
    assert main(["runtime", "install", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "the cpu runtime is active" in out
    assert main(["runtime", "status"]) == 0
    assert "active: cpu" in capsys.readouterr().out
    assert main(["runtime", "remove"]) == 0
    capsys.readouterr()


def test_cli_bad_input_is_one_line(fake_index, capsys):
    assert main(["runtime", "install", "rocm"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("studio: unknown runtime variant") and err.count("\n") == 1
    assert main(["runtime", "remove"]) == 2
    assert "nothing to remove" in capsys.readouterr().err
    assert not (runtime.runtime_root() / "active.json").exists()


@pytest.mark.slow
def test_verify_with_the_real_torch():
    """The check script against the app's own torch: what a real runtime runs."""
    info = runtime.verify(Path(sys.executable), "cpu", timeout=300)
    import torch

    assert info["torch"] == str(torch.__version__) and info["device"] == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(StudioError, match="failed its check: torch sees no CUDA device"):
            runtime.verify(Path(sys.executable), "cu130", timeout=300)
