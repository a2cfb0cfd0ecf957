"""A full disk (ENOSPC) at every named write point: the command says so in one line,
prints no traceback, and leaves nothing partial, orphaned or half-counted behind."""

from __future__ import annotations

import pytest

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
    if point in AFTER_SAVE_POINTS:
        # The files are saved: the command succeeds, and says in one line what is late.
        assert run.rc == 0, f"rc {run.rc}: a saved generation failed" + where
        assert len(lines) == 1 and "recorded" in lines[0], run.stderr + where
        job.ledger.artifacts.update(committed_ids(run))
        assert job.ledger.artifacts, run.stdout + where
    else:
        assert len(lines) == 1 and lines[0].startswith("studio: "), run.stderr + where
        assert run.rc in (1, 2), f"rc {run.rc}: the failure was not reported" + where
    found = check_state(data_dir, job.ledger, job.copies)
    assert not found.problems(), f"{found.problems()}{where}"
    # The process lived through it: it cleans up what it had started.
    assert not found.temp_files, f"temporary files left: {found.temp_files}{where}"
    assert not found.orphan_files, f"unindexed files left: {found.orphan_files}{where}"
    if point in AFTER_SAVE_POINTS:
        # The next open records what the failure left out, once.
        later = run_cli(["library", "list"], data_dir)
        assert later.rc == 0 and not later.traceback, later.stderr + where
        found = check_state(data_dir, job.ledger, job.copies, recovered=True)
        assert not found.problems(), f"{found.problems()}{where}"
    if job.imported:
        # All or nothing; and what the marker says matches: the next run completes it
        # or refuses it as done, and each line is then counted once.
        prefix, lines = job.imported
        assert count_imported(read_events(data_dir), prefix) in (0, lines), where
        again = run_cli(job.args, data_dir)
        assert again.rc == 0 or "already imported" in again.stderr, again.stderr + where
        assert count_imported(read_events(data_dir), prefix) == lines, where
