"""Where models live on this machine: the Hugging Face cache shared with other tools."""

from __future__ import annotations

import os
import re
from pathlib import Path

HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def hf_hub_cache() -> Path:
    """The Hugging Face hub cache, shared with other tools (same rules as huggingface_hub)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "huggingface")
    return Path(home) / "hub"


def is_downloaded(ref: str) -> bool:
    """A local path that exists, or a hub id with a complete snapshot in the cache.

    A download that was stopped leaves ``*.incomplete`` blobs behind (resumed by the
    next download), so it does not count as downloaded.
    """
    if Path(ref).expanduser().exists():
        return True
    if not HUB_ID.match(ref):
        return False
    repo = hf_hub_cache() / f"models--{ref.replace('/', '--')}"
    snapshots = repo / "snapshots"
    if not snapshots.is_dir() or not any(snapshots.iterdir()):
        return False
    return not any((repo / "blobs").glob("*.incomplete"))
