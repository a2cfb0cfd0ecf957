"""Named fault points: where the fault-injection suite (tests/faults) stops the process.

Code that writes user data calls ``fault_point("library.after_file")`` between the
steps whose order matters. Nothing happens unless ``STUDIO_FAULT_POINT`` names
that point, so the call costs one dictionary look-up in normal use.

``STUDIO_FAULT_POINT`` is a comma-separated list of ``NAME[:ACTION][#N]``:

- ``kill`` (the default): SIGKILL this process, as a power cut or ``kill -9`` would;
- ``enospc``: raise ``OSError(ENOSPC)``, as a full disk would;
- ``raise``: raise ``RuntimeError``, an unexpected bug at that point;
- ``#N``: act on the N-th time the point is reached (1-based), not the first.
"""

from __future__ import annotations

import errno
import os
import signal
import threading

ENV_FAULT_POINT = "STUDIO_FAULT_POINT"
ACTIONS = ("kill", "enospc", "raise")

_hits: dict[str, int] = {}
_lock = threading.Lock()


class InjectedFault(RuntimeError):
    """The ``raise`` action: an unexpected error at a named point."""


def fault_point(name: str) -> None:
    """Act on ``name`` if ``STUDIO_FAULT_POINT`` asks for it; otherwise do nothing."""
    spec = os.environ.get(ENV_FAULT_POINT)
    if not spec:
        return
    for item in spec.split(","):
        point, action, nth = _parse(item)
        if point != name:
            continue
        with _lock:
            _hits[name] = _hits.get(name, 0) + 1
            count = _hits[name]
        if count == nth:
            _act(name, action)


def reset() -> None:
    """Forget hit counts (for tests that inject in-process more than once)."""
    with _lock:
        _hits.clear()


def _parse(item: str) -> tuple[str, str, int]:
    item = item.strip()
    nth = 1
    if "#" in item:
        item, _, count = item.partition("#")
        nth = int(count) if count.isdigit() and int(count) > 0 else 1
    point, _, action = item.partition(":")
    return point, action or "kill", nth


def _act(name: str, action: str) -> None:
    if action == "enospc":
        raise OSError(errno.ENOSPC, f"No space left on device (injected at {name})")
    if action == "raise":
        raise InjectedFault(f"fault injected at {name}")
    os.kill(os.getpid(), signal.SIGKILL)
