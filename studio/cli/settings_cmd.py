"""``studio settings show|set KEY VALUE``: the user's settings (device override, ...)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from studio.app.settings import NULLABLE_TEXT, RULES, SettingError, Settings, check_setting
from studio.app.studio import Studio
from studio.cli.output import print_json


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
    """The value ``text`` gives setting ``key``: plain text for text settings, else JSON."""
    if key not in RULES:
        check_setting(key, None)  # raises: unknown setting, with the list of known ones
    if isinstance(getattr(Settings(), key), str):
        value: Any = text
    elif key in NULLABLE_TEXT:
        value = None if text == "null" else text
    else:
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            raise SettingError(f"{key} needs a JSON value ({RULES[key][0]}), got "
                               f"{text[:60]!r}") from None
    return check_setting(key, value)


def run_set(args: argparse.Namespace) -> int:
    value = parse_value(args.key, args.value)  # before Studio(): bad input writes nothing
    studio = Studio()
    setattr(studio.settings, args.key, value)
    studio.save_settings()
    print(f"{args.key} = {json.dumps(getattr(studio.settings, args.key))}")
    return 0
