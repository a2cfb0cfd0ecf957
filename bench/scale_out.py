"""Jobs per minute over 1, 2 and 4 slots: the studio on Ray vs plain Ray, side by side.

``python -m bench.scale_out [--preset small] [--slots 1 2 4] [--jobs-per-slot 6]``

Both sides run the same work on CPU actors of one local Ray (torch with one thread
per actor): a random-weight Stable Diffusion pipeline (``studio_image.testing``) at
the same size, steps and seeds.

- studio: ``connect_slots`` + ``Engine``; each job is queued, run on an actor through
  the image pack, streamed back (progress polled), returned as PNG bytes and written
  to a library with its metadata (what a user's job costs end to end);
- plain: one Ray actor per slot holding the diffusers pipeline, called through
  ``ray.util.ActorPool``, returning PNG bytes (no queue, no library).

The two sides are timed in alternating rounds of one job per slot, so the load of
other programs on a shared machine falls on both alike.

Printed: jobs/minute per side and slot count, scaling efficiency (rate(n) / (n x
rate(1))), the studio's per-job overhead against plain Ray, and the model-affinity
gain: two models in a mixed (seeded) order over two slots whose caches hold one model
each (a memory budget of one model, as a GPU holds one large model), with and without
affinity, in seconds saved per job and model loads.

Scaling can only be measured up to the machine's cores: with 2 cores, 4 slots share
them and efficiency at 4 says nothing about a cluster (the report says so).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

PROMPT = "a lighthouse on a cliff at dusk, oil painting"


class PlainWorker:
    """The plain-Ray side: a diffusers pipeline in an actor, nothing else."""

    def __init__(self, model: str) -> None:
        import torch
        from diffusers import AutoPipelineForText2Image

        torch.set_num_threads(1)
        self.torch = torch
        self.pipe = AutoPipelineForText2Image.from_pretrained(model, local_files_only=True)
        self.pipe.set_progress_bar_config(disable=True)

    def threads(self) -> int:
        return self.torch.get_num_threads()

    def run(self, seed: int, steps: int, size: int) -> bytes:
        image = self.pipe(PROMPT, num_inference_steps=steps, guidance_scale=7.0, width=size,
                          height=size,
                          generator=self.torch.Generator("cpu").manual_seed(seed)).images[0]
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        return buf.getvalue()


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.scale_out")
    parser.add_argument("--preset", default="small", choices=("tiny", "small", "sd15"))
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--slots", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--jobs-per-slot", type=int, default=6)
    parser.add_argument("--affinity-jobs", type=int, default=12)
    args = parser.parse_args(argv)

    os.environ.setdefault("RAY_DISABLE_IMPORT_WARNING", "1")
    import ray
    from studio_image.testing import save_tiny_pipeline

    work = Path(tempfile.mkdtemp(prefix="studio-bench-scale-"))
    models = [save_tiny_pipeline(work / f"{args.preset}-{name}", args.preset)
              for name in ("a", "b")]
    cores = os.cpu_count() or 1
    one_thread = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    logging.getLogger("ray._private.authentication.authentication_token_setup").setLevel(
        logging.ERROR)
    # Logical CPUs for both sides' actors at once (they take turns to run).
    ray.init(num_cpus=2 * max(*args.slots, 2), include_dashboard=False, log_to_driver=False,
             logging_level=logging.ERROR, configure_logging=False,
             runtime_env={"env_vars": {**one_thread, "STUDIO_DATA_DIR": str(work / "node"),
                                       "HF_HUB_OFFLINE": "1",
                                       "PYTHONPATH": str(Path(__file__).resolve().parents[1])}})
    rows = []
    try:
        for n in args.slots:
            rows.append(_side_by_side(ray, work, str(models[0]), n, args))
            r = rows[-1]
            print(f"  {n} slot(s): plain {r['plain_jobs_per_min']:7.1f} jobs/min, studio "
                  f"{r['studio_jobs_per_min']:7.1f} jobs/min", flush=True)
        affinity = _affinity(work, [str(m) for m in models], args)
    finally:
        ray.shutdown()
    base = rows[0]
    for row in rows:
        scale = row["slots"] / base["slots"]
        row["plain_efficiency"] = row["plain_jobs_per_min"] / (scale * base["plain_jobs_per_min"])
        row["studio_efficiency"] = row["studio_jobs_per_min"] / (
            scale * base["studio_jobs_per_min"])
        row["studio_s_per_job"] = 60 / row["studio_jobs_per_min"]
        row["plain_s_per_job"] = 60 / row["plain_jobs_per_min"]
        row["overhead_ratio"] = row["studio_s_per_job"] / row["plain_s_per_job"]
    result = {"preset": args.preset, "size": args.size, "steps": args.steps, "cores": cores,
              "rows": rows, "affinity": affinity,
              "note": (f"this machine has {cores} cores: efficiency beyond {cores} slots "
                       "measures slots sharing cores, not scale-out")}
    _print(result)
    return result


def _same_pixels(a: bytes, b: bytes) -> bool:
    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(a)) as x, Image.open(io.BytesIO(b)) as y:
        return bool(np.array_equal(np.asarray(x.convert("RGB")), np.asarray(y.convert("RGB"))))


def _side_by_side(ray: Any, work: Path, model: str, n: int, args: argparse.Namespace
                  ) -> dict[str, Any]:
    """``n`` plain actors and an engine on ``n`` actors, both warm, timed in alternating
    rounds of ``n`` jobs each: load from other programs falls on both sides alike."""
    from ray.util import ActorPool

    actors = [ray.remote(num_cpus=1)(PlainWorker).remote(model) for _ in range(n)]
    pool = ActorPool(actors)
    ray.get([a.run.remote(0, args.steps, args.size) for a in actors])  # loaded, run once
    engine = _studio_engine(work / f"studio-{n}", n, {})
    threads = {"plain": ray.get(actors[0].threads.remote()),
               "studio": ray.get(engine.slots[0].backend.actor.__ray_call__.remote(
                   lambda _actor: __import__("torch").get_num_threads()))}
    plain_s = studio_s = 0.0
    seed = 1
    try:
        _run_all(engine, [_request(model, 0, args) for _ in range(n)], warm=True)
        for _ in range(args.jobs_per_slot):
            seeds = list(range(seed, seed + n))
            seed += n
            t0 = time.perf_counter()
            plain_out = list(pool.map(lambda a, s: a.run.remote(s, args.steps, args.size),
                                      seeds))
            plain_s += time.perf_counter() - t0
            t0 = time.perf_counter()
            done = _run_all(engine, [_request(model, s, args) for s in seeds])
            studio_s += time.perf_counter() - t0
        jobs = n * args.jobs_per_slot
        assert engine.library.count() == jobs + n
        # Same work on both sides, or the ratio means nothing.
        studio_png = Path(engine.library.get(done[-1].artifacts[0].id).path).read_bytes()
        same = _same_pixels(plain_out[-1], studio_png)
    finally:
        engine.shutdown()
        engine.library.close()
        for a in actors:
            ray.kill(a)
    return {"slots": n, "jobs": jobs, "plain_jobs_per_min": jobs / plain_s * 60,
            "studio_jobs_per_min": jobs / studio_s * 60, "identical_pixels": same,
            "torch_threads": threads}


def _studio_engine(root: Path, n: int, settings_kw: dict[str, Any]) -> Any:
    from studio.app.engine import Engine
    from studio.app.library import Library
    from studio.app.plugins import PluginHost
    from studio.app.ray_backend import connect_slots
    from studio.app.settings import Settings

    host = PluginHost()
    host.discover()
    settings = Settings(device="cpu", ray_cpu_slots=n, **settings_kw)
    slots = connect_slots(root, settings, host)
    return Engine(host, Library(root), slots, settings)


def _request(model: str, seed: int, args: argparse.Namespace) -> Any:
    from studio.api import GenerationRequest

    return GenerationRequest(modality="image", generator="image.diffusers", model=model,
                             prompt=PROMPT, seed=seed,
                             params={"steps": args.steps, "guidance_scale": 7.0,
                                     "width": args.size, "height": args.size})


def _run_all(engine: Any, requests: list, warm: bool = False) -> list:
    jobs = [engine.submit(r) for r in requests]
    if warm:
        # Every slot loads the model before the clock starts.
        while sum(1 for j in jobs if j.state in ("running", "done")) < len(jobs):
            time.sleep(0.01)
    for job in jobs:
        engine.wait(job.id, 3600)
        assert job.state == "done", job.error
    return jobs


def _affinity(work: Path, models: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """Two models alternating over two slots that each hold one model at a time."""
    from studio.app import slots as slots_mod

    size = max(_folder_bytes(Path(m)) for m in models)
    budget_gb = size * 1.5 / 1e9  # one model fits, two do not
    seconds, loads = {}, {}
    default = slots_mod.MAX_PASSED
    for label, max_passed in (("with_affinity", default), ("without_affinity", 0)):
        # MAX_PASSED = 0: every job goes to the first free slot, as a plain FIFO would.
        slots_mod.MAX_PASSED = max_passed
        engine = _studio_engine(work / f"affinity-{label}", 2,
                                {"memory_budget_gb": budget_gb})
        try:
            _run_all(engine, [_request(m, 0, args) for m in models], warm=True)
            # Two models in a mixed order (the same one for both runs): in strict
            # alternation of equal jobs a FIFO keeps each model on one slot by chance.
            rng = random.Random(7)
            requests = [_request(models[rng.randrange(2)], i + 1, args)
                        for i in range(args.affinity_jobs)]
            # A model load is a cache miss, reported as the "loading" stage.
            misses = []
            engine.subscribe(lambda e, m=misses: m.append(1) if e.stage == "loading" else None)
            t0 = time.perf_counter()
            _run_all(engine, requests)
            seconds[label] = (time.perf_counter() - t0) / len(requests)
            loads[label] = len(misses)
        finally:
            engine.shutdown()
            engine.library.close()
            slots_mod.MAX_PASSED = default
    return {**{f"{k}_s_per_job": v for k, v in seconds.items()},
            **{f"{k}_loads": v for k, v in loads.items()}, "jobs": args.affinity_jobs,
            "saved_s_per_job": seconds["without_affinity"] - seconds["with_affinity"],
            "model_bytes": size}


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _print(result: dict[str, Any]) -> None:
    print(f"scale-out: {result['preset']} pipeline, {result['size']}px, {result['steps']} "
          f"steps, CPU actors with 1 torch thread, {result['cores']} cores")
    print(f"{'slots':>5} {'plain/min':>10} {'studio/min':>11} {'plain eff':>10} "
          f"{'studio eff':>11} {'studio/plain s per job':>23} {'same pixels':>12}")
    for r in result["rows"]:
        print(f"{r['slots']:>5} {r['plain_jobs_per_min']:>10.1f} "
              f"{r['studio_jobs_per_min']:>11.1f} {r['plain_efficiency']:>10.2f} "
              f"{r['studio_efficiency']:>11.2f} {r['overhead_ratio']:>23.3f} "
              f"{r['identical_pixels']!s:>12}")
    a = result["affinity"]
    print(f"model affinity (2 slots, 2 models in mixed order, one model per slot's cache): "
          f"{a['with_affinity_s_per_job']:.3f} s/job with, {a['without_affinity_s_per_job']:.3f}"
          f" s/job without: {a['saved_s_per_job']:.3f} s saved per job; model loads "
          f"{a['with_affinity_loads']} with, {a['without_affinity_loads']} without, "
          f"in {a['jobs']} jobs")
    print(f"note: {result['note']}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
