"""Where studio's proposals win and lose against most_recent, by kind of edit.

Each scored generate is classified against the user's previous prompt (repeat,
add / drop / swap one part, return to an earlier prompt, other), and the hit rate
of studio and of most_recent is printed per class.

Run: ``.venv/bin/python -m bench.suggest_diag HISTORY.jsonl [--k 5]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict

from studio.app.suggest.replay import MostRecent, StudioSystem, is_hit, metric_parts


def edit_kind(prev: frozenset[str], cur: frozenset[str], seen: set[frozenset[str]]) -> str:
    added, dropped = cur - prev, prev - cur
    if not added and not dropped:
        return "repeat"
    if len(added) == 1 and not dropped:
        return "add"
    if len(dropped) == 1 and not added:
        return "drop"
    if len(added) == 1 and len(dropped) == 1:
        return "swap"
    return "return" if cur in seen else "other"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("history")
    ap.add_argument("--k", type=int, default=5)
    args = ap.parse_args(argv)
    users: dict[str, list[dict]] = defaultdict(list)
    with open(args.history, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                event = json.loads(line)
                users[event["user"]].append(event)
    stats: dict[str, Counter] = defaultdict(Counter)
    for events in users.values():
        events.sort(key=lambda e: e["ts"])
        studio, recent = StudioSystem(), MostRecent()
        prev: frozenset[str] | None = None
        seen: set[frozenset[str]] = set()
        for event in events:
            if event["type"] == "generate":
                cur = metric_parts(event["prompt"])
                if prev is not None:
                    kind = edit_kind(prev, cur, seen)
                    stats[kind]["n"] += 1
                    stats[kind]["studio"] += any(is_hit(p, cur) for p in studio.propose(args.k))
                    stats[kind]["recent"] += any(is_hit(p, cur) for p in recent.propose(args.k))
                prev = cur
                seen.add(cur)
            studio.observe(event)
            recent.observe(event)
    out = {kind: {"n": c["n"], "studio": round(c["studio"] / c["n"], 3),
                  "most_recent": round(c["recent"] / c["n"], 3)}
           for kind, c in sorted(stats.items(), key=lambda kv: -kv[1]["n"])}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
