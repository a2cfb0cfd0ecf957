"""The bundled app's entry point (PyInstaller runs this file, not ``studio/__main__.py``).

Order matters: ``freeze_support()`` first, so a worker process started by
``multiprocessing`` runs the worker and not a second copy of the CLI; then, in a
windowed build (no console: ``sys.stdout`` is None), stdout and stderr go to a log
file before anything imports Hugging Face code, whose progress bars and warnings
write to them and would fail on None.
"""

import multiprocessing
import sys


def _log_to_file() -> None:
    import os

    try:
        from studio.app.paths import data_dir

        logs = data_dir() / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        stream = open(logs / "console.log", "a", encoding="utf-8", buffering=1)
    except OSError:
        stream = open(os.devnull, "w", encoding="utf-8")
    if sys.stdout is None:
        sys.stdout = stream
    if sys.stderr is None:
        sys.stderr = stream


if __name__ == "__main__":
    multiprocessing.freeze_support()
    if sys.stdout is None or sys.stderr is None:
        _log_to_file()
        if len(sys.argv) == 1:
            sys.argv.append("gui")  # a double-click opens the window
    from studio.cli.main import main

    sys.exit(main())
