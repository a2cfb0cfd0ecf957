"""The pipeline runs on one long-lived thread per loaded model, not on each job's own."""

from __future__ import annotations

import threading

import pytest
from studio_video.pipeline_thread import PipelineThread


def test_calls_share_one_thread_and_errors_reach_the_caller():
    worker = PipelineThread()
    try:
        first = worker.call(threading.current_thread)
        assert first is not threading.current_thread()
        assert worker.call(threading.current_thread) is first
        with pytest.raises(KeyError, match="boom"):
            worker.call(lambda: {}["boom"])
        assert worker.call(lambda: 41 + 1) == 42
    finally:
        worker.stop()
    first.join(timeout=5)
    assert not first.is_alive()
    # A call after stop starts a new thread, which stop ends again.
    again = worker.call(threading.current_thread)
    assert again is not first
    worker.stop()
    again.join(timeout=5)
    assert not again.is_alive()


def test_jobs_run_the_pipeline_on_the_same_thread(engine, video_request):
    # Each job has a thread of its own; a new thread can fault in again the memory
    # the last job freed (glibc's per-thread heaps), so the pipeline keeps one.
    seen = []

    def listener(event):
        if event.kind == "progress" and event.stage == "generating":
            seen.append(threading.current_thread())

    engine.subscribe(listener)
    for _ in range(2):
        job = engine.run(video_request("wan", params={"steps": 1, "num_frames": 5}),
                         timeout=600)
        assert job.state == "done", job.error
    assert len(seen) == 2 and seen[0] is seen[1]
    assert seen[0].name == "studio-video-pipeline"
