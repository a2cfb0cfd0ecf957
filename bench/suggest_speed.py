"""Sidebar refresh latency: ``Suggester.suggest()`` after observing 100,000 events.

Prints JSON with the observe throughput and suggest() p50/p95 in milliseconds
(target: p95 < 30 ms). The history comes from bench.history_gen (one user, so
all 100k events land in one profile, the worst case for the sidebar).

``open`` times ``Studio.suggestions`` on a data folder whose history.sqlite holds
the same events: ``rebuild_s`` with no snapshot (a replay of the whole log, plus
saving the snapshot), ``open_from_snapshot_s`` from the snapshot (target < 1.5 s),
``catch_up_s`` from a snapshot 1,000 events behind; ``same_suggestions`` checks
that the snapshot-opened engine suggests exactly what the rebuilt one does.

    .venv/bin/python -m bench.suggest_speed [--events 100000] [--calls 300] [--no-open]
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

from bench.history_gen import SETTINGS, generate
from studio.app.suggest import Suggester


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--setting", default="iterative", choices=sorted(SETTINGS))
    ap.add_argument("--no-open", action="store_true", help="skip the start-up timings")
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
    out: dict[str, Any] = {
        "events": len(events), "generations": sug.state.step,
        "distinct_prompts": len(sug.state.prompts), "terms": len(sug.state.terms),
        "observe_s": round(observe_s, 2),
        "observe_us_per_event": round(observe_s / len(events) * 1e6, 1),
        "suggest": timings, "target_p95_ms": 30,
    }
    if not args.no_open:
        out["open"] = open_timings(events)
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


def _log_event(ev: dict[str, Any]) -> dict[str, Any]:
    # The generator's events as the live log stores them: its ids become external
    # refs (what reactions target), its user field goes.
    out = {k: v for k, v in ev.items() if k not in ("id", "user")}
    if ev["type"] == "generate":
        out["ref"] = str(ev["id"])
    return out


def open_timings(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Start-up of ``Studio.suggestions`` with and without a snapshot."""
    from studio.app.history import EventLog
    from studio.app.studio import Studio
    from studio.app.suggest.snapshot import SNAPSHOT_FILE

    def timed_open(root: Path) -> tuple[float, Studio, list[Any]]:
        studio = Studio(root=root)
        t = time.perf_counter()
        sug = studio.suggestions
        elapsed = time.perf_counter() - t
        return elapsed, studio, [s.to_dict() for s in sug.suggest(k=8)]

    with tempfile.TemporaryDirectory(prefix="studio-bench-") as tmp:
        root = Path(tmp)
        log = EventLog(root / "history.sqlite")
        tail = 1000
        log.append_many(_log_event(e) for e in events[:-tail])
        log.close()
        # 1. a catch-up: snapshot of all but the last events, which arrive later
        _, studio, _ = timed_open(root)
        studio.close()
        log = EventLog(root / "history.sqlite")
        log.append_many(_log_event(e) for e in events[-tail:])
        log.close()
        catch_up_s, studio, _ = timed_open(root)
        studio.close()
        # 2. no snapshot: the full replay (which then saves one)
        (root / SNAPSHOT_FILE).unlink()
        rebuild_s, studio, rebuilt = timed_open(root)
        t = time.perf_counter()
        studio.close()  # saves the snapshot again
        close_s = time.perf_counter() - t
        size = (root / SNAPSHOT_FILE).stat().st_size
        # 3. from the snapshot just saved
        snap_s, studio, loaded = timed_open(root)
        studio.close()
    return {"rebuild_s": round(rebuild_s, 2), "open_from_snapshot_s": round(snap_s, 3),
            "catch_up_s": round(catch_up_s, 3), "catch_up_events": tail,
            "close_save_s": round(close_s, 3), "snapshot_bytes": size,
            "same_suggestions": rebuilt == loaded, "target_open_s": 1.5}


if __name__ == "__main__":
    sys.exit(main())
