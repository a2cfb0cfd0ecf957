"""Seeded fault campaigns over one data folder, counted the way ``bench.faults`` prints.

A campaign interleaves ``generate`` cycles and ``profile import`` runs, each with a
SIGKILL armed at a point (and hit count) drawn from a seeded RNG, and checks the
whole data folder after each: the same seed replays the same campaign.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.faults.harness import (
    Findings,
    Ledger,
    Run,
    check_state,
    committed_ids,
    discover_points,
    generate_args,
    prepare_data_dir,
    run_cli,
    workload_of,
    write_history_file,
)

#: How many problems of each kind keep their details (the counts keep counting).
_DETAILS = 20


@dataclass
class Counts:
    cycles: int = 0
    imports: int = 0
    faults_injected: int = 0
    faults_not_reached: int = 0
    artifacts_lost: int = 0
    events_lost: int = 0
    events_duplicated: int = 0
    partial_files: int = 0
    tracebacks: int = 0
    integrity_failures: int = 0
    #: runs that failed where they should have worked (a re-run after a kill, a clean run)
    runs_failed: int = 0
    #: temporary files and unindexed whole files left by kills, after the final open
    temp_files_left: int = 0
    orphan_files_left: int = 0
    #: fault point -> kills that landed there
    injected_by_point: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set, repr=False)

    LOSSES = ("artifacts_lost", "events_lost", "events_duplicated", "partial_files",
              "tracebacks", "integrity_failures", "runs_failed", "temp_files_left",
              "orphan_files_left")

    def ok(self) -> bool:
        return all(getattr(self, k) == 0 for k in self.LOSSES)

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
        out["failures"] = self.failures[:_DETAILS]
        # Per check and fault point: how often, and one command that reproduces it.
        by_point: dict[str, dict[str, Any]] = {}
        for f in self.failures:
            point = (f["fault"] or "").split(":")[0]
            entry = by_point.setdefault(f"{f['check']} @ {point}",
                                        {"count": 0, "example": f["command"]})
            entry["count"] += 1
        out["failures_by_point"] = by_point
        return out

    def note(self, kind: str, detail: str, cycle: int, run: Run | None,
             data_dir: Path) -> None:
        """Count a problem once (the data folder keeps it for the later checks too)."""
        key = f"{kind}|{detail}"
        if key in self._seen:
            return
        self._seen.add(key)
        setattr(self, kind, getattr(self, kind) + 1)
        self.failures.append({
            "check": kind, "detail": detail, "cycle": cycle,
            "fault": run.fault if run else None,
            "command": run.command(data_dir) if run else None,
        })

    def add_findings(self, found: Findings, cycle: int, run: Run | None,
                     data_dir: Path) -> None:
        for kind, details in found.problems().items():
            for detail in details:
                self.note(kind, detail, cycle, run, data_dir)
        # Between runs a kill may leave them; the count that matters is the last one,
        # taken after a final open (``kill_campaign``).
        self.temp_files_left = len(found.temp_files)
        self.orphan_files_left = len(found.orphan_files)


def _hits(point: str, batch: int) -> int:
    """How many times one run reaches ``point`` at most (each image: file + thumbnail)."""
    return 2 * batch if "write_atomic" in point else batch


def kill_campaign(data_dir: Path, cycles: int, imports: int, seed: int,
                  points: list[str] | None = None,
                  progress: Callable[[str], None] | None = None) -> Counts:
    """``cycles`` generate runs and ``imports`` history imports, each SIGKILLed at a
    seeded point, in one data folder checked after every run."""
    rng = random.Random(seed)
    points = points if points is not None else discover_points()
    gen_points = [p for p in points if workload_of(p) == "generate"] or points
    imp_points = [p for p in points if workload_of(p) == "import"] or points
    prepare_data_dir(data_dir)
    work = data_dir.parent / f"{data_dir.name}-work"
    work.mkdir(parents=True, exist_ok=True)
    out_dir = work / "out"
    ledger = Ledger()
    counts = Counts()
    plan = ["generate"] * cycles + ["import"] * imports
    rng.shuffle(plan)

    def watch(run: Run, cycle: int) -> Run:
        if run.traceback:
            counts.note("tracebacks", f"{run.fault}: " + run.stderr.strip().splitlines()[-1],
                        cycle, run, data_dir)
        return run

    for cycle, kind in enumerate(plan, 1):
        if kind == "generate":
            counts.cycles += 1
            batch = rng.choice((1, 1, 2))
            point = rng.choice(gen_points)
            fault = f"{point}:kill#{rng.randint(1, _hits(point, batch))}"
            out = out_dir if rng.random() < 0.3 else None
            run = watch(run_cli(generate_args(f"cycle {cycle} a quiet harbour", cycle, batch,
                                              out), data_dir, fault), cycle)
            ledger.artifacts.update(committed_ids(run))
        else:
            counts.imports += 1
            prefix = f"imp{cycle}x"
            history = work / f"{prefix}.jsonl"
            lines = write_history_file(history, prefix, rng)
            fault = f"{rng.choice(imp_points)}:kill"
            args = ["profile", "import", "--history", str(history)]
            run = watch(run_cli(args, data_dir, fault), cycle)
            if run.killed:
                # The user runs it again: it completes, or is refused having completed.
                again = watch(run_cli(args, data_dir), cycle)
                if again.rc != 0 and "already imported" not in again.stderr:
                    counts.note("runs_failed", f"re-import after a kill: rc {again.rc}: "
                                f"{again.stderr.strip()[-300:]}", cycle, run, data_dir)
            elif run.rc != 0:
                counts.note("runs_failed", f"import rc {run.rc}: {run.stderr.strip()[-300:]}",
                            cycle, run, data_dir)
            ledger.imports[prefix] = lines
            # And a third time: never counted twice.
            third = watch(run_cli(args, data_dir), cycle)
            if third.rc != 2 or len(third.message_lines()) != 1:
                counts.note("events_duplicated" if third.rc == 0 else "runs_failed",
                            f"import {prefix} run again: rc {third.rc}, "
                            f"stderr {third.stderr.strip()[-200:]!r}", cycle, run, data_dir)
        if run.reached:
            counts.faults_injected += 1
            point = (run.fault or "").split(":")[0]
            counts.injected_by_point[point] = counts.injected_by_point.get(point, 0) + 1
            if not run.killed:
                counts.note("runs_failed", f"{run.fault} acted but the process lived: rc "
                            f"{run.rc}", cycle, run, data_dir)
        else:
            counts.faults_not_reached += 1
            if run.rc != 0:
                counts.note("runs_failed", f"{kind} rc {run.rc} with {run.fault} unreached: "
                            f"{run.stderr.strip()[-300:]}", cycle, run, data_dir)
        counts.add_findings(check_state(data_dir, ledger, (out_dir,)), cycle, run, data_dir)
        if progress:
            progress(f"{cycle}/{len(plan)} {kind} {run.fault} rc={run.rc}")
    # The user opens the library once more: whatever a kill left pending is finished now.
    final = run_cli(["library", "list", "--limit", "1"], data_dir)
    if final.rc != 0 or final.traceback:
        counts.note("runs_failed", f"library list after the campaign: rc {final.rc}: "
                    f"{final.stderr.strip()[-300:]}", len(plan) + 1, final, data_dir)
    counts.add_findings(check_state(data_dir, ledger, (out_dir,), recovered=True),
                        len(plan) + 1, final, data_dir)
    return counts
