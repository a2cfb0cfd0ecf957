"""The engine side of the queue panel: phases in order, move, retry, remove, cancel (issue #13)."""

import os
import threading
import time

import pytest

from studio.api import GenerationRequest, RequestError
from studio.app.engine import Engine
from studio.app.library import Library
from studio.app.plugins import PluginHost
from studio.app.settings import Settings
from studio.app.worker_process import ProcessBackend
from tests.fakes import fake_pack
from tests.test_engine import make_engine, wait_running


@pytest.fixture
def engine(tmp_path, fake_entry_points):
    eng = make_engine(tmp_path)
    yield eng
    eng.shutdown()
    eng.library.close()


def req(**kw):
    kw.setdefault("modality", "image")
    kw.setdefault("generator", "fake.image")
    kw.setdefault("prompt", "a fox")
    return GenerationRequest(**kw)


def phases(events, job_id):
    out = []
    for e in events:
        if e.job_id != job_id:
            continue
        name = e.stage if e.kind == "progress" else e.kind
        if not out or out[-1] != name:
            out.append(name)
    return out


def test_a_job_reports_queued_loading_steps_saving_done_in_order(engine):
    events = []
    engine.subscribe(events.append)
    job = engine.run(req(params={"steps": 3}), timeout=10)
    assert phases(events, job.id) == ["queued", "started", "loading", "generating",
                                      "saving", "done"]
    # The model stays loaded: the next job goes straight to its steps.
    again = engine.run(req(params={"steps": 3}), timeout=10)
    assert phases(events, again.id) == ["queued", "started", "generating", "saving", "done"]


def test_move_places_a_queued_job_and_emits_reordered(engine):
    gate = fake_pack.GATES["mv"] = threading.Event()
    events = []
    engine.subscribe(events.append)
    blocker = engine.submit(req(params={"gate": "mv"}))
    wait_running(blocker)
    a, b, c = (engine.submit(req(prompt=p)) for p in "abc")
    engine.move(a.id, 2)
    assert [j.request.prompt for j in engine.queued()] == ["b", "c", "a"]
    engine.move(a.id, 1)
    assert [j.request.prompt for j in engine.queued()] == ["b", "a", "c"]
    engine.move(c.id, 99)  # past the end: last
    assert [j.request.prompt for j in engine.queued()] == ["b", "a", "c"]
    assert [e.job_id for e in events if e.kind == "reordered"] == [a.id, a.id, c.id]
    gate.set()
    for j in (blocker, a, b, c):
        engine.wait(j.id, 10)


def test_retry_queues_the_same_request_as_a_new_job(engine):
    failed = engine.run(req(seed=3, params={"fail": True}), timeout=10)
    assert failed.state == "failed"
    again = engine.retry(failed.id)
    assert again.id != failed.id
    assert again.request == failed.request  # same seed, model, params
    engine.wait(again.id, 10)


def test_forget_removes_one_finished_job_and_refuses_a_running_one(engine):
    done = engine.run(req(), timeout=10)
    gate = fake_pack.GATES["fg"] = threading.Event()
    running = engine.submit(req(params={"gate": "fg"}))
    wait_running(running)
    queued = engine.submit(req(prompt="later"))
    engine.forget(done.id)
    assert done.id not in {j.id for j in engine.jobs()}
    with pytest.raises(RequestError, match="cancel it first"):
        engine.forget(running.id)
    engine.forget(queued.id)  # a queued job is cancelled, then dropped
    assert queued.state == "cancelled" and engine.queued() == []
    engine.forget("no-such-job")  # already gone: nothing to do
    gate.set()
    engine.wait(running.id, 10)
    assert engine.library.count() == 2


@pytest.fixture
def process_engine(tmp_path, fake_entry_points):
    host = PluginHost()
    host.discover()
    settings = Settings(device="cpu")
    backend = ProcessBackend(tmp_path, settings, extra_plugins=["tests.fakes.fake_pack"],
                             cancel_grace_s=10.0)
    eng = Engine(host, Library(tmp_path), backend, settings)
    yield eng
    eng.shutdown()
    eng.library.close()


def test_cancel_of_a_generator_honouring_it_keeps_the_worker_process(process_engine):
    """A diffusion-like job (one progress call per step) stops within a step, same pid."""
    engine = process_engine
    events = []
    engine.subscribe(events.append)
    warm = engine.run(req(params={"steps": 2}), timeout=60)
    assert warm.state == "done"
    pid = engine.backend.pid
    job = engine.submit(req(params={"steps": 1000, "delay": 0.02}))
    deadline = time.time() + 30
    while not any(e.job_id == job.id and e.step >= 3 for e in events):
        assert time.time() < deadline, "no progress"
        time.sleep(0.01)
    engine.cancel(job.id)
    step_at_cancel = max(e.step for e in events if e.job_id == job.id)
    engine.wait(job.id, 30)
    assert job.state == "cancelled"
    # Within one step, give or take the events still in the pipe when cancel arrived.
    last = max(e.step for e in events if e.job_id == job.id)
    print(f"\ncancel at step {step_at_cancel}: last step reported {last}, worker pid "
          f"{'unchanged' if engine.backend.pid == pid else 'changed'}, "
          f"restarts {engine.backend.restarts}")
    assert last - step_at_cancel <= 2
    assert engine.backend.pid == pid and engine.backend.restarts == 0
    assert engine.backend.pid != os.getpid()
    assert engine.run(req(), timeout=60).state == "done"
    assert engine.backend.pid == pid
