"""The studio's video path against plain diffusers on the same pipeline and seed.

    .venv/bin/python -m bench.video_speed                          # CPU, tiny LTX, ~1 min
    .venv/bin/python -m bench.video_speed --family wan --frames 17 --size 64

Workloads run interleaved (bench.harness.compare):

* ``diffusers``: the pipeline called directly (on a worker thread, as the studio's
  jobs run), frames as numpy;
* ``studio_backend``: the same request through ``ThreadBackend`` (runner, model
  cache, generator, progress events with latent previews), no encode, no write;
* ``studio_engine``: ``Engine.run``: validation, the above, the MP4 encode and the
  library write (what a user's click costs).

The goal is ``studio_backend`` at most 1.03x ``diffusers``. The first run checks
that both paths give identical frames, so the ratio compares the same work. The
MP4 export is timed on its own as seconds per frame.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from bench.harness import compare


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.video_speed")
    parser.add_argument("--family", default="ltx", choices=("ltx", "wan", "animatediff"))
    parser.add_argument("--frames", type=int, default=9)
    parser.add_argument("--size", type=int, default=64, help="frame side in pixels")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or mps")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (1: steadier timings on a shared machine)")
    args = parser.parse_args(argv)

    if args.threads:
        # Every thread, the studio's job worker included, starts with this many OpenMP
        # threads; set_num_threads alone would bind only the thread that calls it.
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import torch
    from diffusers import DiffusionPipeline
    from studio_video.families import family_for
    from studio_video.testing import save_tiny

    from studio.api import GenerationRequest
    from studio.api.video import encode_video
    from studio.app.backends import ThreadBackend
    from studio.app.engine import Engine
    from studio.app.library import Library
    from studio.app.plugins import PluginHost
    from studio.app.runner import Runner
    from studio.app.settings import Settings

    if args.threads:
        torch.set_num_threads(args.threads)
    work = Path(tempfile.mkdtemp(prefix="studio-bench-video-"))
    model = save_tiny(work / f"tiny-{args.family}", args.family)

    # -- plain diffusers -----------------------------------------------------------
    pipe = DiffusionPipeline.from_pretrained(model, local_files_only=True).to(args.device)
    pipe.set_progress_bar_config(disable=True)
    family = family_for(type(pipe).__name__)
    assert family is not None
    prompt, seed = "a paper boat on a river at dawn", 1234
    call = {"prompt": prompt, "height": args.size, "width": args.size,
            family.frames_arg: args.frames, "num_inference_steps": args.steps,
            "guidance_scale": family.guidance, "output_type": "np"}
    if family.fps_arg:
        call[family.fps_arg] = float(family.fps)

    # The studio runs its jobs on a worker thread; plain diffusers runs on one too, so
    # both sides get the same torch threading (OpenMP settings are per thread).
    worker = ThreadPoolExecutor(max_workers=1)
    if args.threads:
        worker.submit(torch.set_num_threads, args.threads).result()

    def plain() -> np.ndarray:
        def run() -> np.ndarray:
            out = pipe(**call, generator=torch.Generator("cpu").manual_seed(seed)).frames[0]
            return (np.clip(out, 0, 1) * 255).round().astype(np.uint8)

        return worker.submit(run).result()

    # -- studio ---------------------------------------------------------------------
    host = PluginHost()
    host.discover()
    settings = Settings(device=args.device)
    backend = ThreadBackend(Runner(host, settings))
    engine = Engine(host, Library(work / "studio"), backend, settings)
    request = engine.prepare(GenerationRequest(
        modality="video", generator="video.diffusers", task="txt2video", model=str(model),
        prompt=prompt, seed=seed,
        params={"steps": args.steps, "width": args.size, "height": args.size,
                "num_frames": args.frames, "fps": family.fps,
                "guidance_scale": family.guidance},
    ))
    jobs = iter(range(10**9))

    def studio_backend() -> np.ndarray:
        return backend.run(f"bench-{next(jobs)}", request, lambda _event: None)[0].data[0]

    def studio_engine() -> object:
        job = engine.run(request)
        assert job.state == "done", job.error
        return job.artifacts[0]

    try:
        reference = plain()
        same = np.array_equal(reference, studio_backend())
        export = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            encode_video(reference, family.fps, "mp4", {"comment": "{}"})
            export.append((time.perf_counter() - t0) / len(reference))
        result = compare(
            {"diffusers": plain, "studio_backend": studio_backend,
             "studio_engine": studio_engine},
            baseline="diffusers", rounds=args.rounds,
            label=f"video speed: tiny {args.family}, {args.frames} frames, {args.size}px, "
                  f"{args.steps} steps, {args.device}",
            extra={"identical_frames": same, "torch_threads": torch.get_num_threads(),
                   "mp4_export_s_per_frame": round(statistics.median(export), 6)},
        )
    finally:
        worker.shutdown()
        engine.shutdown()
        engine.library.close()
    return result


if __name__ == "__main__":
    main()
