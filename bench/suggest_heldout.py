"""Replay evaluation on the history generators, both metrics, per family.

``bench/heldout`` holds generators written from a behavioural brief alone,
without the engine's code. ``TUNING`` lists the families the engine may be
tuned on; the rest are reported only (the split: a family is a generator and
one of its variants). ``history_gen`` settings (bench/history_gen.py) can be
added with ``--families hist:iterative`` etc.

For each family (hits summed over the seeds) it prints studio's and the two
baselines' hit@k on both metrics of docs/replay-eval.md: ``old`` (every prompt,
re-runs included) and ``next`` (only prompts that change the previous one, and
only proposals closer to them than the previous prompt). ``ratio`` is studio's
hit@k over the better baseline's; the summary gives the geometric mean and the
minimum of the next-edit ratios per split.

    .venv/bin/python -m bench.suggest_heldout [--seeds 11 12] [--users 8] [--gens 200]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from studio.app.suggest.replay import evaluate

GENERATORS: dict[str, tuple[str, ...]] = {
    "gen_a": ("a1111", "comfy", "casual"),
    "gen_b": ("casual", "wanderer", "tinkerer"),
    "gen_c": ("balanced", "tinkerer", "casual"),
    "gen_d": ("illustrator", "weighted", "projects"),
    "gen_e": ("returner", "explorer", "mixed"),
}
#: Generators the engine may be tuned on; the others are reported only.
TUNING = ("gen_a", "gen_b", "gen_c", "hist")


def families(selected: list[str] | None) -> list[tuple[str, str]]:
    out = [(g, v) for g, variants in GENERATORS.items() for v in variants]
    if not selected:
        return out
    picked = []
    for name in selected:
        gen, _, variant = name.partition(":")
        if gen == "hist":
            picked.append((gen, variant))
        else:
            picked += [(g, v) for g, v in out if g == gen and variant in ("", v)]
    return picked


def write_history(gen: str, variant: str, seed: int, users: int, gens: int,
                  path: Path) -> None:
    if gen == "hist":
        from bench.history_gen import SETTINGS, generate, write
        write(generate(SETTINGS[variant], users, gens, seed), path)
        return
    subprocess.run([sys.executable, "-m", f"bench.heldout.{gen}", "--seed", str(seed),
                    "--users", str(users), "--gens", str(gens), "--variant", variant,
                    str(path)], check=True, stdout=subprocess.DEVNULL)


def one(gen: str, variant: str, seed: int, users: int, gens: int, k: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{gen}-{variant}-{seed}.jsonl"
        write_history(gen, variant, seed, users, gens, path)
        t0 = time.perf_counter()
        res = evaluate(path, k=k)
    row = {"generator": gen, "variant": variant, "seed": seed,
           "seconds": round(time.perf_counter() - t0, 1)}
    for metric, block in (("old", res), ("next", res["next_edit"])):
        row[f"{metric}.events"] = block["events"]
        for name, v in block["systems"].items():
            row[f"{metric}.{name}"] = v["hit@k"]
    return row


def _ratio(studio: float, a: float, b: float) -> float | None:
    best = max(a, b)
    return round(studio / best, 3) if best else None


def summarize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per family, hit rates pooled over the seeds (weighted by scored events)."""
    out = []
    for fam in dict.fromkeys((r["generator"], r["variant"]) for r in rows):
        mine = [r for r in rows if (r["generator"], r["variant"]) == fam]
        fam_row: dict[str, Any] = {"family": f"{fam[0]} {fam[1]}", "seeds": len(mine),
                                   "split": "tuning" if fam[0] in TUNING else "report"}
        for metric in ("old", "next"):
            n = sum(r[f"{metric}.events"] for r in mine)
            rates = {s: round(sum(r[f"{metric}.{s}"] * r[f"{metric}.events"] for r in mine)
                              / n, 4) if n else 0.0
                     for s in ("studio", "most_recent", "most_frequent")}
            fam_row[f"{metric}.events"] = n
            fam_row.update({f"{metric}.{s}": v for s, v in rates.items()})
            fam_row[f"{metric}.ratio"] = _ratio(rates["studio"], rates["most_recent"],
                                                rates["most_frequent"])
        out.append(fam_row)
    return out


def run(names: list[str] | None, seeds: list[int], users: int, gens: int, k: int,
        jobs: int) -> dict[str, Any]:
    tasks = [(g, v, s, users, gens, k) for g, v in families(names) for s in seeds]
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        rows = list(pool.map(one, *zip(*tasks, strict=True)))
    for row in rows:
        print(json.dumps(row), file=sys.stderr, flush=True)
    table = summarize(rows)
    splits = {}
    for split in ("tuning", "report"):
        ratios = [f["next.ratio"] for f in table if f["split"] == split and f["next.ratio"]]
        old = [f["old.ratio"] for f in table if f["split"] == split and f["old.ratio"]]
        if ratios:
            splits[split] = {"families": len(ratios),
                             "next_geomean": round(math.exp(sum(map(math.log, ratios))
                                                            / len(ratios)), 3),
                             "next_min": min(ratios), "old_min": min(old)}
    return {"k": k, "users": users, "gens_per_user": gens, "seeds": seeds,
            "families": table, "splits": splits}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--families", nargs="*", help="gen_a, gen_a:a1111, hist:iterative ...")
    ap.add_argument("--seeds", nargs="*", type=int, default=[11])
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--gens", type=int, default=200)
    ap.add_argument("-k", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--table", action="store_true", help="a plain table, not JSON")
    args = ap.parse_args(argv)
    res = run(args.families, args.seeds, args.users, args.gens, args.k, args.jobs)
    if args.table:
        print(f"{'family':20} {'split':7} {'next S/MR/MF':22} {'ratio':>6}  "
              f"{'old S/MR/MF':22} {'ratio':>6}")
        for f in res["families"]:
            print(f"{f['family']:20} {f['split']:7} "
                  f"{f['next.studio']:.3f}/{f['next.most_recent']:.3f}/"
                  f"{f['next.most_frequent']:.3f}    {f['next.ratio'] or 0:6.2f}  "
                  f"{f['old.studio']:.3f}/{f['old.most_recent']:.3f}/"
                  f"{f['old.most_frequent']:.3f}    {f['old.ratio'] or 0:6.2f}")
        print(json.dumps(res["splits"]))
    else:
        json.dump(res, sys.stdout, indent=1)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
