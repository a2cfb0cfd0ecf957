"""What the window remembers between runs: the last settings per modality, the
writing desk's model, the first-run welcome, and the desk's recovery copy.

Two small JSON files in the data folder, written atomically. Like the settings,
a damaged file is reported in one line and kept aside once (``*.broken.json``);
only the bad entries fall back to nothing. Parameter values are stored as they
were and checked against the generator's schema when they are restored (a pack
may have changed since), so a stale value is dropped rather than sent.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.api import ParamSchema, StudioError
from studio.app.settings import _keep_aside, write_atomic

log = logging.getLogger(__name__)

STATE_FILE = "ui_state.json"
RECOVERY_FILE = "writing_recovery.json"
_VERSION = 1
#: What one remembered modality (or the desk) may hold, with its check.
_CHOICE_KEYS = ("generator", "model", "task")


class UiState:
    """The window's memory. Mutate through the methods, then ``save()``."""

    def __init__(self, path: Path, data: dict[str, Any] | None = None,
                 problem: str = "") -> None:
        self.path = Path(path)
        self._data: dict[str, Any] = data or {}
        #: what was wrong with the file when it was read, in one line ("" if nothing)
        self.problem = problem

    @classmethod
    def load(cls, path: Path) -> UiState:
        """Read ``path``; damage is reported and kept aside, never raised."""
        path = Path(path)
        try:
            if not path.exists():
                return cls(path)
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:
            backup = _keep_aside(path, move=True)
            problem = (f"the window's remembered settings ({path.name}) were unreadable; "
                       f"starting afresh{_kept(backup)}")
            log.warning("%s: %s", problem, " ".join(str(exc).split())[:200])
            return cls(path, problem=problem)
        good, bad = _checked(raw)
        problem = ""
        if bad:
            backup = _keep_aside(path, move=False)
            problem = (f"the window's remembered settings ({path.name}): {'; '.join(bad)}; "
                       f"those were forgotten{_kept(backup)}")
            log.warning("%s", problem)
        return cls(path, good, problem)

    def save(self) -> None:
        data = {"version": _VERSION, **self._data}
        write_atomic(self.path, json.dumps(data, indent=2).encode("utf-8"))

    def try_save(self) -> str:
        """Save; return the reason in one line if it could not be (a full disk)."""
        try:
            self.save()
        except OSError as exc:
            return f"the window's state was not saved: {exc.strerror or exc}"
        return ""

    # -- the generate panel, per modality -----------------------------------------------

    @property
    def last_modality(self) -> str:
        return self._data.get("last_modality", "")

    @last_modality.setter
    def last_modality(self, modality: str) -> None:
        self._data["last_modality"] = modality

    def make(self, modality: str) -> dict[str, Any]:
        """The last generator, model, task and parameters used for ``modality``."""
        return dict(self._data.get("make", {}).get(modality, {}))

    def remember_make(self, modality: str, generator: str, model: str, task: str,
                      params: Mapping[str, Any]) -> None:
        self._data.setdefault("make", {})[modality] = _entry(generator, model, task, params)

    # -- the writing desk ------------------------------------------------------------------

    def desk(self) -> dict[str, Any]:
        return dict(self._data.get("desk", {}))

    def remember_desk(self, generator: str, model: str, params: Mapping[str, Any]) -> None:
        self._data["desk"] = _entry(generator, model, "", params)

    # -- first run ----------------------------------------------------------------------------

    @property
    def welcome_dismissed(self) -> bool:
        return bool(self._data.get("welcome_dismissed", False))

    @welcome_dismissed.setter
    def welcome_dismissed(self, value: bool) -> None:
        self._data["welcome_dismissed"] = bool(value)


def restorable_params(schema: ParamSchema, task: str, values: Mapping[str, Any]) -> dict:
    """The remembered values the schema still accepts for ``task`` (others dropped)."""
    names = {p.name for p in schema.for_task(task)} if task else {p.name for p in schema}
    out = {}
    for name, value in values.items():
        if name not in names:
            continue
        try:
            out[name] = schema.get(name).validate(value)
        except StudioError:
            log.info("remembered %s=%r no longer fits; dropped", name, value)
    return out


def _entry(generator: str, model: str, task: str, params: Mapping[str, Any]) -> dict:
    return {"generator": generator, "model": model, "task": task,
            "params": {k: v for k, v in params.items() if _is_scalar(v)}}


def _is_scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (str, int, bool))


def _checked(raw: Any) -> tuple[dict[str, Any], list[str]]:
    """The entries of ``raw`` that have the right shape, and one line per bad one."""
    if not isinstance(raw, dict):
        return {}, [f"the file must hold a JSON object, not {type(raw).__name__}"]
    good: dict[str, Any] = {}
    bad: list[str] = []
    if "last_modality" in raw:
        if isinstance(raw["last_modality"], str):
            good["last_modality"] = raw["last_modality"]
        else:
            bad.append("last_modality must be text")
    if "welcome_dismissed" in raw:
        if isinstance(raw["welcome_dismissed"], bool):
            good["welcome_dismissed"] = raw["welcome_dismissed"]
        else:
            bad.append("welcome_dismissed must be true or false")
    make = raw.get("make", {})
    if not isinstance(make, dict):
        bad.append("make must be an object")
        make = {}
    for modality, entry in make.items():
        if _good_entry(entry):
            good.setdefault("make", {})[modality] = entry
        else:
            bad.append(f"make.{modality} is not a generator, model, task and parameters")
    if "desk" in raw:
        if _good_entry(raw["desk"]):
            good["desk"] = raw["desk"]
        else:
            bad.append("desk is not a generator, model and parameters")
    return good, bad


def _good_entry(entry: Any) -> bool:
    if not isinstance(entry, dict):
        return False
    if not all(isinstance(entry.get(k, ""), str) for k in _CHOICE_KEYS):
        return False
    params = entry.get("params", {})
    return isinstance(params, dict) and all(_is_scalar(v) for v in params.values())


def _kept(backup: Path | None) -> str:
    return f" (the file was kept as {backup})" if backup is not None else ""


# -- the writing desk's recovery copy ----------------------------------------------------


@dataclass(frozen=True)
class DeskRecovery:
    """The desk as it was: the document's file (if any), its text and whether that
    text differs from the file."""

    path: str
    text: str
    modified: bool
    cursor: int = 0

    def save(self, folder: Path) -> None:
        data = {"version": _VERSION, "path": self.path, "text": self.text,
                "modified": self.modified, "cursor": self.cursor}
        write_atomic(Path(folder) / RECOVERY_FILE,
                     json.dumps(data, ensure_ascii=False).encode("utf-8"))

    @classmethod
    def load(cls, folder: Path) -> DeskRecovery | None:
        """The last recovery copy, or None; a damaged one is reported and kept aside."""
        path = Path(folder) / RECOVERY_FILE
        try:
            if not path.exists():
                return None
            raw = json.loads(path.read_text(encoding="utf-8"))
            ok = (isinstance(raw, dict) and isinstance(raw.get("path", ""), str)
                  and isinstance(raw.get("text"), str)
                  and isinstance(raw.get("modified", False), bool)
                  and isinstance(raw.get("cursor", 0), int))
            if not ok:
                raise ValueError("it is not a document path and text")
        except (OSError, ValueError, RecursionError) as exc:
            backup = _keep_aside(path, move=True)
            log.warning("the writing desk's recovery copy %s is damaged (%s)%s", path,
                        " ".join(str(exc).split())[:200], _kept(backup))
            return None
        return cls(raw.get("path", ""), raw["text"], raw.get("modified", False),
                   raw.get("cursor", 0))
