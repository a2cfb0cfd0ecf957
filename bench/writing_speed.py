"""Writing pack speed: studio streaming vs plain ``model.generate``, first token, load times.

    .venv/bin/python -m bench.writing_speed                       # CPU, bundled SmolLM2
    .venv/bin/python -m bench.writing_speed --device cuda --static-cache --compile

The studio side is the whole product path: ``Engine.run`` through the
``ThreadBackend``, token-by-token streaming events to a subscriber, and the
library write. The baseline is ``model.generate()`` on the very same loaded
model with the same prompt ids and decoding settings (greedy), no streamer.
Both sides are interleaved by ``bench.harness.compare``; the target is a
studio/plain time ratio of at most ~1.03 (>= 0.97 of plain tokens/s).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import compare

DEFAULT_PROMPT = (
    "The old lighthouse keeper had kept a diary for forty years. On the night of the "
    "great storm, he opened it to a blank page and wrote"
)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.writing_speed", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="smollm2-135m-instruct")
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or mps")
    p.add_argument("--dtype", default="auto", help="auto, float32, float16 or bfloat16")
    p.add_argument("--max-new-tokens", type=int, default=48)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--prompt", default=DEFAULT_PROMPT)
    p.add_argument("--static-cache", action="store_true",
                   help="pre-allocated key/value cache (cache_implementation='static')")
    p.add_argument("--compile", action="store_true",
                   help="torch.compile the model's forward (shared by both sides); pair it "
                        "with --static-cache, or every new length recompiles")
    p.add_argument("--skip-load", action="store_true",
                   help="skip the cold (GGUF conversion) vs cached load timing")
    args = p.parse_args(argv)

    import torch
    from studio_writing import prompts
    from studio_writing.generator import TextGenerator, generation_config
    from studio_writing.plugin import TEXT_GENERATOR

    from studio.api import GenerationRequest, LoadPlan
    from studio.app.devices import pick_device
    from studio.app.studio import Studio

    root = Path(tempfile.mkdtemp(prefix="studio-writing-bench-"))
    cache = root / "cache"
    loads: dict[str, Any] = {}

    # 1. Cold load (GGUF de-quantized and cached) vs a second load from that cache, on
    #    the device and dtype the studio will use, so its own load then hits the cache.
    choice = pick_device(args.device, args.dtype)
    if not args.skip_load:
        plan = LoadPlan(device=choice.device, dtype=choice.dtype, cache_dir=cache)
        for label in ("cold", "cached"):
            t0 = time.perf_counter()
            loaded = TextGenerator(TEXT_GENERATOR).load(args.model, plan)
            loads[f"{label}_load_s"] = round(time.perf_counter() - t0, 3)
            loads[f"{label}_from_cache"] = loaded.from_cache
            del loaded

    # 2. A studio on the requested device; the first run loads the model (not timed).
    studio = Studio(root=root, backend="thread")
    studio.settings.device = choice.device
    studio.settings.dtype = choice.dtype
    engine = studio.engine
    params = {"max_new_tokens": args.max_new_tokens, "temperature": 0.0,
              "repetition_penalty": 1.0, "static_cache": args.static_cache}
    request = GenerationRequest(modality="text", task="continue", prompt=args.prompt,
                                model=args.model, seed=0, params=params)
    first_piece_at: list[float] = []
    pieces: list[str] = []

    def on_event(event: Any) -> None:
        if event.kind == "progress" and event.text:
            if not pieces:
                first_piece_at.append(time.perf_counter())
            pieces.append(event.text)

    engine.subscribe(on_event)
    job = engine.run(request)
    if job.state != "done":
        print(f"studio job {job.state}: {job.error}", file=sys.stderr)
        return 1
    runner = engine.backend.runner
    loaded = runner.cache.get(runner.cache.keys()[0], lambda: None)
    if args.compile:
        loaded.model.forward = torch.compile(loaded.model.forward)
    resolved = TEXT_GENERATOR.params.resolve(params, "continue")
    ids = prompts.encode(loaded.tokenizer, "continue", args.prompt, resolved).input_ids
    input_ids = torch.tensor([ids], device=loaded.device)
    config = generation_config(loaded, resolved)

    texts: dict[str, str] = {}
    tokens: dict[str, int] = {}
    ttft: dict[str, list[float]] = {"studio": [], "plain": []}

    def studio_run() -> None:
        pieces.clear()
        first_piece_at.clear()
        t0 = time.perf_counter()
        done = engine.run(request)
        assert done.state == "done", done.error
        ttft["studio"].append(first_piece_at[0] - t0)
        texts["studio"] = done.artifacts[0].text
        tokens["studio"] = done.artifacts[0].metadata["tokens"]

    class FirstToken:
        """A do-nothing streamer that only notes when the first new token arrives."""

        def __init__(self) -> None:
            self.calls = 0
            self.at = 0.0

        def put(self, value: Any) -> None:
            self.calls += 1
            if self.calls == 2:
                self.at = time.perf_counter()

        def end(self) -> None:
            pass

    def plain_run(streamer: FirstToken | None = None) -> None:
        t0 = time.perf_counter()
        torch.manual_seed(0)
        with torch.inference_mode():
            out = loaded.model.generate(input_ids=input_ids,
                                        attention_mask=torch.ones_like(input_ids),
                                        generation_config=config, streamer=streamer)
        new = out[0, len(ids):]
        texts["plain"] = loaded.tokenizer.decode(new, skip_special_tokens=True)
        tokens["plain"] = int(new.numel())
        if streamer is not None:
            ttft["plain"].append(streamer.at - t0)

    # 3. Throughput, interleaved; then time to first token on both sides.
    result = compare({"studio": studio_run, "plain": plain_run}, baseline="plain",
                     rounds=args.rounds, label=f"writing continue {args.model} on "
                     f"{loaded.device}, {args.max_new_tokens} new tokens, greedy")
    for _ in range(3):
        plain_run(FirstToken())
    n = tokens["plain"]
    med = result["median_s"]
    summary = {
        "device": loaded.device,
        "dtype": str(loaded.model.dtype).removeprefix("torch."),
        "static_cache": args.static_cache,
        "compile": args.compile,
        "tokens": n,
        "same_tokens_and_text": tokens["studio"] == n and texts["studio"] == texts["plain"],
        "tokens_per_s": {"studio": round(n / med["studio"], 2),
                         "plain": round(n / med["plain"], 2)},
        "tokens_per_s_ratio_studio_to_plain": round(med["plain"] / med["studio"], 4),
        "time_to_first_token_s": {k: round(statistics.median(v), 4) for k, v in ttft.items()},
        **loads,
    }
    json.dump(summary, sys.stdout, indent=2)
    sys.stdout.write("\n")
    studio.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
