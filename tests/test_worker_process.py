"""The worker-process backend: same requests, events and results as the thread backend."""

import os
import time

import pytest

from studio.api import GenerationRequest
from studio.app.engine import Engine
from studio.app.library import Library
from studio.app.plugins import PluginHost
from studio.app.settings import Settings
from studio.app.worker_process import ProcessBackend


@pytest.fixture
def engine(tmp_path, fake_entry_points):
    host = PluginHost()
    host.discover()
    settings = Settings(device="cpu")
    backend = ProcessBackend(tmp_path, settings, extra_plugins=["tests.fakes.fake_pack"],
                             cancel_grace_s=1.0)
    eng = Engine(host, Library(tmp_path), backend, settings)
    yield eng
    eng.shutdown()
    eng.library.close()


def req(**params):
    return GenerationRequest(modality="image", generator="fake.image", prompt="a fox",
                             seed=11, params=params)


def wait_step(events, job, step, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if any(e.job_id == job.id and e.step >= step for e in events):
            return
        time.sleep(0.01)
    raise AssertionError("no progress")


def test_job_runs_in_a_child_process_with_progress_and_results(engine):
    events = []
    engine.subscribe(events.append)
    job = engine.run(req(steps=3, batch_size=2), timeout=60)
    assert job.state == "done", job.error
    assert [a.seed for a in job.artifacts] == [11, 12]
    assert [e.step for e in events if e.kind == "progress" and e.stage == "generating"] \
        == [1, 2, 3]
    assert engine.backend.pid != os.getpid()
    assert os.path.getsize(job.artifacts[0].path) > 0


def test_failure_messages_cross_the_pipe(engine):
    assert engine.run(req(fail=True), timeout=60).error == "the fake generator was asked to fail"
    crash = engine.run(req(crash=True), timeout=60)
    assert crash.state == "failed" and "RuntimeError: boom" in crash.error


def test_dead_worker_fails_only_its_job_and_is_restarted(engine):
    first = engine.run(req(), timeout=60)
    pid = engine.backend.pid
    dead = engine.run(req(die=True), timeout=60)
    assert dead.state == "failed"
    assert "worker process stopped" in dead.error and "SIGKILL" in dead.error
    after = engine.run(req(), timeout=60)
    assert first.state == after.state == "done"
    assert engine.backend.pid != pid and engine.backend.restarts == 1


def test_cancel_within_a_step(engine):
    events = []
    engine.subscribe(events.append)
    job = engine.submit(req(steps=400, delay=0.02))
    wait_step(events, job, 3)
    engine.cancel(job.id)
    engine.wait(job.id, 30)
    assert job.state == "cancelled"
    last = max(e.step for e in events if e.job_id == job.id)
    assert last < 400
    assert engine.backend.restarts == 0  # cooperative: the worker lives on


def test_job_that_ignores_cancel_is_ended_by_restarting_the_worker(engine):
    events = []
    engine.subscribe(events.append)
    job = engine.submit(req(stall=30))
    # Cancelled before the generator runs, the job would end cooperatively, with no
    # restart: wait for the generator itself to say it has begun.
    wait_step(events, job, 1)
    engine.cancel(job.id)
    engine.wait(job.id, 25)  # the stall alone would take 30 s
    assert job.state == "cancelled"
    assert engine.run(req(), timeout=60).state == "done"
    assert engine.backend.restarts == 1
