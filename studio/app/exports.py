"""Files written for the user (Save as, exported frames): atomic, in their folder's
ordinary mode.

The studio's own data is private (``settings.write_atomic``: files 0600, folders
tightened to 0700). An export goes to a folder the user chose, such as ~/Music,
which must keep its mode, and the file gets the mode any new file there would get.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_export(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file beside it and a rename; the folder
    must exist and is left as it is."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if os.name == "posix":
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp made it 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
