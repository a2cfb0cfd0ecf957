"""The engine on several execution slots: concurrency, model affinity, cancel, lost slots."""

import json
import os
import threading
import time
from pathlib import Path

import pytest

from studio.api import GenerationRequest, Generator, GeneratorInfo, Output, hookimpl
from studio.app.backends import ThreadBackend
from studio.app.engine import Engine
from studio.app.jobs import Job
from studio.app.library import Library
from studio.app.plugins import PluginHost
from studio.app.runner import Runner
from studio.app.settings import Settings
from studio.app.slots import MAX_PASSED, Slot, SlotLost, choose, local_devices, pinned
from tests.fakes import fake_pack


def req(**kw):
    kw.setdefault("modality", "image")
    kw.setdefault("generator", "fake.image")
    kw.setdefault("prompt", "a fox")
    return GenerationRequest(**kw)


class LosingBackend(ThreadBackend):
    """Loses its slot (as a dead actor would) on the first ``lose`` runs."""

    def __init__(self, runner, lose=1):
        super().__init__(runner)
        self.lose = lose

    def run(self, job_id, request, emit):
        if self.lose:
            self.lose -= 1
            raise SlotLost("the actor died (simulated)")
        return super().run(job_id, request, emit)


class RefusingBackend(ThreadBackend):
    """A slot whose node lacks the pack of ``fake.text``."""

    def refusal(self, request):
        return "node n2 lacks the pack 'fake'" if request.generator == "fake.text" else ""


def make(tmp_path, *backends_of, settings=None):
    host = PluginHost()
    host.discover()
    settings = settings or Settings(device="cpu")
    slots = [Slot(f"s{i}", make_backend(Runner(host, settings)))
             for i, make_backend in enumerate(backends_of)]
    return Engine(host, Library(tmp_path), slots, settings)


@pytest.fixture
def two(tmp_path, fake_entry_points):
    eng = make(tmp_path, ThreadBackend, ThreadBackend)
    yield eng
    eng.shutdown()
    eng.library.close()


def wait_for(cond, timeout=20):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_two_slots_run_two_jobs_at_the_same_time(two):
    gate = fake_pack.GATES["both"] = threading.Event()
    events = []
    two.subscribe(events.append)
    a = two.submit(req(params={"gate": "both"}))
    b = two.submit(req(params={"gate": "both"}))
    # Both wait on one gate at step 2: with one slot the second could never start.
    wait_for(lambda: a.state == b.state == "running")
    assert {a.slot, b.slot} == {"s0", "s1"}
    assert {s["job"] for s in two.slot_status()} == {a.id, b.id}
    gate.set()
    for job in (a, b):
        assert two.wait(job.id, 20).state == "done", job.error
    assert two.library.count() == 2
    started = {e.job_id: e.slot for e in events if e.kind == "started"}
    assert started == {a.id: a.slot, b.id: b.slot}
    progress_slots = {(e.job_id, e.slot) for e in events if e.kind == "progress"}
    assert progress_slots == {(a.id, a.slot), (b.id, b.slot)}
    assert {e.slot for e in events if e.kind == "done"} == {"s0", "s1"}


def test_cancel_stops_one_slot_and_the_other_job_finishes(two):
    a = two.submit(req(params={"steps": 1000, "delay": 0.02}))
    b = two.submit(req(params={"steps": 30, "delay": 0.02}))
    wait_for(lambda: a.state == b.state == "running")
    two.cancel(a.id)
    assert two.wait(a.id, 20).state == "cancelled"
    assert two.wait(b.id, 30).state == "done"


def test_shutdown_interrupts_the_running_job_of_every_slot(tmp_path, fake_entry_points):
    eng = make(tmp_path, ThreadBackend, ThreadBackend)
    a = eng.submit(req(params={"steps": 1000, "delay": 0.02}))
    b = eng.submit(req(params={"steps": 1000, "delay": 0.02}))
    queued = eng.submit(req())
    wait_for(lambda: a.state == b.state == "running")
    eng.shutdown()
    eng.library.close()
    assert a.state == b.state == "interrupted"
    assert queued.state == "queued"
    assert not any(t.is_alive() for t in eng._threads)


def test_a_job_whose_slot_is_lost_runs_again_and_lands_once(tmp_path, fake_entry_points):
    eng = make(tmp_path, lambda r: LosingBackend(r, lose=1))
    events = []
    eng.subscribe(events.append)
    try:
        job = eng.run(req(seed=9), timeout=20)
        assert job.state == "done", job.error
        assert [e.kind for e in events if e.kind in ("requeued", "done")] == ["requeued",
                                                                              "done"]
        assert "actor died" in next(e.error for e in events if e.kind == "requeued")
        assert job.attempts == 1 and len(job.artifacts) == 1
        assert eng.library.count() == 1
    finally:
        eng.shutdown()
        eng.library.close()


def test_a_job_lost_more_often_than_the_retries_fails_with_the_reason(tmp_path,
                                                                     fake_entry_points):
    eng = make(tmp_path, lambda r: LosingBackend(r, lose=5),
               settings=Settings(device="cpu", ray_retries=1))
    try:
        job = eng.run(req(), timeout=20)
        assert job.state == "failed" and "actor died" in job.error
        assert job.attempts == 1
        assert eng.library.count() == 0
    finally:
        eng.shutdown()
        eng.library.close()


def test_a_slot_refusing_a_generator_never_gets_its_jobs(tmp_path, fake_entry_points):
    eng = make(tmp_path, RefusingBackend, ThreadBackend)
    try:
        texts = [eng.submit(req(modality="text", generator="fake.text", prompt="x",
                                params={"max_new_tokens": 3})) for _ in range(4)]
        for job in texts:
            assert eng.wait(job.id, 20).state == "done", job.error
        assert {job.slot for job in texts} == {"s1"}
    finally:
        eng.shutdown()
        eng.library.close()


def test_a_job_no_slot_can_run_fails_naming_why(tmp_path, fake_entry_points):
    eng = make(tmp_path, RefusingBackend)
    try:
        job = eng.run(req(modality="text", generator="fake.text", prompt="x"), timeout=20)
        assert job.state == "failed"
        assert "no execution slot can run this job" in job.error
        assert "lacks the pack 'fake'" in job.error
    finally:
        eng.shutdown()
        eng.library.close()


def test_a_single_backend_is_one_slot_named_local(tmp_path, fake_entry_points):
    host = PluginHost()
    host.discover()
    settings = Settings(device="cpu")
    eng = Engine(host, Library(tmp_path), ThreadBackend(Runner(host, settings)), settings)
    try:
        job = eng.run(req(), timeout=20)
        assert job.slot == "local" and [s["name"] for s in eng.slot_status()] == ["local"]
        assert eng.slot_status()[0]["model"] == "fake.image:fake/model-a"
    finally:
        eng.shutdown()
        eng.library.close()


# -- which job a free slot takes ---------------------------------------------------------


def job(model, priority=0, seq=0.0):
    return Job(request=req(model=model), priority=priority, seq=seq)


def slot(name, loaded=None, busy=False):
    s = Slot(name, object())
    s.loaded = ("fake.image", loaded) if loaded else None
    s.job = job("x") if busy else None
    return s


def test_a_free_slot_takes_a_later_job_of_its_model_when_the_first_is_warm_elsewhere():
    a_slot, b_slot = slot("a", "A", busy=True), slot("b", "B")
    queue = [job("A"), job("B")]
    taken, passed = choose(b_slot, queue, [a_slot, b_slot])
    assert taken is queue[1] and passed == [queue[0]]


def test_queue_order_holds_when_no_slot_has_the_first_jobs_model():
    a_slot, b_slot = slot("a", "A", busy=True), slot("b", "B")
    queue = [job("C"), job("B")]
    assert choose(b_slot, queue, [a_slot, b_slot])[0] is queue[0]


def test_affinity_never_crosses_priorities():
    a_slot, b_slot = slot("a", "A", busy=True), slot("b", "B")
    queue = [job("A", priority=1), job("B", priority=0)]
    assert choose(b_slot, queue, [a_slot, b_slot])[0] is queue[0]


def test_a_free_slot_does_not_idle_while_only_passed_over_jobs_wait():
    a_slot, b_slot = slot("a", "A", busy=True), slot("b", "B")
    queue = [job("A")]
    assert choose(b_slot, queue, [a_slot, b_slot]) == (queue[0], [])


def test_a_job_passed_over_max_times_is_taken_by_the_next_free_slot():
    a_slot, b_slot = slot("a", "A", busy=True), slot("b", "B")
    starving = job("A")
    for _ in range(MAX_PASSED):
        queue = [starving, job("B")]
        taken, passed = choose(b_slot, queue, [a_slot, b_slot])
        assert taken is queue[1]
        for j in passed:
            j.passed_over += 1
    assert choose(b_slot, [starving, job("B")], [a_slot, b_slot])[0] is starving


def test_a_freed_slot_takes_the_job_of_its_own_model_first(tmp_path, fake_entry_points):
    """The head job's model is loaded on a busy slot: the freed slot (holding the other
    model) takes the later job of its own model, and the head job waits for its slot."""
    eng = make(tmp_path, ThreadBackend, ThreadBackend)
    gates = {name: fake_pack.GATES.setdefault(name, threading.Event())
             for name in ("hold-a", "hold-b", "hold-b2")}
    try:
        a0 = eng.submit(req(model="fake/model-a", params={"gate": "hold-a"}))
        b0 = eng.submit(req(model="fake/model-b", params={"gate": "hold-b"}))
        wait_for(lambda: a0.state == b0.state == "running")
        a1 = eng.submit(req(model="fake/model-a"))
        b1 = eng.submit(req(model="fake/model-b", params={"gate": "hold-b2"}))
        gates["hold-b"].set()
        wait_for(lambda: b1.state == "running")
        assert b1.slot == b0.slot and a1.state == "queued" and a1.passed_over == 1
        gates["hold-a"].set()
        assert eng.wait(a1.id, 20).state == "done"
        assert a1.slot == a0.slot
        gates["hold-b2"].set()
        assert eng.wait(b1.id, 20).state == "done"
    finally:
        for gate in gates.values():
            gate.set()
        eng.shutdown()
        eng.library.close()


# -- local devices -----------------------------------------------------------------------


def test_every_cuda_device_gets_a_slot_by_default(monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert local_devices("auto", "all", lambda: 2) == ["cuda:0", "cuda:1"]
    assert local_devices("auto", "all", lambda: 1) == []  # one slot, as before
    assert local_devices("auto", "all", lambda: 0) == []
    assert local_devices("cpu", "all", lambda: 4) == []  # CPU chosen: one slot
    assert local_devices("cuda:1", "all", lambda: 4) == []  # one device chosen by hand
    assert local_devices("auto", "cuda:0, cuda:2", lambda: 4) == ["cuda:0", "cuda:2"]
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1,3")
    assert local_devices("auto", "all", lambda: 4) == ["cuda:1", "cuda:3"]


def test_a_worker_is_pinned_to_its_device():
    assert pinned("cuda:3") == ({"CUDA_VISIBLE_DEVICES": "3"}, "cuda:0")
    assert pinned("cpu") == ({}, "cpu")


def test_the_studio_builds_one_slot_per_listed_device(tmp_path, fake_entry_points):
    from studio.app.studio import Studio

    studio = Studio(root=tmp_path / "data", backend="thread")
    studio.settings.devices = "cuda:0,cuda:1"
    try:
        slots = studio.engine.slots
        assert [s.name for s in slots] == ["cuda:0", "cuda:1"]
        assert [s.backend.runner.settings.device for s in slots] == ["cuda:0", "cuda:1"]
    finally:
        studio.close()


# -- the queue view and the command line -----------------------------------------------


def test_the_queue_view_shows_each_slots_activity(qtbot, tmp_path, fake_entry_points):
    pytest.importorskip("pytestqt")
    from studio.ui.bridge import EngineBridge
    from studio.ui.jobs_view import JobsView

    eng = make(tmp_path, ThreadBackend, ThreadBackend)
    view = JobsView(eng)
    bridge = EngineBridge(eng)
    bridge.jobEvent.connect(view.on_event)
    qtbot.addWidget(view)
    view.resize(900, 200)
    view.show()
    gate = fake_pack.GATES["view"] = threading.Event()
    try:
        assert view.slots_label.text() == "Slots: s0 idle, s1 idle"
        jobs = [eng.submit(req(prompt=p, params={"gate": "view"})) for p in ("fox", "owl")]
        for job in jobs:
            view.add_job(job)
        qtbot.waitUntil(lambda: all(view.rows[j.id].where.isVisible() for j in jobs),
                        timeout=20000)
        assert {view.rows[j.id].where.text() for j in jobs} == {"on s0", "on s1"}
        qtbot.waitUntil(lambda: view.slots_label.text() == "Slots: s0 busy, s1 busy",
                        timeout=20000)
        view.grab().save(os.environ.get("STUDIO_SHOT", str(tmp_path / "queue-slots.png")))
        gate.set()
        qtbot.waitUntil(lambda: view.slots_label.text() == "Slots: s0 idle, s1 idle",
                        timeout=20000)
    finally:
        gate.set()
        bridge.close()
        eng.shutdown()
        eng.library.close()


def test_a_requeued_job_shows_as_queued_again():
    from studio.app.jobs import JobEvent
    from studio.ui.jobs_view import RowState

    state = RowState(phase="generating", step=3, total=9)
    state.apply(JobEvent("started", "j", slot="ray-gpu-1"))
    state.apply(JobEvent("requeued", "j", error="the Ray actor was lost", slot="ray-gpu-1"))
    assert (state.phase, state.step, state.slot) == ("queued", 0, "ray-gpu-1")
    assert state.error == "the Ray actor was lost"


def test_cluster_status_lists_this_machines_slot(capsys, fake_entry_points):
    import json

    from studio.cli.main import main

    assert main(["cluster", "status", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["backend"] == "local"
    assert [(s["name"], s["node"], s["health"]) for s in out["slots"]] == [
        ("local", "local", "ok")]
    assert main(["cluster", "status"]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == ["SLOT", "DEVICE", "NODE", "MODEL", "JOB",
                                             "HEALTH"]


def test_cluster_status_on_an_unreachable_cluster_is_one_line(capsys, monkeypatch):
    pytest.importorskip("ray")
    from studio.cli.main import main

    monkeypatch.setenv("STUDIO_BACKEND", "ray")
    monkeypatch.setenv("STUDIO_RAY_ADDRESS", "ray://127.0.0.1:1")
    assert main(["cluster", "status"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("studio: cannot reach the Ray cluster at ray://127.0.0.1:1")
    assert err.count("\n") == 1


def test_jobs_wait_while_a_cluster_connects_then_run_on_its_slots(tmp_path, fake_entry_points):
    from studio.app.slots import Connecting

    host = PluginHost()
    host.discover()
    settings = Settings(device="cpu")
    eng = Engine(host, Library(tmp_path), [Slot("ray", Connecting("ray://h:1"))], settings)
    try:
        job = eng.submit(req())
        time.sleep(0.2)  # the placeholder takes nothing, and nothing fails for want of a slot
        assert job.state == "queued"
        assert eng.slot_status()[0]["health"] == "connecting"
        eng.replace_slot("ray", [Slot("n1", ThreadBackend(Runner(host, settings)))])
        assert eng.wait(job.id, 20).state == "done" and job.slot == "n1"
        assert [s.name for s in eng.slots] == ["n1"]
    finally:
        eng.shutdown()
        eng.library.close()


# -- a worker process pinned to its device -------------------------------------------------
# This module doubles as a tiny pack: its generator reports the device pinning it sees.

STUDIO_API_VERSION = 1


class EnvProbe(Generator):
    def load(self, model, plan):
        return plan.device

    def generate(self, request, loaded, progress, cancel):
        seen = {"CUDA_VISIBLE_DEVICES": os.environ.get("CUDA_VISIBLE_DEVICES", ""),
                "device": loaded}
        return [Output("text", json.dumps(seen))]


@hookimpl
def studio_register_generators(register):
    register(GeneratorInfo(id="probe.env", name="env probe", modality="text",
                           tasks=("continue",),
                           factory="tests.test_engine_slots:EnvProbe"))


def test_a_worker_process_is_pinned_to_its_device(tmp_path):
    import sys

    from studio.app.worker_process import ProcessBackend

    host = PluginHost()
    host.register_module(sys.modules[__name__], "probe")
    env, device = pinned("cuda:3")
    # "cpu" stands in for the device the pinned worker would name: no GPU is needed to
    # see that the worker got its environment before it ran anything.
    settings = Settings(device="cpu")
    backend = ProcessBackend(tmp_path, settings, extra_plugins=[__name__], env=env,
                             slot_name="cuda:3")
    eng = Engine(host, Library(tmp_path / "lib"), [Slot("cuda:3", backend)], settings)
    try:
        job = eng.run(GenerationRequest(modality="text", generator="probe.env",
                                        prompt="x"), timeout=120)
        assert job.state == "done", job.error
        text = Path(eng.library.get(job.artifacts[0].id).path).read_text()
        assert '"CUDA_VISIBLE_DEVICES": "3"' in text  # the worker's own environment
        assert os.environ.get("CUDA_VISIBLE_DEVICES") != "3"  # this process untouched
        assert device == "cuda:0"
    finally:
        eng.shutdown()
        eng.library.close()
