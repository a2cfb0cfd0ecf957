"""``studio gui``: open the desktop window."""

from __future__ import annotations

import argparse
import os
import sys

from studio.api import StudioError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the desktop window")
    p.set_defaults(func=run)


def check_display(environ: dict[str, str] | None = None, platform: str | None = None) -> None:
    """Fail with a sentence instead of Qt's abort when there is no screen to open on."""
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        raise StudioError(
            "no display found: the window needs a desktop session (DISPLAY or "
            "WAYLAND_DISPLAY is unset); everything else works from the command line, "
            "see 'studio --help'"
        )


def run(args: argparse.Namespace) -> int:
    check_display()
    from studio.ui.main_window import launch

    return launch()
