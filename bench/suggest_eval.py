"""Replay evaluation of the suggestion engine on several generated history settings.

Prints one JSON document: per setting and seed, hit@k and MRR of studio and the
two baselines, and studio's hit@k ratio to the better baseline. Seed 1 is the
development seed; the others are held out (the engine was not tuned on them),
and so is every setting in ``HELD_OUT``.

    .venv/bin/python -m bench.suggest_eval [--users 8] [--gens 300] [--seeds 1 2 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from bench.history_gen import SETTINGS, generate, write
from studio.app.suggest.replay import evaluate

HELD_OUT = ("long", "tokens")


def run(settings: list[str], seeds: list[int], users: int, gens: int, k: int) -> dict:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in settings:
            for seed in seeds:
                path = Path(tmp) / f"{name}-{seed}.jsonl"
                write(generate(SETTINGS[name], users, gens, seed), path)
                t0 = time.perf_counter()
                res = evaluate(path, k=k)
                elapsed = time.perf_counter() - t0
                sy = res["systems"]
                best = max(sy["most_recent"]["hit@k"], sy["most_frequent"]["hit@k"])
                rows.append({
                    "setting": name, "seed": seed,
                    "held_out": name in HELD_OUT or seed != 1,
                    "events": res["events"], "seconds": round(elapsed, 2),
                    **{f"{s}.hit@{k}": v["hit@k"] for s, v in sy.items()},
                    **{f"{s}.mrr": v["mrr"] for s, v in sy.items()},
                    "ratio": round(sy["studio"]["hit@k"] / best, 3) if best else None,
                })
    ratios = [r["ratio"] for r in rows if r["ratio"]]
    return {"k": k, "users": users, "gens_per_user": gens, "rows": rows,
            "min_ratio": min(ratios), "mean_ratio": round(sum(ratios) / len(ratios), 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--settings", nargs="*", default=sorted(SETTINGS))
    ap.add_argument("--seeds", nargs="*", type=int, default=[1, 2, 3])
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--gens", type=int, default=300)
    ap.add_argument("-k", type=int, default=5)
    args = ap.parse_args(argv)
    json.dump(run(args.settings, args.seeds, args.users, args.gens, args.k), sys.stdout,
              indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
