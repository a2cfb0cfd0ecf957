"""Where the command line keeps the traceback of a bug: ``<data>/logs/studio.log``.

The user sees one line naming the error and this file; the traceback is for a bug
report. The file is private (0600, folder 0700: a traceback can quote prompts) and
rotated by size, so a crash loop cannot fill the disk.
"""

from __future__ import annotations

import datetime as dt
import os
import traceback
from pathlib import Path

from studio.app.paths import data_dir, private_dir

LOG_NAME = "studio.log"
MAX_BYTES = 1_000_000
#: studio.log.1 ... studio.log.3 are kept; the oldest goes.
BACKUPS = 3


def log_path() -> Path:
    return data_dir() / "logs" / LOG_NAME


def record_crash(exc: BaseException, command: str) -> Path:
    """Append ``exc``'s traceback to the log; return the log's path. Raises OSError.

    Only the command's name is logged, not its arguments: they can hold a passphrase.
    """
    path = log_path()
    private_dir(path.parent)
    _rotate(path)
    stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    text = (f"--- {stamp} studio {command}\n"
            + "".join(traceback.format_exception(exc)))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace") as f:
        f.write(text)
    return path


def _rotate(path: Path) -> None:
    try:
        if path.stat().st_size < MAX_BYTES:
            return
    except FileNotFoundError:
        return
    for n in range(BACKUPS - 1, 0, -1):
        older = path.with_name(f"{path.name}.{n}")
        if older.exists():
            os.replace(older, path.with_name(f"{path.name}.{n + 1}"))
    os.replace(path, path.with_name(f"{path.name}.1"))
