"""Checks of this suite that fail because a defect is not fixed yet.

Each entry marks one test ``xfail(strict=True)``: CI stays green while the defect
stands, and turns red the day it is fixed, so the entry is removed then. The
reason says which check fails at which fault point and how to reproduce it
(``--runxfail`` shows the failing assertion with its own reproduction command).
"""

from __future__ import annotations

_RUN = "Reproduce: pytest tests/faults/{file} -k '{k}' --runxfail"

#: test id (``file::name[param]``) -> reason
KNOWN: dict[str, str] = {}
