"""Replay evaluation on the held-out history generators (``bench/heldout``).

Those generators were written from a behavioural brief alone, without the
engine's code, and the engine is not tuned on them. Besides hit@k of studio and
the two baselines (the ``studio profile eval`` protocol, docs/replay-eval.md),
each row prints two bounds that put the ratio in context:

* ``pool``: the share of prompts that *any* of studio's candidates (about a
  hundred per refresh, before the list is chosen) would have matched; no
  ranking of these candidates can do better;
* ``ceiling``: 1 / the better baseline's hit@k, the highest ratio any system can
  reach on that history (hit@k cannot exceed 1).

``edits_ratio`` is studio's ratio to the better baseline counting only the
prompts that differ from the user's previous one (re-runs left out).

    .venv/bin/python -m bench.suggest_heldout [--seeds 7 8] [--users 10] [--gens 250]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from studio.app.suggest.replay import (
    MostFrequent,
    MostRecent,
    StudioSystem,
    is_hit,
    metric_parts,
    read_events,
)

GENERATORS: dict[str, tuple[str, ...]] = {
    "gen_a": ("a1111", "comfy", "casual"),
    "gen_b": ("casual", "wanderer", "tinkerer"),
    "gen_c": ("balanced", "tinkerer", "casual"),
}
KINDS = ("prompt", "style")


def replay(path: Path, k: int) -> dict[str, Any]:
    users: dict[str, list[tuple[float, int, dict[str, Any]]]] = {}
    for lineno, ev in read_events(path):
        users.setdefault(str(ev.get("user", "")), []).append((float(ev["ts"]), lineno, ev))
    n = edits = 0
    hits = dict.fromkeys(("studio", "most_recent", "most_frequent", "pool"), 0)
    edit_hits = dict.fromkeys(("studio", "most_recent", "most_frequent"), 0)
    for rows in users.values():
        studio, recent, frequent = StudioSystem(), MostRecent(), MostFrequent(k)
        last: frozenset[str] | None = None
        for _, _, ev in sorted(rows, key=lambda t: (t[0], t[1])):
            if ev["type"] == "generate":
                actual = metric_parts(ev["prompt"])
                if last is not None:
                    n += 1
                    edits += actual != last
                    lists = {"studio": studio.propose(k), "most_recent": recent.propose(k),
                             "most_frequent": frequent.propose(k),
                             "pool": [c.text for c in studio.suggester.candidates(kinds=KINDS)]}
                    for name, proposals in lists.items():
                        hit = any(is_hit(p, actual) for p in proposals)
                        hits[name] += hit
                        if actual != last and name in edit_hits:
                            edit_hits[name] += hit
                last = actual
            for system in (studio, recent, frequent):
                system.observe(ev)
    best_edits = max(edit_hits["most_recent"], edit_hits["most_frequent"])
    return {"events": n, **{name: round(h / n, 4) for name, h in hits.items()},
            "repeats": round(1 - edits / n, 3),
            "edits_ratio": round(edit_hits["studio"] / best_edits, 3) if best_edits else None}


def run(seeds: list[int], users: int, gens: int, k: int) -> dict[str, Any]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for gen, variants in GENERATORS.items():
            for variant in variants:
                for seed in seeds:
                    path = Path(tmp) / f"{gen}-{variant}-{seed}.jsonl"
                    subprocess.run([sys.executable, "-m", f"bench.heldout.{gen}",
                                    "--seed", str(seed), "--users", str(users),
                                    "--gens", str(gens), "--variant", variant, str(path)],
                                   check=True, stdout=subprocess.DEVNULL)
                    t0 = time.perf_counter()
                    res = replay(path, k)
                    best = max(res["most_recent"], res["most_frequent"])
                    rows.append({"generator": gen, "variant": variant, "seed": seed, **res,
                                 "ratio": round(res["studio"] / best, 3),
                                 "pool_ratio": round(res["pool"] / best, 3),
                                 "ceiling": round(1.0 / best, 3),
                                 "seconds": round(time.perf_counter() - t0, 1)})
                    print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    ratios = [r["ratio"] for r in rows]
    return {"k": k, "users": users, "gens_per_user": gens, "rows": rows,
            "min_ratio": min(ratios), "mean_ratio": round(sum(ratios) / len(ratios), 3),
            "max_ceiling": max(r["ceiling"] for r in rows)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", nargs="*", type=int, default=[7])
    ap.add_argument("--users", type=int, default=10)
    ap.add_argument("--gens", type=int, default=250)
    ap.add_argument("-k", type=int, default=5)
    args = ap.parse_args(argv)
    json.dump(run(args.seeds, args.users, args.gens, args.k), sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
