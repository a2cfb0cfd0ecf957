"""Where Studio keeps its data: one folder, overridable for tests and portable installs.

The data folder holds the user's history, prompts and images, so it is private to
the user whatever the umask: folders 700, files 600 (issue #10). ``mkdir``'s mode is
masked by the umask, so folders are chmod-ed after they are made; files are made
private where they are created (``write_atomic``, ``migrations.connect``). Folders
and files left too open by an older Studio are tightened when the folder opens.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

from studio.api import StudioError

ENV_DATA_DIR = "STUDIO_DATA_DIR"

#: Permission bits for group and others: none of them may be set on Studio's data.
OPEN_BITS = 0o077

#: What Studio keeps at the top of its data folder (names or name prefixes). Only
#: these are tightened on open: STUDIO_DATA_DIR may point at a folder that also
#: holds the user's other files, whose modes are not ours to change.
OWN_ENTRIES = ("history", "library", "thumbs", "cache", "logs", "queue", "settings",
               "suggest_", "profile", ".settings", ".suggest_", "batches", "models",
               "window")

_POSIX = os.name == "posix"


def data_dir() -> Path:
    """The data folder (``STUDIO_DATA_DIR`` wins over the platform default); created if missing."""
    override = os.environ.get(ENV_DATA_DIR)
    path = Path(override) if override else Path(platformdirs.user_data_dir("studio", "studio"))
    return open_data_dir(path)


def open_data_dir(path: Path) -> Path:
    """Create ``path`` private, or tighten an existing Studio folder left too open."""
    path = Path(path)
    if path.is_dir():
        secure_tree(path)  # tightens it only if it is (or is becoming) Studio's own
        return path
    try:
        private_dir(path)
    except OSError as exc:
        raise StudioError(f"the data folder {path} cannot be created: {exc.strerror or exc}"
                          ) from None
    return path


def private_dir(path: Path) -> Path:
    """``mkdir -p`` where every folder created gets mode 700; an existing leaf is tightened."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass  # made by another thread or process meanwhile
        if _POSIX:
            os.chmod(folder, 0o700)  # mkdir's mode was masked by the umask
    if not path.is_dir():
        raise NotADirectoryError(f"{path} is not a folder")
    if not missing:
        tighten(path)
    return path


def tighten(path: Path) -> bool:
    """Clear group/other permission bits on ``path`` if set; True if it was too open.

    Symlinks are left alone (chmod would change what they point at), as are entries
    owned by someone else (chmod would fail).
    """
    if not _POSIX:
        return False
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode) or not st.st_mode & OPEN_BITS:
            return False
        if st.st_uid != os.getuid():
            return False
        os.chmod(path, stat.S_IMODE(st.st_mode) & ~OPEN_BITS)
    except OSError:
        return False
    return True


def secure_tree(root: Path) -> int:
    """Tighten the data folder and what Studio keeps in it; return how many were changed.

    Cheap on a folder already private: the root and its Studio entries are checked,
    and a sub-folder is walked only when it was found too open (an older install).
    """
    if not _POSIX:
        return 0
    root = Path(root)
    try:
        entries = list(os.scandir(root))
    except OSError:
        return 0
    own = [e for e in entries if e.name.startswith(OWN_ENTRIES)]
    if entries and not own:
        return 0  # not (yet) a Studio folder: leave the user's folder as it is
    changed = int(tighten(root))
    for entry in own:
        if not tighten(Path(entry.path)):
            continue
        changed += 1
        if entry.is_dir(follow_symlinks=False):
            for folder, dirs, files in os.walk(entry.path):
                for name in dirs + files:
                    changed += int(tighten(Path(folder) / name))
    return changed
