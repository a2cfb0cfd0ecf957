"""Sidebar refresh latency: ``Suggester.suggest()`` after observing 100,000 events.

Prints JSON with the observe throughput and suggest() p50/p95 in milliseconds
(target: p95 < 30 ms). The history comes from bench.history_gen (one user, so
all 100k events land in one profile, the worst case for the sidebar).

    .venv/bin/python -m bench.suggest_speed [--events 100000] [--calls 300]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from bench.history_gen import SETTINGS, generate
from studio.app.suggest import Suggester


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--setting", default="iterative", choices=sorted(SETTINGS))
    args = ap.parse_args(argv)
    gens = int(args.events / 1.6) + 10  # about 0.6 reactions per generation
    events = generate(SETTINGS[args.setting], 1, gens, seed=7)[: args.events]
    sug = Suggester()
    t0 = time.perf_counter()
    for ev in events:
        sug.observe(ev)
    observe_s = time.perf_counter() - t0
    timings = {}
    contexts = {
        "last_prompt": {},
        "typed_prompt": {"prompt": events[-1].get("prompt") or "a fox, watercolor"},
        "with_document": {"modality": "text", "document": "The rain had stopped. " * 40},
    }
    for name, ctx in contexts.items():
        samples = []
        for i in range(args.calls):
            t = time.perf_counter()
            sug.suggest(ctx, k=5)
            samples.append((time.perf_counter() - t) * 1000)
            if i % 10 == 0:  # the sidebar refreshes after new events arrive
                sug.observe({**events[-1], "ts": events[-1]["ts"] + i, "id": f"x{i}"})
        samples.sort()
        timings[name] = {"p50_ms": round(statistics.median(samples), 3),
                         "p95_ms": round(samples[int(0.95 * len(samples)) - 1], 3),
                         "max_ms": round(samples[-1], 3)}
    json.dump({"events": len(events), "generations": sug.state.step,
               "distinct_prompts": len(sug.state.prompts), "terms": len(sug.state.terms),
               "observe_s": round(observe_s, 2),
               "observe_us_per_event": round(observe_s / len(events) * 1e6, 1),
               "suggest": timings, "target_p95_ms": 30}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
