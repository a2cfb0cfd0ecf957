"""The long fault-injection run; prints its counts as JSON.

Run: ``.venv/bin/python -m bench.faults --cycles 100 --imports 20 [--seed S]``.

``--cycles`` ``studio generate`` runs and ``--imports`` ``studio profile import``
runs, in one data folder, each SIGKILLed at a fault point and hit count drawn from a
seeded RNG (the points are read from the source); the whole folder is checked after
each (tests/faults/harness.py says what is checked). Then ENOSPC at every point, an
unexpected exception (``raise``) at every point, and the plugin faults through the
CLI and both backends. Every loss count should be 0, and so should the files left
unindexed or under a temporary name once the library opened after the last kill;
``failures`` holds a reproduction command for the first few that are not.
This is the long form of ``pytest tests/faults`` (which runs a few cycles in CI).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.faults.campaign import kill_campaign
from tests.faults.harness import (
    AFTER_SAVE_POINTS,
    check_state,
    committed_ids,
    count_imported,
    discover_points,
    read_events,
    run_cli,
    workload,
    workload_of,
)


def error_pass(base: Path, points: list[str], action: str = "enospc") -> dict[str, Any]:
    """``enospc`` (or ``raise``, an unexpected bug) at each point: one line, no
    traceback, nothing partial or orphaned."""
    out: dict[str, Any] = {"points": len(points), "reached": 0, "clean": 0,
                           "not_reached": [], "problems": {}}
    for point in points:
        data_dir, work = base / f"{action}-{point}", base / f"{action}-{point}-work"
        job = workload(workload_of(point), data_dir, work)
        run = run_cli(job.args, data_dir, fault=f"{point}:{action}")
        if not run.reached:
            out["not_reached"].append(point)
            continue
        out["reached"] += 1
        found = check_state(data_dir, job.ledger, job.copies)
        lines = run.message_lines()
        problems = []
        if run.traceback:
            problems.append("traceback")
        if point in AFTER_SAVE_POINTS:
            # The files are saved: success, with one warning line (see the harness).
            if run.rc != 0:
                problems.append(f"rc {run.rc}")
            if len(lines) != 1:
                problems.append(f"stderr {lines!r}")
        else:
            if run.rc not in (1, 2):
                problems.append(f"rc {run.rc}")
            if len(lines) != 1 or not lines[0].startswith("studio: "):
                problems.append(f"stderr {lines!r}")
        problems += [f"{k}: {v}" for k, v in found.problems().items()]
        if found.temp_files or found.orphan_files:
            problems.append(f"left temp {found.temp_files} orphans {found.orphan_files}")
        if point in AFTER_SAVE_POINTS:
            job.ledger.artifacts.update(committed_ids(run))
            later = run_cli(["library", "list"], data_dir)
            found = check_state(data_dir, job.ledger, job.copies, recovered=True)
            problems += [f"after the next open: {k}: {v}" for k, v in found.problems().items()]
            if later.rc != 0 or later.traceback:
                problems.append(f"the next open: rc {later.rc}")
        if job.imported:
            prefix, lines = job.imported
            before = count_imported(read_events(data_dir), prefix)
            again = run_cli(job.args, data_dir)
            after = count_imported(read_events(data_dir), prefix)
            if before not in (0, lines) or after != lines or again.traceback:
                problems.append(f"import: {before} then {after} events for {lines} lines")
        if problems:
            out["problems"][point] = {"problems": problems,
                                      "command": run.command(data_dir)}
        else:
            out["clean"] += 1
    return out


def _totals(report: dict[str, Any]) -> dict[str, int]:
    """The headline counts over all three parts (each should be 0 but the first two)."""
    empty: dict[str, Any] = {"reached": 0, "problems": {}}
    enospc = report.get("enospc", empty)
    bug = report.get("raise", empty)
    plugins = report.get("plugin_faults", {"run": 0, "problems": {}})
    return {
        "cycles_run": report["cycles"] + report["imports"],
        "faults_injected": (report["faults_injected"] + enospc["reached"] + bug["reached"]
                            + plugins["run"]),
        "artifacts_lost": report["artifacts_lost"],
        "events_lost": report["events_lost"],
        "events_duplicated": report["events_duplicated"],
        "partial_files": report["partial_files"],
        "integrity_failures": report["integrity_failures"],
        # After the campaign's final open (a kill may leave them until then).
        "orphan_files_left": report["orphan_files_left"],
        "temp_files_left": report["temp_files_left"],
        "tracebacks_printed": report["tracebacks"]
        + sum("traceback" in p["problems"] for p in enospc["problems"].values())
        + sum("traceback" in p["problems"] for p in bug["problems"].values())
        + sum(p.startswith("traceback") for p in plugins["problems"].values()),
        "enospc_points_not_clean": len(enospc["problems"]),
        "raise_points_not_clean": len(bug["problems"]),
        "plugin_faults_not_contained": len(plugins["problems"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__)
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--imports", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-enospc", action="store_true")
    parser.add_argument("--skip-raise", action="store_true")
    parser.add_argument("--skip-plugins", action="store_true")
    parser.add_argument("--keep", metavar="DIR", default=None,
                        help="run in DIR and keep it (default: a temporary folder)")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per run")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="studio-faults-") as tmp:
        base = Path(args.keep) if args.keep else Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        points = discover_points()
        t0 = time.perf_counter()
        say = (lambda line: print(line, file=sys.stderr, flush=True)) if args.verbose else None
        counts = kill_campaign(base / "data", args.cycles, args.imports, args.seed,
                               points, progress=say)
        report: dict[str, Any] = {"seed": args.seed, "fault_points": points,
                                  **counts.to_dict()}
        report["kill_seconds"] = round(time.perf_counter() - t0, 1)
        if not args.skip_enospc:
            report["enospc"] = error_pass(base, points, "enospc")
        if not args.skip_raise:
            report["raise"] = error_pass(base, points, "raise")
        if not args.skip_plugins:
            from tests.faults.plugin_faults import all_plugin_faults

            report["plugin_faults"] = all_plugin_faults(base / "plugins").to_dict()
        report["seconds"] = round(time.perf_counter() - t0, 1)
        report["totals"] = _totals(report)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
