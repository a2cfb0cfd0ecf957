"""A full disk (ENOSPC) at every named write point: the command says so in one line,
prints no traceback, and leaves nothing partial, orphaned or half-counted behind."""

from __future__ import annotations

import pytest

from tests.faults.harness import (
    check_state,
    count_imported,
    discover_points,
    read_events,
    run_cli,
    workload,
    workload_of,
)

POINTS = discover_points()


@pytest.mark.parametrize("point", POINTS)
def test_disk_full_at_point(point, data_dir, work):
    job = workload(workload_of(point), data_dir, work)
    run = run_cli(job.args, data_dir, fault=f"{point}:enospc")
    if not run.reached:
        pytest.skip(f"{point} is not reached by `studio {' '.join(job.args[:2])}`")
    where = f"\nreproduce: {run.command(data_dir)}"
    assert not run.traceback, run.stderr + where
    lines = run.message_lines()
    assert len(lines) == 1 and lines[0].startswith("studio: "), run.stderr + where
    assert run.rc in (1, 2), f"rc {run.rc}: the failure was not reported" + where
    found = check_state(data_dir, job.ledger, job.copies)
    assert not found.problems(), f"{found.problems()}{where}"
    # The process lived through it: it cleans up what it had started.
    assert not found.temp_files, f"temporary files left: {found.temp_files}{where}"
    assert not found.orphan_files, f"unindexed files left: {found.orphan_files}{where}"
    if job.imported:
        # All or nothing; and what the marker says matches: the next run completes it
        # or refuses it as done, and each line is then counted once.
        prefix, lines = job.imported
        assert count_imported(read_events(data_dir), prefix) in (0, lines), where
        again = run_cli(job.args, data_dir)
        assert again.rc == 0 or "already imported" in again.stderr, again.stderr + where
        assert count_imported(read_events(data_dir), prefix) == lines, where
