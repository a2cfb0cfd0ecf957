import threading
import time

import pytest

from studio.api import GenerationRequest, ParamError, PluginError, RequestError
from studio.app.backends import ThreadBackend
from studio.app.engine import Engine
from studio.app.library import Library
from studio.app.plugins import PluginHost
from studio.app.runner import Runner
from studio.app.settings import Settings
from tests.fakes import fake_pack


def make_engine(root, store=None, recorder=None):
    host = PluginHost()
    host.discover()
    settings = Settings(device="cpu")
    lib = Library(root)
    eng = Engine(host, lib, ThreadBackend(Runner(host, settings)), settings, store=store,
                 recorder=recorder)
    return eng


@pytest.fixture
def engine(tmp_path, fake_entry_points):
    eng = make_engine(tmp_path)
    yield eng
    eng.shutdown()
    eng.library.close()


def wait_running(job, timeout=10):
    deadline = time.time() + timeout
    while job.state != "running" and time.time() < deadline:
        time.sleep(0.005)
    assert job.state == "running"


def req(**kw):
    kw.setdefault("modality", "image")
    kw.setdefault("generator", "fake.image")
    kw.setdefault("prompt", "a fox")
    return GenerationRequest(**kw)


def test_a_job_produces_library_artifacts_with_metadata(engine):
    job = engine.run(req(seed=5, params={"batch_size": 2}), timeout=10)
    assert job.state == "done", job.error
    assert [a.seed for a in job.artifacts] == [5, 6]
    art = engine.library.get(job.artifacts[0].id)
    assert art.prompt == "a fox" and art.params["steps"] == 4 and art.model == "fake/model-a"
    assert art.metadata["request"]["seed"] == 5


def test_prepare_fills_defaults_and_picks_task_from_inputs(engine, tmp_path):
    img = tmp_path / "in.png"
    from PIL import Image

    Image.new("RGB", (8, 8)).save(img)
    p = engine.prepare(req(inputs={"image": str(img)}))
    assert p.task == "img2img" and p.seed is not None and p.params["width"] == 16
    assert engine.prepare(req()).task == "txt2img"


@pytest.mark.parametrize(
    ("request_kw", "error", "match"),
    [
        ({"params": {"steps": -5}}, ParamError, r"steps must be >= 1, got -5"),
        ({"task": "inpaint"}, RequestError, "cannot do task 'inpaint'"),
        ({"task": "img2img"}, RequestError, "needs the input"),
        ({"inputs": {"image": "/nonexistent.png"}}, RequestError, "does not exist"),
        ({"inputs": {"audio": "/x"}}, RequestError, "takes no 'audio' input"),
        ({"seed": -1}, RequestError, "seed must be"),
        ({"generator": "nope"}, PluginError, "no generator 'nope'"),
    ],
)
def test_bad_requests_are_refused_before_queueing(engine, request_kw, error, match):
    with pytest.raises(error, match=match):
        engine.submit(req(**request_kw))
    assert engine.jobs() == []


def test_a_modality_without_a_generator_is_refused_naming_it(tmp_path, fake_entry_points,
                                                              monkeypatch):
    monkeypatch.setenv("STUDIO_LOAD_PLUGINS", "fake")  # no music pack loaded
    eng = make_engine(tmp_path)
    try:
        with pytest.raises(PluginError, match="no music generator"):
            eng.submit(req(modality="music", generator=""))
        assert eng.jobs() == []
    finally:
        eng.shutdown()
        eng.library.close()


def test_failed_job_carries_message_and_engine_goes_on(engine):
    bad = engine.run(req(params={"fail": True}), timeout=10)
    crash = engine.run(req(params={"crash": True}), timeout=10)
    good = engine.run(req(), timeout=10)
    assert bad.state == "failed" and bad.error == "the fake generator was asked to fail"
    assert crash.state == "failed" and "RuntimeError: boom" in crash.error
    assert good.state == "done"


def test_progress_is_monotonic_with_eta(engine):
    events = []
    engine.subscribe(events.append)
    job = engine.run(req(params={"steps": 6}), timeout=10)
    steps = [e.step for e in events if e.kind == "progress" and e.stage == "generating"]
    assert steps == [1, 2, 3, 4, 5, 6]
    assert any(e.eta is not None for e in events if e.kind == "progress")
    kinds = [e.kind for e in events if e.job_id == job.id]
    assert kinds[0] == "queued" and kinds[1] == "started" and kinds[-1] == "done"


def test_cancel_is_honoured_within_one_step(engine):
    gate = fake_pack.GATES["c1"] = threading.Event()
    steps = []
    engine.subscribe(lambda e: steps.append(e.step) if e.kind == "progress" and e.step else None)
    job = engine.submit(req(params={"steps": 50, "gate": "c1"}))
    wait_running(job)
    engine.cancel(job.id)
    gate.set()
    engine.wait(job.id, 10)
    assert job.state == "cancelled"
    # Blocked inside step 2, cancelled then: step 2's progress call raises.
    assert max(steps) <= 2
    assert engine.library.count() == 0


def test_queue_order_priority_and_move(engine):
    gate = fake_pack.GATES["q"] = threading.Event()
    started = []
    engine.subscribe(lambda e: started.append(e.job_id) if e.kind == "started" else None)
    blocker = engine.submit(req(params={"gate": "q"}))
    wait_running(blocker)
    a = engine.submit(req(prompt="a"))
    b = engine.submit(req(prompt="b"))
    c = engine.submit(req(prompt="c"))
    urgent = engine.submit(req(prompt="urgent"), priority=5)
    engine.move(c.id, 0)
    assert [j.request.prompt for j in engine.queued()] == ["urgent", "c", "a", "b"]
    engine.cancel(b.id)
    gate.set()
    for j in (blocker, a, c, urgent):
        engine.wait(j.id, 10)
    assert started == [blocker.id, urgent.id, c.id, a.id]
    assert b.state == "cancelled"


def test_queued_jobs_survive_restart_and_running_ones_are_interrupted(tmp_path,
                                                                     fake_entry_points):
    store = tmp_path / "queue.sqlite"
    gate = fake_pack.GATES["r"] = threading.Event()
    eng = make_engine(tmp_path, store=store)
    running = eng.submit(req(params={"gate": "r"}))
    queued = eng.submit(req(prompt="later"))
    wait_running(running)
    # Simulate the app dying: the store keeps the rows as they are right now.
    eng._stopping = True
    gate.set()
    eng._db.close()
    eng._db = None
    eng._thread.join(5)
    eng.backend.shutdown()  # a dead app's job thread is gone too
    eng.library.close()

    fake_pack.GATES.pop("r")
    eng2 = make_engine(tmp_path, store=store)
    try:
        assert eng2.job(running.id).state == "interrupted"
        done = eng2.wait(queued.id, 10)
        assert done.state == "done" and done.request.prompt == "later"
        eng2.shutdown()
        eng3 = make_engine(tmp_path, store=store)
        ids = {j.id for j in eng3.jobs()}
        eng3.shutdown()
        eng3.library.close()
        assert ids == set()  # finished jobs live in the library; interrupted ones were shown once
    finally:
        eng2.shutdown()
        eng2.library.close()


def test_model_cache_reuses_loaded_models(engine):
    fake_pack.LOADS.clear()
    engine.run(req(), timeout=10)
    engine.run(req(), timeout=10)
    engine.run(req(model="fake/model-b"), timeout=10)
    assert fake_pack.LOADS == ["fake/model-a", "fake/model-b"]


def test_generate_event_is_recorded(tmp_path, fake_entry_points):
    seen = []
    eng = make_engine(tmp_path, recorder=lambda kind, **f: seen.append((kind, f)))
    try:
        job = eng.run(req(seed=3), timeout=10)
    finally:
        eng.shutdown()
        eng.library.close()
    kind, fields = seen[-1]
    assert kind == "generate" and fields["prompt"] == "a fox" and fields["seed"] == 3
    assert fields["artifacts"] == [a.id for a in job.artifacts]


def test_a_broken_listener_does_not_stop_the_engine(engine):
    engine.subscribe(lambda e: 1 / 0)
    assert engine.run(req(), timeout=10).state == "done"


def test_streamed_text_pieces_add_up_to_the_result(engine):
    pieces = []
    engine.subscribe(lambda e: pieces.append(e.text) if e.text else None)
    job = engine.run(GenerationRequest(modality="text", prompt="Once", seed=1), timeout=10)
    assert job.artifacts[0].text == "Once" + "".join(pieces)


def test_out_of_memory_evicts_and_retries_once_with_offload(engine):
    fake_pack.LOADS.clear()
    job = engine.run(req(params={"oom": "unless_offload"}), timeout=10)
    assert job.state == "done", job.error
    assert job.artifacts[0].metadata["steps_run"] == 4
    assert fake_pack.LOADS == ["fake/model-a", "fake/model-a"]  # reloaded with the lighter plan
    runner = engine.backend.runner
    assert [k[-1] for k in runner.cache.keys()] == [True]  # only the offloaded copy is kept


def test_out_of_memory_twice_fails_with_advice(engine):
    job = engine.run(req(params={"oom": "always"}), timeout=10)
    assert job.state == "failed"
    assert "out of memory" in job.error and "lower the size" in job.error
    assert engine.run(req(), timeout=10).state == "done"


def test_closing_the_studio_interrupts_the_running_job_and_keeps_the_queue(tmp_path,
                                                                           fake_entry_points):
    store = tmp_path / "queue.sqlite"
    eng = make_engine(tmp_path, store=store)
    events = []
    eng.subscribe(events.append)
    running = eng.submit(req(params={"steps": 500, "delay": 0.01}))
    queued = eng.submit(req(prompt="next"))
    wait_running(running)
    eng.shutdown()
    eng.library.close()
    assert running.state == "interrupted" and "closed" in running.error
    assert queued.state == "queued"
    eng2 = make_engine(tmp_path, store=store)
    try:
        assert eng2.job(running.id).state == "interrupted"
        assert eng2.wait(queued.id, 10).state == "done"
    finally:
        eng2.shutdown()
        eng2.library.close()
