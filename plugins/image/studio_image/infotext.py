"""The ``parameters`` PNG text that AUTOMATIC1111, Civitai and most image sites read."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def format_parameters(prompt: str, negative: str, fields: Mapping[str, Any]) -> str:
    """``prompt\\nNegative prompt: ...\\nSteps: 20, Sampler: Euler a, ...`` as A1111 writes it.

    Fields whose value is None or "" are left out; values holding a comma, colon
    or quote are JSON-quoted, which is how A1111 keeps them one field.
    """
    parts = []
    for key, value in fields.items():
        if value is None or value == "":
            continue
        text = _num(value) if isinstance(value, float) else str(value)
        if any(c in text for c in ',:"\n'):
            text = json.dumps(text, ensure_ascii=False)
        parts.append(f"{key}: {text}")
    lines = [prompt]
    if negative:
        lines.append(f"Negative prompt: {negative}")
    lines.append(", ".join(parts))
    return "\n".join(lines)


def _num(x: float) -> str:
    return str(int(x)) if x.is_integer() else repr(x)
