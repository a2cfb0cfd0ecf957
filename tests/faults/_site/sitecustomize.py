"""Makes the tests' fake packs discoverable in a ``python -m studio.cli.main`` subprocess.

The fault suite runs the real command line in child processes (it has to: it kills
them). A child does not see the monkeypatched entry points of the test process, so
``harness.cli_env`` puts this folder first on ``PYTHONPATH`` and names the packs in
``STUDIO_TEST_PACKS`` (``name=module`` items, comma-separated); discovery then sees
them as installed entry points, through the same path as real packs.

``STUDIO_TEST_FAULT_LOG`` names a file where each fault that acts is written (one
line, before it acts), so the suite knows a point was reached even when the command
then swallowed the fault and exited 0.
"""

from __future__ import annotations

import os

_PACKS = os.environ.get("STUDIO_TEST_PACKS", "")

if _PACKS:
    import importlib.metadata as _md

    from studio.app import plugins as _plugins

    _extra = []
    for _item in _PACKS.split(","):
        _name, _, _value = _item.strip().partition("=")
        if _name and _value:
            _extra.append(_md.EntryPoint(name=_name, value=_value, group="studio.plugins"))
    _real = _plugins._entry_points

    def _entry_points() -> list:
        names = {e.name for e in _extra}
        return [*_extra, *[e for e in _real() if e.name not in names]]

    _plugins._entry_points = _entry_points

_FAULT_LOG = os.environ.get("STUDIO_TEST_FAULT_LOG", "")

if _FAULT_LOG:
    from studio.app import faults as _faults

    _act = _faults._act

    def _logged_act(name: str, action: str) -> None:
        with open(_FAULT_LOG, "a", encoding="utf-8") as f:
            f.write(f"{name}:{action}\n")
            f.flush()
            os.fsync(f.fileno())
        _act(name, action)

    _faults._act = _logged_act
