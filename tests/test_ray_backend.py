"""The Ray backend on a local Ray (2 CPUs, CPU actors): jobs, cancel, lost actors, packs.

One ``ray.init`` for the whole module (it costs seconds); each test starts its own two
actors and kills them after.
"""

import logging
import os
import sys
import time
from pathlib import Path

import pytest

from studio.api import GenerationRequest, StudioError
from studio.app.engine import Engine
from studio.app.library import Library
from studio.app.plugins import PluginHost
from studio.app.settings import Settings
from tests.fakes import fake_pack

ray = pytest.importorskip("ray")

from studio.app.ray_backend import RayUnavailable, check_packs, connect_slots  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FAKE = "tests.fakes.fake_pack"


@pytest.fixture(scope="module", autouse=True)
def cluster(tmp_path_factory):
    """A local Ray and an engine on two CPU actors, shared by the module's tests; the
    second actor's node loads none of the installed packs, only the fake one.

    Module-scoped and autouse, so it is set up before (and outlives) each test's check
    for leaked threads.
    """
    os.environ["RAY_DISABLE_IMPORT_WARNING"] = "1"
    data = tmp_path_factory.mktemp("ray-node")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             logging_level=logging.ERROR, configure_logging=False,
             # The actors import the fake pack from this checkout and keep their
             # cache in a folder of the test's own.
             runtime_env={"env_vars": {"PYTHONPATH": str(ROOT),
                                       "STUDIO_DATA_DIR": str(data)}})
    host = PluginHost()
    host.discover()
    host.register_module(fake_pack, "fake")
    settings = Settings(device="cpu", ray_cpu_slots=2, ray_retries=1)
    with _capture_warnings() as warnings:
        slots = connect_slots(data, settings, host, extra_plugins=[FAKE],
                              actor_env=[{}, {"STUDIO_LOAD_PLUGINS": "nothing"}])
    eng = Engine(host, Library(tmp_path_factory.mktemp("library")), slots, settings)
    eng.connect_warnings = warnings
    yield eng
    eng.shutdown()
    eng.library.close()
    ray.shutdown()


class _capture_warnings:
    def __enter__(self):
        self.records = []
        self.handler = logging.Handler(logging.WARNING)
        self.handler.emit = self.records.append
        logging.getLogger("studio.app.ray_backend").addHandler(self.handler)
        return self.records

    def __exit__(self, *exc):
        logging.getLogger("studio.app.ray_backend").removeHandler(self.handler)


@pytest.fixture
def eng(cluster):
    return cluster


def req(**kw):
    kw.setdefault("modality", "image")
    kw.setdefault("generator", "fake.image")
    kw.setdefault("prompt", "a fox")
    return GenerationRequest(**kw)


def wait_for(cond, timeout=60):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


def test_jobs_over_two_actors_land_once_in_the_library_with_their_metadata(eng):
    before = eng.library.count()
    assert [s.name for s in eng.slots] == ["ray-cpu-0", "ray-cpu-1"]
    # A long job holds one actor while the others finish on the second: two at once.
    long = eng.submit(req(seed=100, params={"steps": 1000, "delay": 0.05}))
    wait_for(lambda: long.state == "running")
    jobs = [eng.submit(req(seed=s, prompt=f"fox {s}", params={"batch_size": 2}))
            for s in range(0, 12, 2)]
    for job in jobs:
        assert eng.wait(job.id, 120).state == "done", job.error
    assert long.state == "running"
    eng.cancel(long.id)
    assert eng.wait(long.id, 60).state == "cancelled"
    assert {job.slot for job in jobs} == {"ray-cpu-0", "ray-cpu-1"} - {long.slot}
    assert eng.library.count() - before == 12  # 6 jobs x batch 2, each once
    arts = [eng.library.get(a.id) for job in jobs for a in job.artifacts]
    assert sorted(a.seed for a in arts) == list(range(12))
    for job in jobs:
        art = eng.library.get(job.artifacts[0].id)
        assert art.prompt == job.request.prompt and art.model == "fake/model-a"
        assert art.metadata["request"]["seed"] == job.request.seed
        assert Path(art.path).is_file()


def test_cancel_reaches_a_running_remote_job_within_a_step(eng):
    steps = []
    eng.subscribe(lambda e: steps.append(e.step) if e.kind == "progress" else None)
    job = eng.submit(req(params={"steps": 1000, "delay": 0.05}))
    wait_for(lambda: job.step >= 2)
    eng.cancel(job.id)
    assert eng.wait(job.id, 60).state == "cancelled"
    assert max(steps) < 1000
    # The actor stopped the job, not the slot: it runs the next one without a restart.
    slot = next(s for s in eng.slots if s.name == job.slot)
    restarts = slot.backend.restarts
    after = [eng.submit(req(params={"steps": 2})) for _ in range(3)]
    for j in after:
        assert eng.wait(j.id, 60).state == "done", j.error
    assert slot.backend.restarts == restarts


def test_a_job_ignoring_cancel_has_its_actor_replaced(eng):
    job = eng.submit(req(params={"hang": "never-set"}))  # ignores cancel for 60 s
    wait_for(lambda: job.state == "running")
    slot = next(s for s in eng.slots if s.name == job.slot)
    slot.backend.cancel_grace_s = 1.0
    try:
        eng.cancel(job.id)
        assert eng.wait(job.id, 60).state == "cancelled"
        assert slot.backend.actor is None  # killed; the next job starts a new one
    finally:
        slot.backend.cancel_grace_s = 10.0
    after = [eng.submit(req()) for _ in range(3)]
    for j in after:
        assert eng.wait(j.id, 120).state == "done", j.error


def test_a_killed_actor_requeues_its_job_which_completes_exactly_once(eng):
    before = eng.library.count()
    events = []
    eng.subscribe(events.append)
    job = eng.submit(req(seed=41, params={"steps": 60, "delay": 0.05}))
    wait_for(lambda: job.step >= 2)
    slot = next(s for s in eng.slots if s.name == job.slot)
    ray.kill(slot.backend.actor)
    assert eng.wait(job.id, 120).state == "done", job.error
    assert job.attempts == 1
    requeued = [e for e in events if e.kind == "requeued"]
    assert len(requeued) == 1 and "was lost" in requeued[0].error
    assert [e.kind for e in events if e.job_id == job.id].count("done") == 1
    assert eng.library.count() - before == 1
    assert eng.library.get(job.artifacts[0].id).seed == 41
    # The other slots went on; the lost one runs again on a new actor.
    more = [eng.submit(req(seed=s)) for s in range(4)]
    for j in more:
        assert eng.wait(j.id, 120).state == "done", j.error
    assert eng.library.count() - before == 5


def test_a_node_missing_a_pack_is_named_and_gets_none_of_its_jobs(eng):
    hidden = eng.slots[1]
    problems = eng.slot_status()[1]["problems"]
    local_packs = {p for p in eng.host.generator_plugin.values() if p != "fake"}
    assert local_packs, "needs an installed pack besides the fake one"
    pack = sorted(local_packs)[0]
    assert any(f"the pack {pack!r}" in p and hidden.backend.report["node"] in p
               for p in problems)
    assert any(f"the pack {pack!r}" in r.getMessage() and "ray-cpu-1" in r.getMessage()
               for r in eng.connect_warnings)
    gid = next(g for g, p in eng.host.generator_plugin.items() if p == pack)
    assert hidden.refusal(req(generator=gid))
    assert not eng.slots[0].refusal(req(generator=gid))
    assert not hidden.refusal(req())  # the fake pack is there


def test_a_tiny_image_pipeline_runs_on_the_actor_that_has_its_pack(eng, tmp_path):
    pytest.importorskip("diffusers")
    from studio_image.testing import save_tiny_pipeline

    model = save_tiny_pipeline(tmp_path / "tiny-sd")
    job = eng.run(GenerationRequest(modality="image", generator="image.diffusers",
                                    prompt="a red fox", seed=7, model=str(model),
                                    params={"steps": 2}), timeout=300)
    assert job.state == "done", job.error
    assert job.slot == "ray-cpu-0"  # the other node lacks the image pack
    art = eng.library.get(job.artifacts[0].id)
    assert art.seed == 7 and art.model == str(model) and art.params["steps"] == 2
    from PIL import Image

    with Image.open(art.path) as im:
        assert im.size[0] > 0 and im.text.get("parameters")


def test_a_cluster_without_gpus_and_no_cpu_slots_is_one_line():
    host = PluginHost()
    with pytest.raises(RayUnavailable, match="has no GPU and ray_cpu_slots is 0"):
        connect_slots(Path("."), Settings(ray_cpu_slots=0), host)


# -- bad input: one line, at connection time -------------------------------------------


@pytest.mark.parametrize("address", ["ray://127.0.0.1:1", "127.0.0.1:1"])
def test_an_unreachable_address_is_one_line(address):
    with pytest.raises(RayUnavailable) as info:
        connect_slots(Path("."), Settings(ray_address=address, ray_cpu_slots=1),
                      PluginHost())
    message = str(info.value)
    assert f"cannot reach the Ray cluster at {address}" in message and "\n" not in message


def test_ray_not_installed_is_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(RayUnavailable, match=r"needs Ray, which is not installed"):
        connect_slots(Path("."), Settings(ray_cpu_slots=1), PluginHost())


def test_the_studio_falls_back_to_this_machine_when_ray_is_unreachable(
        monkeypatch, tmp_path, fake_entry_points):
    from studio.app.studio import Studio

    monkeypatch.setenv("STUDIO_BACKEND", "ray")
    monkeypatch.setenv("STUDIO_RAY_ADDRESS", "ray://127.0.0.1:1")
    studio = Studio(root=tmp_path / "data", backend="thread")
    studio.settings.device = "cpu"
    try:
        assert [s.name for s in studio.engine.slots] == ["local"]
        assert "cannot reach the Ray cluster at ray://127.0.0.1:1" in studio.cluster_problem
        job = studio.engine.run(req(), timeout=30)
        assert job.state == "done", job.error
    finally:
        studio.close()


def test_the_window_connects_on_a_thread_and_falls_back_to_its_worker(
        monkeypatch, tmp_path, fake_entry_points):
    from studio.app.studio import Studio
    from studio.app.worker_process import ProcessBackend

    monkeypatch.setenv("STUDIO_BACKEND", "ray")
    monkeypatch.setenv("STUDIO_RAY_ADDRESS", "ray://127.0.0.1:1")
    studio = Studio(root=tmp_path / "data", backend="process")
    try:
        engine = studio.engine  # returns at once: the GUI thread never waits for Ray
        studio.cluster_thread.join(30)
        assert [s.name for s in engine.slots] == ["local"]
        assert isinstance(engine.backend, ProcessBackend)
        assert "cannot reach the Ray cluster" in studio.cluster_problem
    finally:
        studio.close()


def test_pack_checks_name_a_pack_of_another_api_version():
    local = {"img.gen": "img", "txt.gen": "txt"}
    report = {"node": "10.0.0.7", "api_version": 1, "generators": {"txt.gen": "txt"},
              "packs": {"img": {"status": "error", "version": "2.0",
                                "error": "built for plugin API 2, this Studio speaks 1"},
                        "txt": {"status": "ok", "version": "1.0", "error": ""}}}
    from studio.api import API_VERSION

    report["api_version"] = API_VERSION
    refused, problems = check_packs(report, local)
    assert set(refused) == {"img.gen"}
    assert problems == ["node 10.0.0.7 cannot use the pack 'img': built for plugin API 2, "
                        "this Studio speaks 1"]
    other = {**report, "api_version": API_VERSION + 1}
    refused, problems = check_packs(other, local)
    assert set(refused) == set(local) and "plugin API" in problems[0]


def test_bad_ray_settings_from_the_environment_are_named(monkeypatch):
    from studio.app.settings import apply_environment

    monkeypatch.setenv("STUDIO_RAY_CPU_SLOTS", "two")
    with pytest.raises(StudioError, match="STUDIO_RAY_CPU_SLOTS must be a whole number"):
        apply_environment(Settings())
    monkeypatch.setenv("STUDIO_RAY_CPU_SLOTS", "2")
    monkeypatch.setenv("STUDIO_BACKEND", "ray")
    applied = apply_environment(Settings())
    assert applied.ray_cpu_slots == 2 and applied.backend == "ray"
