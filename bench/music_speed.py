"""Real-time factor of the studio's MusicGen path against plain transformers ``generate()``.

    .venv/bin/python -m bench.music_speed                          # CPU, tiny model, ~1 min
    .venv/bin/python -m bench.music_speed --preset small --seconds 10 --device cuda

Both sides run the same random-weight model (``tiny``: the tests' model;
``small``: musicgen-small's architecture at real size), the same prompt, seed and
sampling settings, interleaved (bench.harness.compare):

* ``transformers``: ``model.generate()`` called directly, audio decoded by it;
* ``studio_backend``: the same request through ``ThreadBackend`` (runner, model
  cache, generator with its per-step progress hook), raw level, no library write;
* ``studio_engine``: ``Engine.run`` with the default -14 LUFS normalization and the
  FLAC written into the library (what a user's click costs).

The real-time factor is seconds of audio per second of compute; the ratio is the
studio's factor over plain transformers' (>= 0.97 is the goal). The first run checks
that plain and studio make identical samples, so the timings compare the same work.

On CPU the clock is this process's CPU time (``--clock cpu``, the default there):
with one torch thread a job's compute is its CPU time, and other processes on a
shared machine move wall times by far more than the gap being measured. On a GPU
the clock is wall time.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from bench.harness import compare


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.music_speed")
    parser.add_argument("--preset", default="tiny", choices=("tiny", "small"))
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds of music")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or mps")
    parser.add_argument("--dtype", default="float32", help="float32, float16 or bfloat16")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (1: steadier timings on a shared machine)")
    parser.add_argument("--clock", choices=("cpu", "wall"), default=None,
                        help="cpu: this process's CPU time (default on CPU); wall: elapsed")
    args = parser.parse_args(argv)
    clock_name = args.clock or ("cpu" if args.device == "cpu" else "wall")
    import time

    clock = time.process_time if clock_name == "cpu" else time.perf_counter

    import torch
    from studio_music.testing import save_musicgen_small_like, save_tiny_musicgen
    from transformers import AutoProcessor, MusicgenForConditionalGeneration

    from studio.api import GenerationRequest
    from studio.app.backends import ThreadBackend
    from studio.app.engine import Engine
    from studio.app.library import Library
    from studio.app.plugins import PluginHost
    from studio.app.runner import Runner
    from studio.app.settings import Settings

    if args.threads:
        torch.set_num_threads(args.threads)
    work = Path(tempfile.mkdtemp(prefix="studio-bench-music-"))
    save = save_tiny_musicgen if args.preset == "tiny" else save_musicgen_small_like
    model = save(work / f"{args.preset}-random")
    prompt, seed = "lofi hip hop, rainy night, 80 bpm", 1234
    params = {"duration": args.seconds, "guidance_scale": 3.0, "temperature": 1.0,
              "top_k": 250, "top_p": 1.0}

    # -- plain transformers ----------------------------------------------------------
    dtype = getattr(torch, args.dtype)
    net = MusicgenForConditionalGeneration.from_pretrained(model, dtype=dtype).to(args.device)
    net.eval()
    processor = AutoProcessor.from_pretrained(model)
    inputs = processor(text=[prompt], padding=True, return_tensors="pt").to(args.device)
    frames = round(args.seconds * net.config.audio_encoder.frame_rate)
    window = int(net.generation_config.max_length) - net.decoder.num_codebooks
    if frames > window:
        parser.error(f"--seconds must fit one window ({window / 50:g} s) to compare with a "
                     "single generate() call")
    new_tokens = frames + net.decoder.num_codebooks - 1

    def plain() -> np.ndarray:
        torch.manual_seed(seed)
        with torch.inference_mode():
            audio = net.generate(**inputs, do_sample=True, guidance_scale=3.0,
                                 temperature=1.0, top_k=250, max_new_tokens=new_tokens,
                                 min_new_tokens=new_tokens)
        return audio[0].float().cpu().numpy().T

    # -- studio ---------------------------------------------------------------------
    host = PluginHost()
    host.discover()
    settings = Settings(device=args.device, dtype=args.dtype)
    backend = ThreadBackend(Runner(host, settings))
    engine = Engine(host, Library(work / "studio"), backend, settings)

    def prepared(loudness: float | None) -> GenerationRequest:
        return engine.prepare(GenerationRequest(
            modality="music", generator="music.musicgen", model=str(model), prompt=prompt,
            seed=seed, params={**params, "loudness": loudness}))

    raw, normalized = prepared(None), prepared(-14.0)
    jobs = iter(range(10**9))

    def studio_backend() -> np.ndarray:
        return backend.run(f"bench-{next(jobs)}", raw, lambda _event: None)[0].data[0]

    def studio_engine() -> object:
        job = engine.run(normalized)
        assert job.state == "done", job.error
        return job.artifacts[0]

    try:
        same = bool(np.array_equal(plain(), studio_backend()))
        result = compare(
            {"transformers": plain, "studio_backend": studio_backend,
             "studio_engine": studio_engine},
            baseline="transformers", rounds=args.rounds, clock=clock,
            label=f"music speed: musicgen {args.preset} (random weights), {args.seconds:g} s, "
                  f"{args.device} {args.dtype}",
            extra={"identical_samples": same, "torch_threads": torch.get_num_threads(),
                   "audio_seconds": args.seconds, "clock": clock_name},
        )
    finally:
        engine.shutdown()
        engine.library.close()
    # Real-time factors: seconds of audio per second of compute, and studio over plain.
    rtf = {n: round(args.seconds / s, 3) for n, s in result["median_s"].items()}
    result["real_time_factor"] = rtf
    result["rtf_ratio_to_transformers"] = {
        n: round(v / rtf["transformers"], 4) for n, v in rtf.items() if n != "transformers"}
    import json
    import sys

    json.dump({"real_time_factor": rtf,
               "rtf_ratio_to_transformers": result["rtf_ratio_to_transformers"]},
              sys.stdout, indent=2)
    sys.stdout.write("\n")
    return result


if __name__ == "__main__":
    main()
