"""What the commands that run jobs share (``generate``, ``batch``): how long Ctrl-C
waits for a job to stop, and a job's artifacts as ``--json`` lists them."""

from __future__ import annotations

import os
from typing import Any

ENV_CANCEL_GRACE = "STUDIO_CANCEL_GRACE_S"
#: Seconds to wait after Ctrl-C for a job to stop before abandoning it (issue #10).
CANCEL_GRACE_S = 3.0


def cancel_grace() -> float:
    """Seconds the CLI waits after Ctrl-C for a job to stop (``STUDIO_CANCEL_GRACE_S``)."""
    try:
        return max(0.0, float(os.environ.get(ENV_CANCEL_GRACE, "") or CANCEL_GRACE_S))
    except ValueError:
        return CANCEL_GRACE_S


def artifact_json(art: Any) -> dict[str, Any]:
    """A library artifact as ``--json`` lists it: its record plus ``library_path``."""
    data = art.to_dict()
    data["library_path"] = art.path
    return data
