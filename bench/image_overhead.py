"""Overhead of the studio's image path over plain diffusers, on the same pipeline and seed.

    .venv/bin/python -m bench.image_overhead                      # CPU, small UNet, ~1 min
    .venv/bin/python -m bench.image_overhead --preset sd15 --size 512 --device cuda
    .venv/bin/python -m bench.image_overhead --preset sdxl --size 1024 --device cuda

Three workloads run interleaved (bench.harness.compare):

* ``diffusers``: the pipeline called directly with the same generators;
* ``studio_backend``: the same request through ``ThreadBackend`` (runner, model
  cache, generator, progress events with previews), no library write;
* ``studio_engine``: ``Engine.run``: queue, validation, the above, and the PNG
  written with its metadata into the library (what a user's click costs).

The presets build random-weight pipelines from config (real-size UNets for
sd15/sdxl), so no download is needed; the first run checks that both paths give
identical pixels, so the timings compare the same work.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from bench.harness import compare


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.image_overhead")
    parser.add_argument("--preset", default="small", choices=("tiny", "small", "sd15", "sdxl"))
    parser.add_argument("--size", type=int, default=64, help="image side in pixels")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or mps")
    parser.add_argument("--dtype", default="auto", help="float32, float16, bfloat16 or auto")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (1: steadier timings on a shared machine)")
    args = parser.parse_args(argv)

    import torch
    from studio_image.loading import dtype_keyword
    from studio_image.testing import save_tiny_pipeline

    from studio.api import GenerationRequest
    from studio.app.backends import ThreadBackend
    from studio.app.devices import pick_device
    from studio.app.engine import Engine
    from studio.app.library import Library
    from studio.app.plugins import PluginHost
    from studio.app.runner import Runner
    from studio.app.settings import Settings

    if args.threads:
        torch.set_num_threads(args.threads)
    choice = pick_device(args.device, args.dtype)
    dtype = getattr(torch, choice.dtype)
    work = Path(tempfile.mkdtemp(prefix="studio-bench-image-"))
    model = save_tiny_pipeline(work / f"{args.preset}-random", args.preset, choice.dtype)

    # -- plain diffusers -----------------------------------------------------------
    from diffusers import AutoPipelineForText2Image

    pipe = AutoPipelineForText2Image.from_pretrained(
        model, local_files_only=True, **{dtype_keyword(): dtype}
    ).to(choice.device)
    pipe.set_progress_bar_config(disable=True)
    prompt, seed = "a lighthouse on a cliff at dusk, oil painting", 1234

    def plain() -> object:
        gens = [torch.Generator("cpu").manual_seed(seed)]
        return pipe(prompt, num_inference_steps=args.steps, guidance_scale=7.0,
                    width=args.size, height=args.size, generator=gens).images[0]

    # -- studio ---------------------------------------------------------------------
    host = PluginHost()
    host.discover()
    settings = Settings(device=choice.device, dtype=choice.dtype)
    backend = ThreadBackend(Runner(host, settings))
    engine = Engine(host, Library(work / "studio"), backend, settings)
    request = engine.prepare(GenerationRequest(
        modality="image", generator="image.diffusers", model=str(model), prompt=prompt,
        seed=seed, params={"steps": args.steps, "guidance_scale": 7.0, "width": args.size,
                           "height": args.size},
    ))
    jobs = iter(range(10**9))

    def studio_backend() -> object:
        return backend.run(f"bench-{next(jobs)}", request, lambda _event: None)[0].data

    def studio_engine() -> object:
        job = engine.run(request)
        assert job.state == "done", job.error
        return job.artifacts[0]

    try:
        # Same work on both sides, or the ratio means nothing.
        same = np.array_equal(np.asarray(plain()), np.asarray(studio_backend()))
        result = compare(
            {"diffusers": plain, "studio_backend": studio_backend,
             "studio_engine": studio_engine},
            baseline="diffusers", rounds=args.rounds,
            label=f"image overhead: {args.preset} UNet, {args.size}px, {args.steps} steps, "
                  f"{choice.device} {choice.dtype}",
            extra={"identical_pixels": same, "torch_threads": torch.get_num_threads()},
        )
    finally:
        engine.shutdown()
        engine.library.close()
    return result


if __name__ == "__main__":
    main()
