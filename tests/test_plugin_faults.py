"""Faulty packs and generators fail only themselves (issue #10, item 7).

Packs: raising, ``sys.exit()`` and sleeping at import, and a third-party pack that
registers a built-in generator id. Generators: raising, ``SystemExit``,
``os._exit`` and ignoring cancel, through both the thread and the worker-process
backend. The CLI after Ctrl-C: cancel, a short grace, then exit 130 in one line.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from studio.api import GenerationRequest
from studio.app.backends import ThreadBackend
from studio.app.engine import Engine
from studio.app.library import Library
from studio.app.plugins import PluginHost
from studio.app.runner import Runner
from studio.app.settings import Settings
from studio.app.worker_process import ProcessBackend
from tests.fakes import fake_pack

ROOT = Path(__file__).resolve().parent.parent


class _FakeDist:
    """Just enough of ``importlib.metadata.Distribution`` for discovery."""

    def __init__(self, name: str, version: str = "6.6.6") -> None:
        self.metadata = {"Name": name}
        self.version = version


def _ep(name: str, value: str, dist: str | None = None) -> md.EntryPoint:
    ep = md.EntryPoint(name=name, value=value, group="studio.plugins")
    return ep._for(_FakeDist(dist)) if dist else ep


# -- packs ---------------------------------------------------------------------------


def test_pack_raising_at_import_is_disabled_with_one_line(fake_entry_points):
    fake_entry_points.insert(0, _ep("raiser", "tests.fakes.pack_import_raises"))
    host = PluginHost()
    host.discover()
    rec = host.records["raiser"]
    assert rec.status == "error"
    assert "RuntimeError: this pack is broken" in rec.error and "\n" not in rec.error
    assert host.records["fake"].status == "ok"


def test_pack_calling_sys_exit_at_import_is_disabled_not_the_studio(fake_entry_points):
    fake_entry_points.insert(0, _ep("exiter", "tests.fakes.pack_import_exits"))
    host = PluginHost()
    host.discover()  # used to raise SystemExit out of discovery
    rec = host.records["exiter"]
    assert rec.status == "error" and "sys.exit(4)" in rec.error
    assert host.records["fake"].status == "ok"
    assert "fake.image" in host.generators


def test_pack_that_sleeps_at_import_is_disabled_after_the_time_limit(fake_entry_points,
                                                                     monkeypatch):
    monkeypatch.setenv("STUDIO_PLUGIN_IMPORT_TIMEOUT_S", "0.3")
    monkeypatch.setenv("FAKE_PACK_SLEEP_S", "2")
    fake_entry_points.insert(0, _ep("sleepy", "tests.fakes.pack_import_sleeps"))
    host = PluginHost()
    try:
        host.discover()
        rec = host.records["sleepy"]
        assert rec.status == "error"
        assert "took longer than 0.3 s to import" in rec.error
        assert host.records["fake"].status == "ok" and "sleepy.text" not in host.generators
    finally:
        for t in threading.enumerate():
            if t.name == "studio-plugin-import-sleepy":
                t.join(10)
        sys.modules.pop("tests.fakes.pack_import_sleeps", None)


def test_registration_hook_calling_sys_exit_or_sleeping_disables_only_its_pack(
        fake_entry_points, monkeypatch):
    fake_entry_points.insert(0, _ep("badreg", "tests.fakes.pack_register_faults"))
    host = PluginHost()
    host.discover()
    assert host.records["badreg"].status == "error"
    assert "sys.exit(5) in a registration hook" in host.records["badreg"].error
    monkeypatch.setenv("STUDIO_PLUGIN_IMPORT_TIMEOUT_S", "0.3")
    monkeypatch.setenv("FAKE_PACK_REGISTER", "sleep")
    host = PluginHost()
    try:
        host.discover()
        assert "registration hooks took longer than 0.3 s" in host.records["badreg"].error
        assert host.records["fake"].status == "ok"
    finally:
        for t in threading.enumerate():
            if t.name == "studio-plugin-register-badreg":
                t.join(10)


def test_third_party_pack_cannot_take_a_builtin_generator_id(fake_entry_points):
    # "aaa" sorts before "image": loaded in name order, it used to win the id.
    fake_entry_points.insert(0, _ep("aaa-hijack", "tests.fakes.pack_hijack", "evil-pack"))
    host = PluginHost()
    host.discover()
    image, hijack = host.records["image"], host.records["aaa-hijack"]
    assert image.status == "ok" and image.builtin
    assert host.generator_plugin["image.diffusers"] == "image"
    assert host.generator("image.diffusers").factory.startswith("studio_image.")
    assert hijack.status == "error"
    assert "studio-image" in hijack.error and "evil-pack" in hijack.error
    assert "hijack.extra" not in host.generators  # the whole clashing pack is disabled


def _fake_distribution(tmp_path: Path, entry_points: dict[str, str]) -> Path:
    """A dist-info folder that a subprocess finds on its PYTHONPATH."""
    site = tmp_path / "site"
    info = site / "faultpacks-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: faultpacks\nVersion: 0.1\n")
    lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[studio.plugins]\n{lines}")
    return site


def _cli_env(tmp_path: Path, site: Path, **extra: str) -> dict[str, str]:
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "settings.json").write_text('{"device": "cpu"}')  # no torch import
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDIO_")}
    env.update(STUDIO_DATA_DIR=str(tmp_path / "data"), HF_HUB_OFFLINE="1",
               PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]), **extra)
    return env


def test_plugins_list_survives_broken_packs_with_one_line_each(tmp_path):
    site = _fake_distribution(tmp_path, {
        "exiter": "tests.fakes.pack_import_exits",
        "raiser": "tests.fakes.pack_import_raises",
        "fake": "tests.fakes.fake_pack",
    })
    proc = subprocess.run(
        [sys.executable, "-m", "studio.cli.main", "plugins", "list"],
        cwd=ROOT, env=_cli_env(tmp_path, site), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(warnings) == 2, proc.stderr
    assert any("exiter" in w and "sys.exit(4)" in w for w in warnings)
    assert any("raiser" in w and "this pack is broken" in w for w in warnings)
    rows = {line.split()[0]: line for line in proc.stdout.splitlines()[2:]}
    assert "sys.exit(4)" in rows["exiter"] and "error" in rows["exiter"]
    assert " ok" in rows["fake"] and " ok" in rows["image"]


# -- generators through both backends ------------------------------------------------


@pytest.fixture(params=["thread", "process"])
def engine(request, tmp_path, fake_entry_points):
    host = PluginHost()
    host.discover()
    settings = Settings(device="cpu")
    if request.param == "thread":
        backend = ThreadBackend(Runner(host, settings), cancel_grace_s=0.5)
    else:
        backend = ProcessBackend(tmp_path, settings, extra_plugins=["tests.fakes.fake_pack"],
                                 cancel_grace_s=0.5)
    eng = Engine(host, Library(tmp_path), backend, settings)
    yield eng
    for gate in fake_pack.GATES.values():
        gate.set()  # let a hung thread-backend job finish, so no thread outlives the test
    eng.shutdown()
    eng.library.close()
    fake_pack.GATES.clear()


def req(**params):
    return GenerationRequest(modality="image", generator="fake.image", prompt="a fox",
                             seed=3, params=params)


def _next_job_is_fine(engine: Engine) -> None:
    after = engine.run(req(), timeout=60)
    assert after.state == "done", after.error


def test_generator_raising_fails_only_its_job(engine):
    job = engine.run(req(crash=True), timeout=60)
    assert job.state == "failed" and "RuntimeError: boom" in job.error
    assert "\n" not in job.error
    _next_job_is_fine(engine)


def test_generator_raising_system_exit_fails_only_its_job(engine):
    job = engine.run(req(exit="sys_exit"), timeout=60)  # used to hang the thread backend
    assert job.state == "failed" and "sys.exit(3)" in job.error, job.error
    _next_job_is_fine(engine)


def test_generator_calling_os_exit_fails_only_its_job(engine):
    job = engine.run(req(exit="os_exit"), timeout=60)  # used to end the whole CLI
    assert job.state == "failed"
    if isinstance(engine.backend, ThreadBackend):
        assert "os._exit(3)" in job.error, job.error
    else:
        assert "worker process stopped" in job.error and "exit code 3" in job.error
    _next_job_is_fine(engine)
    if isinstance(engine.backend, ProcessBackend):
        assert engine.backend.restarts == 1


def test_generator_ignoring_cancel_is_abandoned_and_the_engine_goes_on(engine):
    loading = threading.Event()
    engine.subscribe(lambda e: loading.set() if e.stage == "loading" else None)
    job = engine.submit(req(hang="h"))
    assert loading.wait(60)
    time.sleep(0.5)  # into the generator, which no longer looks at cancel
    engine.cancel(job.id)
    engine.wait(job.id, 30)  # the hang alone would take 60 s
    assert job.state == "cancelled"
    _next_job_is_fine(engine)
    if isinstance(engine.backend, ThreadBackend):
        assert engine.backend.abandoned == 1
    else:
        assert engine.backend.restarts == 1


# -- the CLI after Ctrl-C ---------------------------------------------------------


def _start_cli(tmp_path: Path, *sets: str, **env: str) -> subprocess.Popen:
    site = _fake_distribution(tmp_path, {"fake": "tests.fakes.fake_pack"})
    args = [sys.executable, "-m", "studio.cli.main", "generate", "image", "--prompt", "p",
            "--generator", "fake.image"]
    for item in sets:
        args += ["--set", item]
    proc = subprocess.Popen(args, cwd=ROOT, env=_cli_env(tmp_path, site, **env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Wait until the job runs (the fake reports its load), then give the main thread
    # a moment to be waiting for it.
    seen = []
    while not any("loading model" in line for line in seen):
        line = proc.stderr.readline()
        assert line, "".join(seen)  # the CLI ended before the job started
        seen.append(line)
    time.sleep(0.5)
    return proc


def _finish(proc: subprocess.Popen) -> tuple[int, list[str]]:
    try:
        proc.wait(timeout=60)  # its output is a few lines: the pipes cannot fill up
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError("the CLI did not exit after Ctrl-C") from None
    # Read through the same buffered file as _start_cli (communicate() would skip what
    # that buffer already holds).
    err = proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    return proc.returncode, [line for line in err.splitlines() if line.strip()]


def test_ctrl_c_on_a_generator_that_ignores_cancel_abandons_it(tmp_path):
    proc = _start_cli(tmp_path, "hang=never", STUDIO_CANCEL_GRACE_S="1")
    proc.send_signal(signal.SIGINT)
    code, lines = _finish(proc)
    assert code == 130
    assert not any("Traceback" in line for line in lines), lines
    assert lines[-1].startswith("studio: ") and "abandoned" in lines[-1], lines


def test_second_ctrl_c_abandons_at_once(tmp_path):
    # With a 300 s grace, only the second Ctrl-C can end it within _finish's 60 s.
    proc = _start_cli(tmp_path, "hang=never", STUDIO_CANCEL_GRACE_S="300")
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    code, lines = _finish(proc)
    assert code == 130
    assert not any("Traceback" in line for line in lines), lines
    assert "abandoned" in lines[-1], lines


def test_ctrl_c_on_a_cooperative_generator_cancels(tmp_path):
    proc = _start_cli(tmp_path, "steps=1000", "delay=0.05", STUDIO_CANCEL_GRACE_S="20")
    proc.send_signal(signal.SIGINT)
    code, lines = _finish(proc)
    assert code == 130 and lines[-1] == "studio: cancelled", lines


def test_cli_generator_system_exit_is_a_failed_job_not_a_hang(tmp_path):
    proc = _start_cli(tmp_path, "exit=sys_exit")
    code, lines = _finish(proc)
    assert code == 1
    assert lines[-1].startswith("studio: ") and "sys.exit(3)" in lines[-1], lines
    assert not any("Traceback" in line for line in lines), lines


def test_cli_generator_crash_is_one_line_without_traceback(tmp_path):
    proc = _start_cli(tmp_path, "crash=true")
    code, lines = _finish(proc)
    assert code == 1
    assert lines[-1] == "studio: RuntimeError: boom", lines
    assert not any("Traceback" in line for line in lines), lines
