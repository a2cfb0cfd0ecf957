"""The application's icon, from resources/icons (issue #14)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

ICONS_DIR = Path(__file__).resolve().parents[2] / "resources" / "icons"


def app_icon() -> QIcon:
    """The SVG for every size, the PNG where no SVG image plugin is installed."""
    icon = QIcon()
    for name in ("studio.svg", "studio.png"):
        path = ICONS_DIR / name
        if path.is_file():
            icon.addFile(str(path))
    return icon
