"""Where Studio keeps its data: one folder, overridable for tests and portable installs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_DATA_DIR = "STUDIO_DATA_DIR"


def data_dir() -> Path:
    """The data folder (``STUDIO_DATA_DIR`` wins over the platform default); created if missing."""
    override = os.environ.get(ENV_DATA_DIR)
    path = Path(override) if override else Path(platformdirs.user_data_dir("studio", "studio"))
    path.mkdir(parents=True, exist_ok=True)
    return path
