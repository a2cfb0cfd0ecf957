"""``studio settings show|set KEY VALUE``: the user's settings (device override, ...)."""

from __future__ import annotations

import argparse
import json
from dataclasses import fields
from typing import Any

from studio.api import StudioError
from studio.app.settings import Settings
from studio.app.studio import Studio
from studio.cli.output import print_json

#: Values a setting accepts where a free-form value would be a mistake.
CHOICES = {
    "device": None,  # checked by pattern below
    "dtype": ("auto", "float32", "float16", "bfloat16"),
    "engine_backend": ("auto", "thread", "process"),
}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("settings", help="show or change settings")
    psub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = psub.add_parser("show")
    show.set_defaults(func=run_show)
    st = psub.add_parser("set", help="e.g. studio settings set device cuda:1")
    st.add_argument("key")
    st.add_argument("value", help="JSON for lists/objects/numbers; plain text otherwise")
    st.set_defaults(func=run_set)


def run_show(args: argparse.Namespace) -> int:
    print_json(Studio().settings.to_dict())
    return 0


def parse_value(key: str, text: str) -> Any:
    known = {f.name: f for f in fields(Settings)}
    if key not in known:
        raise StudioError(f"unknown setting {key!r} (settings: {', '.join(sorted(known))})")
    current = getattr(Settings(), key)
    if isinstance(current, str):
        value: Any = text
    else:
        try:
            value = json.loads(text)
        except ValueError:
            raise StudioError(f"{key} needs a JSON value, got {text!r}") from None
    if key == "device" and not (value in ("auto", "cpu", "mps") or value == "cuda"
                                or (value.startswith("cuda:") and value[5:].isdigit())):
        raise StudioError(f"device must be auto, cpu, cuda, cuda:N or mps; got {value!r}")
    allowed = CHOICES.get(key)
    if allowed and value not in allowed:
        raise StudioError(f"{key} must be one of {', '.join(allowed)}; got {value!r}")
    if current is not None and not isinstance(value, type(current)) and not (
        isinstance(current, float) and isinstance(value, int)
    ):
        raise StudioError(f"{key} must be {type(current).__name__}, got {text!r}")
    return value


def run_set(args: argparse.Namespace) -> int:
    studio = Studio()
    setattr(studio.settings, args.key, parse_value(args.key, args.value))
    studio.save_settings()
    print(f"{args.key} = {json.dumps(getattr(studio.settings, args.key))}")
    return 0
