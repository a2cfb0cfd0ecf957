"""``studio``: the command line, on the same request path as the GUI.

Each command group lives in its own module and adds itself to the parser with
``add_parser(subparsers)``; the module's ``run(args)`` returns the exit code.
Exit codes: 0 success, 1 the job failed, 2 bad input (nothing was written).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from studio import __version__
from studio.api import StudioError

#: command name -> module under studio.cli that implements it.
COMMANDS = {
    "plugins": "studio.cli.plugins_cmd",
    "generate": "studio.cli.generate_cmd",
    "models": "studio.cli.models_cmd",
    "library": "studio.cli.library_cmd",
    "gui": "studio.cli.gui_cmd",
    "settings": "studio.cli.settings_cmd",
}

#: Further command modules contributed by other parts of the app (profile, suggest).
EXTRA_COMMANDS = {
    "profile": "studio.cli.profile_cmd",
    "suggest": "studio.cli.suggest_cmd",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studio", description="Studio: a plugin-based creative studio."
    )
    parser.add_argument("--version", action="version", version=f"studio {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for _name, module_name in {**COMMANDS, **EXTRA_COMMANDS}.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # that part of the app is not built yet
            raise
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except StudioError as exc:
        print(f"studio: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("studio: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
