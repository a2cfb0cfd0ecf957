"""The thread backend reuses one job thread, and replaces it only when a job is stuck."""

import os
import threading
import time

import pytest

from studio.api import Cancelled, GenerationRequest, PluginError
from studio.app.backends import ThreadBackend


class StubRunner:
    """Stands in for Runner: records the thread each job ran on."""

    def __init__(self, behaviour=None):
        self.threads = []
        self.behaviour = behaviour or {}
        self.cache = type("Cache", (), {"clear": lambda self: None})()

    def run(self, job_id, request, emit, token):
        self.threads.append(threading.get_ident())
        action = self.behaviour.get(job_id)
        if action == "sys.exit":
            raise SystemExit(3)
        if action == "os._exit":
            os._exit(4)
        if action == "stuck":
            time.sleep(1.5)  # ignores the cancel
        return []

    def fresh(self):
        return self


REQ = GenerationRequest(modality="image", prompt="x", generator="stub.gen")


def test_jobs_run_one_after_another_on_one_reused_thread():
    runner = StubRunner()
    backend = ThreadBackend(runner)
    for i in range(5):
        assert backend.run(f"j{i}", REQ, lambda e: None) == []
    assert len(runner.threads) == 5 and len(set(runner.threads)) == 1
    assert threading.get_ident() not in runner.threads
    backend.shutdown()


@pytest.mark.parametrize("action", ["sys.exit", "os._exit"])
def test_an_exit_fails_its_job_and_the_thread_serves_the_next(action):
    runner = StubRunner({"bad": action})
    backend = ThreadBackend(runner)
    with pytest.raises(PluginError, match="exit"):
        backend.run("bad", REQ, lambda e: None)
    assert backend.run("next", REQ, lambda e: None) == []
    assert runner.threads[0] == runner.threads[1]
    backend.shutdown()


def test_a_stuck_job_is_abandoned_and_later_jobs_get_a_new_thread():
    runner = StubRunner({"stuck": "stuck"})
    backend = ThreadBackend(runner, cancel_grace_s=0.1)
    backend.run("first", REQ, lambda e: None)
    timer = threading.Timer(0.1, backend.cancel, args=("stuck",))
    timer.start()
    with pytest.raises(Cancelled, match="abandoned"):
        backend.run("stuck", REQ, lambda e: None)
    assert backend.run("after", REQ, lambda e: None) == []
    first, stuck, after = runner.threads
    assert first == stuck and after != stuck
    assert backend.abandoned == 1
    backend.shutdown()
