"""How fast the history takes events and the profile follows them.

``.venv/bin/python -m bench.profile_speed [--events N]`` prints one JSON document:

- ``ingest_batched_events_per_s``: ``EventLog.append_many`` in batches (target >= 20,000/s);
- ``ingest_single_events_per_s``: ``append``, one transaction (one WAL commit) per event;
- ``observe_ms``: ``Profile.observe`` per event on a profile that already holds the whole
  history, embeddings excluded (target < 5 ms): median, p99 and max;
- ``rebuild_s``: ``Profile.rebuild()`` of all N events, read from the log (default 100,000);
- ``snapshot_save_s`` / ``snapshot_open_s``: saving the profile and opening it again.

Events are synthetic but shaped like real use: 60 % generations with 3-6 part prompts
and parameters, the rest keep/favourite/rate/delete on earlier outputs, and edits.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from studio.app.history import EventLog, Profile

SUBJECTS = ["a fox", "an old lighthouse", "a city street at night", "a cat", "a dragon",
            "a mountain lake", "a portrait of a woman", "a robot", "a forest path", "a ship"]
STYLES = ["watercolor", "oil painting", "soft light", "cinematic", "ink sketch", "neon",
          "pastel colors", "volumetric fog", "studio ghibli style", "35mm photo", "highly detailed",
          "minimalist", "gouache", "dramatic lighting", "isometric", "low poly"]


def synthetic(n: int, seed: int = 0, start: float = 1_700_000_000.0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    events: list[dict[str, Any]] = []
    arts: list[str] = []
    ts = start
    for i in range(n):
        ts += rng.expovariate(1 / 90)
        r = rng.random()
        if r < 0.6 or not arts:
            art = f"a{i}"
            arts.append(art)
            prompt = ", ".join([rng.choice(SUBJECTS), *rng.sample(STYLES, rng.randint(2, 5))])
            events.append({"type": "generate", "ts": ts, "modality": "image", "task": "txt2img",
                           "prompt": prompt, "model": rng.choice(["sd15", "sdxl-turbo"]),
                           "seed": rng.randint(0, 2**31),
                           "params": {"steps": rng.choice([4, 20, 30]), "scheduler":
                                      rng.choice(["euler", "dpm++"]), "width": 512,
                                      "height": rng.choice([512, 768])},
                           "artifacts": [art]})
        elif r < 0.95:
            kind = rng.choice(["keep", "favourite", "delete", "rate", "unfavourite", "restore"])
            ev: dict[str, Any] = {"type": kind, "ts": ts, "target": rng.choice(arts[-500:])}
            if kind == "rate":
                ev["value"] = rng.randint(1, 5)
            events.append(ev)
        else:
            events.append({"type": "edit", "ts": ts, "target": f"t{i}", "chars_before": 400,
                           "chars_after": 460, "changed_ratio": 0.15,
                           "text": "the calm grey sea, lonely gulls and a warm light"})
    return events


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=5_000)
    ap.add_argument("--observe-samples", type=int, default=20_000)
    args = ap.parse_args(argv)
    events = synthetic(args.events)
    extra = synthetic(args.observe_samples, seed=1, start=1_800_000_000.0)

    with tempfile.TemporaryDirectory(prefix="studio-bench-") as tmp:
        # 1. batched ingest into a fresh log
        log = EventLog(Path(tmp) / "history.sqlite")
        t0 = time.perf_counter()
        for i in range(0, len(events), args.batch):
            log.append_many(events[i:i + args.batch])
        ingest_s = time.perf_counter() - t0

        # 2. one transaction per event (what Studio.record does), on a sample
        single = synthetic(2_000, seed=2, start=1_750_000_000.0)
        t0 = time.perf_counter()
        for ev in single:
            log.append(ev["type"], **{k: v for k, v in ev.items() if k != "type"})
        single_s = time.perf_counter() - t0

        # 3. full rebuild from the log
        prof = Profile(log)
        t0 = time.perf_counter()
        prof.rebuild()
        rebuild_s = time.perf_counter() - t0
        total = prof.n_events

        # 4. incremental observe on the full profile (no embedding)
        stored = log.append_many(extra)
        samples = []
        for ev in stored:
            t = time.perf_counter()
            prof.observe(ev)
            samples.append((time.perf_counter() - t) * 1000)
        samples.sort()

        # 5. snapshot
        t0 = time.perf_counter()
        prof.save()
        save_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        Profile.open(log, follow=False)
        open_s = time.perf_counter() - t0
        log.close()

    result = {
        "benchmark": "profile_speed",
        "events": args.events,
        "batch": args.batch,
        "ingest_batched_events_per_s": round(len(events) / ingest_s),
        "ingest_single_events_per_s": round(len(single) / single_s),
        "observe_ms": {"median": round(statistics.median(samples), 4),
                       "p99": round(samples[int(len(samples) * 0.99) - 1], 4),
                       "max": round(samples[-1], 4), "samples": len(samples)},
        "rebuild_s": round(rebuild_s, 3),
        "rebuild_events": total,
        "snapshot_save_s": round(save_s, 3),
        "snapshot_open_s": round(open_s, 3),
        "targets": {"ingest_batched_events_per_s": ">= 20000", "observe_ms": "< 5"},
    }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return result


if __name__ == "__main__":
    main()
