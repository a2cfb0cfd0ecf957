"""The bundled app's smoke script: run against a built bundle when there is one.

Building the bundle takes many minutes, so no test builds it: `make bundle-smoke`
builds and smokes; here the smoke runs only if ``dist/studio`` exists already.
The script's own judgement is checked against stand-in executables.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "packaging" / "smoke.py"
sys.path.insert(0, str(SMOKE.parent))
import smoke  # noqa: E402

needs_posix = pytest.mark.skipif(os.name == "nt", reason="stand-in executables are sh scripts")


def run_smoke(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SMOKE), *args], capture_output=True, text=True,
                          timeout=3600)


def stand_in(tmp_path: Path, body: str) -> Path:
    exe = tmp_path / "studio"
    exe.write_text("#!/bin/sh\n" + body + "\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return exe


@pytest.mark.skipif(smoke.bundle_exe() is None,
                    reason="no bundle in dist/studio: `make bundle` builds one (slow)")
def test_bundle_passes_the_smoke():
    proc = run_smoke()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for step in smoke.STEPS:
        assert f"ok   {step}" in proc.stdout


def test_missing_executable_is_one_line_and_exit_2(tmp_path):
    proc = run_smoke("--exe", str(tmp_path / "nowhere" / "studio"))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "no bundle executable" in proc.stderr


def test_a_folder_that_is_not_a_model_is_refused(tmp_path):
    exe = stand_in(tmp_path, "echo studio 0.1.0")
    proc = run_smoke("--exe", str(exe), "--tiny-model", str(tmp_path))
    assert proc.returncode == 2 and "not a diffusers model folder" in proc.stderr


@needs_posix
def test_a_wrong_version_line_fails_the_step(tmp_path):
    exe = stand_in(tmp_path, "echo hello")
    proc = run_smoke("--exe", str(exe), "--only", "version")
    assert proc.returncode == 1
    assert "FAIL version" in proc.stdout


@needs_posix
def test_a_crashing_command_fails_with_its_last_line(tmp_path):
    exe = stand_in(tmp_path, 'echo "studio: boom" >&2; exit 3')
    proc = run_smoke("--exe", str(exe), "--only", "version", "--only", "screenshot")
    assert proc.returncode == 1
    assert proc.stdout.count("FAIL") == 2 and "exited 3: studio: boom" in proc.stdout


@needs_posix
def test_a_pack_not_ok_fails_the_plugins_step(tmp_path):
    listing = ('[{"id": "image", "status": "error", "error": "no module torch"}]')
    exe = stand_in(tmp_path, f"echo '{listing}'")
    proc = run_smoke("--exe", str(exe), "--only", "plugins")
    assert proc.returncode == 1
    assert "image (error: no module torch)" in proc.stdout


@needs_posix
def test_a_passing_stand_in_passes(tmp_path):
    exe = stand_in(tmp_path, "echo studio 0.1.0")
    proc = run_smoke("--exe", str(exe), "--only", "version")
    assert proc.returncode == 0, proc.stdout
    assert "ok   version" in proc.stdout


@needs_posix
def test_runtime_step_needs_the_studio_files_beside_the_executable(tmp_path):
    exe = stand_in(tmp_path, """echo '{"recommended": "cpu"}'""")
    proc = run_smoke("--exe", str(exe), "--only", "runtime")
    assert proc.returncode == 1
    assert "FAIL runtime: no studio folder beside" in proc.stdout


@needs_posix
def test_runtime_step_imports_nothing_from_the_checking_python(tmp_path):
    """The source tree alone is not enough: its libraries (pluggy, numpy...) must be in
    the bundle's folder too, not borrowed from the Python running the check."""
    exe = stand_in(tmp_path, """echo '{"recommended": "cpu"}'""")
    internal = tmp_path / "_internal"
    (internal / "packaging" / "locks").mkdir(parents=True)
    (internal / "packaging" / "locks" / "linux-x86_64-cpu-py311.txt").write_text("torch\n")
    (internal / "studio").symlink_to(ROOT / "studio")
    proc = run_smoke("--exe", str(exe), "--only", "runtime")
    assert proc.returncode == 1
    assert "cannot import the worker from the bundle" in proc.stdout
    assert "No module named" in proc.stdout


def test_windowed_build_output_goes_to_the_log_file(tmp_path, monkeypatch):
    """A windowed build starts with no stdout/stderr; Hugging Face code writes to them."""
    import studio_entry

    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    studio_entry._log_to_file()
    print("loading weights", file=sys.stderr)
    sys.stdout.write("a progress bar\n")
    log = tmp_path / "data" / "logs" / "console.log"
    assert log.read_text(encoding="utf-8") == "loading weights\na progress bar\n"
