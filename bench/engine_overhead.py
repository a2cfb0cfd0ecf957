"""Engine overhead: the same generator called directly vs through the engine.

Run: ``.venv/bin/python -m bench.engine_overhead [--steps N] [--work-ms M]``.
The workload is a CPU-bound fake generator (numpy matmuls per step) so the ratio
shows what the queue, events, validation and the library add per job.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from bench.harness import compare
from studio.api import (
    CancelToken,
    GenerationRequest,
    Generator,
    GeneratorInfo,
    Output,
    Param,
    hookimpl,
)
from studio.app.backends import ThreadBackend
from studio.app.engine import Engine
from studio.app.library import Library
from studio.app.plugins import PluginHost
from studio.app.runner import Runner
from studio.app.settings import Settings
from studio.app.worker_process import ProcessBackend


class MatmulGenerator(Generator):
    def load(self, model, plan):
        rng = np.random.default_rng(0)
        return rng.standard_normal((256, 256)).astype(np.float32)

    def generate(self, request, loaded, progress, cancel):
        x = loaded
        total = request.params["steps"]
        for step in range(1, total + 1):
            for _ in range(request.params["work"]):
                x = np.tanh(x @ loaded)
            progress(step, total)
        pixels = (np.abs(x[:64, :64]) * 255).clip(0, 255).astype(np.uint8)
        return [Output("image", Image.fromarray(pixels).convert("RGB"), {})]


INFO = GeneratorInfo(
    id="bench.matmul", name="Matmul", modality="image", tasks=("txt2img",),
    factory="bench.engine_overhead:MatmulGenerator",
    params=(Param("steps", "int", 20, min=1), Param("work", "int", 4, min=1)),
)


# This module is its own tiny plugin pack, so the worker process can load it too.
STUDIO_API_VERSION = 1


@hookimpl
def studio_register_generators(register):
    register(INFO)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--work", type=int, default=4, help="matmuls per step")
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args(argv)

    host = PluginHost()
    host.register_module(sys.modules[__name__], "engine_overhead")
    settings = Settings(device="cpu")
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(host, Library(Path(tmp)), ThreadBackend(Runner(host, settings)), settings)
        request = GenerationRequest(modality="image", prompt="bench", seed=1,
                                    params={"steps": args.steps, "work": args.work})
        direct_gen = MatmulGenerator(INFO)
        loaded = direct_gen.load("", None)
        prepared = engine.prepare(request)

        def direct() -> None:
            direct_gen.generate(prepared, loaded, lambda *a, **k: None, CancelToken())

        def through_engine() -> None:
            job = engine.run(request)
            assert job.state == "done", job.error

        proc_engine = Engine(
            host, Library(Path(tmp) / "p"),
            ProcessBackend(Path(tmp) / "p", settings, extra_plugins=["bench.engine_overhead"]),
            settings,
        )

        def through_worker_process() -> None:
            job = proc_engine.run(request)
            assert job.state == "done", job.error

        compare({"direct": direct, "engine": through_engine,
                 "engine_process": through_worker_process}, baseline="direct",
                rounds=args.rounds, label="engine overhead (library write "
                f"included), {args.steps} steps x {args.work} matmuls 256x256")
        for eng in (engine, proc_engine):
            eng.shutdown()
            eng.library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
