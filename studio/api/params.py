"""Typed parameter schemas that generators declare and the host enforces.

A plugin declares its parameters once; the host validates every request against
them before any model loads, the CLI parses ``--set KEY=VALUE`` with them and the
GUI builds its form from them. Nothing is silently corrected: a bad value is
refused with a message that names it and the allowed range.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from studio.api.errors import ParamError

ParamType = Literal["int", "float", "str", "bool", "choice"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Param:
    """One parameter of a generator.

    ``multiple_of`` constrains ints (image sizes are multiples of 8);
    ``advanced`` hides the parameter behind the GUI's "Advanced" fold;
    ``nullable`` accepts ``None`` (meaning "let the model decide").
    """

    name: str
    type: ParamType
    default: Any = None
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    label: str = ""
    advanced: bool = False
    multiple_of: int | None = None
    nullable: bool = False
    tasks: tuple[str, ...] = ()  # empty: applies to every task

    def __post_init__(self) -> None:
        if self.type == "choice" and not self.choices:
            raise ValueError(f"choice parameter {self.name!r} declares no choices")
        if self.default is not None:
            self.validate(self.default)

    @property
    def display_label(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def parse(self, text: str) -> Any:
        """Convert a command-line string to this parameter's type, then validate it."""
        if self.nullable and text.strip().lower() in {"", "none", "auto"}:
            return None
        value: Any = text
        if self.type == "int":
            try:
                value = int(text)
            except ValueError:
                raise ParamError(f"{self.name} must be an integer, got {_show(text)}") from None
        elif self.type == "float":
            try:
                value = float(text)
            except ValueError:
                raise ParamError(f"{self.name} must be a number, got {_show(text)}") from None
        elif self.type == "bool":
            low = text.strip().lower()
            if low not in _TRUE | _FALSE:
                raise ParamError(f"{self.name} must be true or false, got {_show(text)}")
            value = low in _TRUE
        return self.validate(value)

    def validate(self, value: Any) -> Any:
        """Return ``value`` if it fits this parameter, else raise ``ParamError``."""
        if value is None:
            if self.nullable:
                return None
            raise ParamError(f"{self.name} needs a value")
        if self.type == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                else:
                    raise ParamError(f"{self.name} must be an integer, got {_show(value)}")
        elif self.type == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ParamError(f"{self.name} must be a number, got {_show(value)}")
            value = float(value)
            if not math.isfinite(value):
                raise ParamError(f"{self.name} must be a finite number, got {_show(value)}")
        elif self.type == "bool":
            if not isinstance(value, bool):
                raise ParamError(f"{self.name} must be true or false, got {_show(value)}")
        elif self.type == "str":
            if not isinstance(value, str):
                raise ParamError(f"{self.name} must be text, got {_show(value)}")
        elif self.type == "choice":
            if value not in self.choices:
                allowed = ", ".join(self.choices)
                raise ParamError(f"{self.name} must be one of {allowed}; got {_show(value)}")
        if self.type in ("int", "float"):
            if self.min is not None and value < self.min:
                raise ParamError(f"{self.name} must be >= {_num(self.min)}, got {_num(value)}")
            if self.max is not None and value > self.max:
                raise ParamError(f"{self.name} must be <= {_num(self.max)}, got {_num(value)}")
            if self.multiple_of and value % self.multiple_of:
                step = self.multiple_of
                nearest = round(value / step) * step
                if self.min is not None and nearest < self.min:
                    nearest += step
                if self.max is not None and nearest > self.max:
                    nearest -= step
                raise ParamError(
                    f"{self.name} must be a multiple of {step}, got {_num(value)}; "
                    f"the nearest allowed value is {_num(nearest)}"
                )
        return value

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "default": self.default,
            "min": self.min,
            "max": self.max,
            "choices": list(self.choices),
            "help": self.help,
            "label": self.display_label,
            "advanced": self.advanced,
            "multiple_of": self.multiple_of,
            "nullable": self.nullable,
            "tasks": list(self.tasks),
        }


def _num(x: float) -> str:
    # An int is shown as itself: float() of a 400-digit int overflows.
    try:
        text = str(x) if isinstance(x, int) else str(int(x)) if x.is_integer() else str(x)
    except ValueError:  # over Python's int-to-text digit limit
        return "a number too long to show"
    return text if len(text) <= 40 else text[:37] + "..."


def _show(value: Any) -> str:
    """``repr`` clipped: an error message stays one readable line whatever was typed."""
    try:
        text = repr(value)
    except ValueError:  # an int over Python's int-to-text digit limit
        return "a number too long to show"
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class ParamSchema:
    """The ordered parameters of one generator."""

    params: tuple[Param, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        names = [p.name for p in self.params]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ValueError(f"duplicate parameter names: {sorted(dupes)}")

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.params)

    def __contains__(self, name: object) -> bool:
        return any(p.name == name for p in self.params)

    def get(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise ParamError(f"unknown parameter {_show(name)} (known: {known})")

    def for_task(self, task: str) -> tuple[Param, ...]:
        return tuple(p for p in self.params if not p.tasks or task in p.tasks)

    def defaults(self, task: str | None = None) -> dict[str, Any]:
        params = self.params if task is None else self.for_task(task)
        return {p.name: p.default for p in params}

    def parse_assignments(self, pairs: list[str]) -> dict[str, Any]:
        """Parse ``["steps=20", "scheduler=ddim"]`` into typed values."""
        out: dict[str, Any] = {}
        for pair in pairs:
            key, sep, text = pair.partition("=")
            if not sep or not key.strip():
                raise ParamError(f"--set takes KEY=VALUE, got {_show(pair)}")
            param = self.get(key.strip())
            out[param.name] = param.parse(text)
        return out

    def resolve(self, values: Mapping[str, Any], task: str | None = None) -> dict[str, Any]:
        """Validate ``values`` and fill in defaults. Unknown keys are refused."""
        for key in values:
            self.get(key)
        out = self.defaults(task)
        for key, value in values.items():
            out[key] = self.get(key).validate(value)
        return out
