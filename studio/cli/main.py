"""``studio``: the command line, on the same request path as the GUI.

Each command group lives in its own module and adds itself to the parser with
``add_parser(subparsers)``; the module's ``run(args)`` returns the exit code.
Exit codes: 0 success, 1 the job failed or a bug (logged to ``<data>/logs/studio.log``),
2 bad input (nothing was written), 130 interrupted, 141 the reader closed the pipe.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback

from studio import __version__
from studio.api import StudioError
from studio.cli.output import one_line

#: command name -> module under studio.cli that implements it.
COMMANDS = {
    "plugins": "studio.cli.plugins_cmd",
    "generate": "studio.cli.generate_cmd",
    "models": "studio.cli.models_cmd",
    "library": "studio.cli.library_cmd",
    "gui": "studio.cli.gui_cmd",
    "settings": "studio.cli.settings_cmd",
    "info": "studio.cli.info_cmd",
    "runtime": "studio.cli.runtime_cmd",
    "cluster": "studio.cli.cluster_cmd",
    "personalize": "studio.cli.personalize_cmd",
    "batch": "studio.cli.batch_cmd",
}

#: Further command modules contributed by other parts of the app (profile, suggest).
EXTRA_COMMANDS = {
    "profile": "studio.cli.profile_cmd",
    "suggest": "studio.cli.suggest_cmd",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or with ``only`` that command's (its module alone imported:
    ``studio gui`` need not import every other command's module first)."""
    parser = argparse.ArgumentParser(
        prog="studio", description="Studio: a plugin-based creative studio."
    )
    parser.add_argument("--version", action="version", version=f"studio {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in {**COMMANDS, **EXTRA_COMMANDS}.items():
        if only is not None and name != only:
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # that part of the app is not built yet
            raise
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code; no traceback reaches the user.

    A ``StudioError`` is bad input: one line, exit 2. Anything else is a bug: one
    line naming it and the log file that holds its traceback (``-v`` prints it
    too), exit 1. A reader that goes away (``| head``) ends the run quietly.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    verbose = "-v" in argv or "--verbose" in argv  # until the parser has said
    command = "?"
    try:
        first = next((a for a in argv if not a.startswith("-")), None)
        known = first in COMMANDS or first in EXTRA_COMMANDS
        parser = build_parser(first if known else None)
        args = parser.parse_args(argv)
        verbose = args.verbose
        action = getattr(args, "action", None)
        command = " ".join(str(x) for x in (args.command, action) if isinstance(x, str))
        logging.basicConfig(
            level=logging.INFO if args.verbose else logging.WARNING,
            format="%(levelname)s %(name)s: %(message)s",
        )
        if not getattr(args, "func", None):
            parser.print_help()
            code = 0
        else:
            code = int(args.func(args) or 0)
        sys.stdout.flush()  # here, not at exit: a closed pipe must show inside the try
        return code
    except BrokenPipeError:
        return _reader_gone()
    except StudioError as exc:
        print(f"studio: {one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("studio: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence (docstring)
        return _internal_error(exc, command, verbose)


def _reader_gone() -> int:
    """The reader closed the pipe: stop without a word, as ``cat`` does.

    The way Python's documentation gives (signal module, "Note on SIGPIPE"): point
    stdout at devnull so the interpreter's last flush does not fail again.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout has no file descriptor (embedded, captured): nothing to flush
    return 128 + 13  # 141: what a shell reports for a command ended by SIGPIPE


def _internal_error(exc: Exception, command: str, verbose: bool) -> int:
    if verbose:
        traceback.print_exception(exc, file=sys.stderr)
    try:
        from studio.cli.crashlog import record_crash

        where = f"details in {record_crash(exc, command)}"
    except Exception as log_exc:  # a failing log must not hide the error
        where = f"details not saved: {one_line(log_exc, 200)}; run with -v to see them"
    try:
        print(f"studio: internal error: {type(exc).__name__}: {one_line(exc)} ({where})",
              file=sys.stderr)
    except OSError:
        pass  # stderr is gone too
    return 1


if __name__ == "__main__":
    sys.exit(main())
