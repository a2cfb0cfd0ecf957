"""Every plugin fault is contained: counted over the CLI, both backends and the packs."""

from __future__ import annotations

from tests.faults.plugin_faults import (
    Outcomes,
    backend_generator_faults,
    cli_generator_faults,
    pack_faults,
)


def test_generator_faults_through_the_cli_fail_only_their_job(tmp_path):
    outcomes = Outcomes()
    cli_generator_faults(tmp_path, outcomes)
    assert outcomes.run >= 2
    assert not outcomes.problems, outcomes.problems


def test_generator_faults_through_both_backends_fail_only_their_job(tmp_path,
                                                                   fake_entry_points):
    outcomes = Outcomes()
    for backend in ("thread", "process"):
        backend_generator_faults(tmp_path, backend, outcomes)
    assert outcomes.run >= 4
    assert not outcomes.problems, outcomes.problems


def test_faulty_packs_fail_only_themselves(tmp_path):
    outcomes = Outcomes()
    pack_faults(tmp_path, outcomes)
    assert outcomes.run >= 1
    assert not outcomes.problems, outcomes.problems
