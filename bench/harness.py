"""Run workloads alternately in one process and report medians and ratios.

The machine running a benchmark is shared and noisy, so absolute times mean
little; alternating the candidate and its baseline round by round and comparing
medians gives ratios that hold up.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


def compare(
    workloads: dict[str, Callable[[], Any]],
    baseline: str,
    rounds: int = 7,
    warmup: int = 1,
    label: str = "",
    extra: dict[str, Any] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, Any]:
    """Time each workload ``rounds`` times, interleaved, after ``warmup`` untimed runs each.

    ``clock`` is wall time by default; ``time.process_time`` (this process's CPU time)
    keeps other processes' load out of CPU-bound workloads on a shared machine.

    Returns ``{"label", "rounds", "median_s": {...}, "ratio_to_<baseline>": {...}}`` and
    prints it as one JSON document.
    """
    names = list(workloads)
    for _ in range(warmup):
        for name in names:
            workloads[name]()
    samples: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        # Rotate the order each round so neither side always runs first.
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            t0 = clock()
            workloads[name]()
            samples[name].append(clock() - t0)
    medians = {n: statistics.median(s) for n, s in samples.items()}
    result = {
        "label": label,
        "rounds": rounds,
        "median_s": {n: round(v, 6) for n, v in medians.items()},
        "min_s": {n: round(min(s), 6) for n, s in samples.items()},
        f"ratio_to_{baseline}": {
            n: round(medians[n] / medians[baseline], 4) for n in names if n != baseline
        },
        **(extra or {}),
    }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    sys.stdout.flush()
    return result
