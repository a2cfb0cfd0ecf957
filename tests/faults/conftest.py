"""Fixtures of the fault suite; the known failures (known.py) are marked here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.known import KNOWN


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder, _, key = item.nodeid.rpartition("/")
        if folder.endswith("tests/faults") and key in KNOWN:
            item.add_marker(pytest.mark.xfail(strict=True, reason=KNOWN[key]))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The data folder the child processes use (STUDIO_DATA_DIR of this test too)."""
    return tmp_path / "data"


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """Inputs and --out targets, outside the data folder."""
    folder = tmp_path / "work"
    folder.mkdir()
    return folder
