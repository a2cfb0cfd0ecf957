"""Files written for the user (Save as, exported frames): atomic, in their folder's
ordinary mode.

The studio's own data is private (``settings.write_atomic``: files 0600, folders
tightened to 0700). An export goes to a folder the user chose, such as ~/Music,
which must keep its mode, and the file gets the mode any new file there would get.
"""

from __future__ import annotations

import os
from pathlib import Path

from studio.app.settings import replace_file


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_export(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; the folder must exist and is left as it
    is, and the file gets the mode the umask gives a new file (not 0600)."""
    replace_file(Path(path), data, mode=0o666 & ~_umask())
