"""``studio gui``: open the desktop window."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the desktop window")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from studio.ui.main_window import launch

    return launch()
