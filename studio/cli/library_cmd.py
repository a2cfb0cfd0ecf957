"""``studio library list|show|delete|restore|favourite|rate``."""

from __future__ import annotations

import argparse
import time

from studio.app.studio import Studio
from studio.cli.output import print_json, print_table


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("library", help="browse and curate generated artifacts")
    psub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = psub.add_parser("list", help="newest first")
    ls.add_argument("--search", default=None, help="full-text search over prompts and texts")
    ls.add_argument("--kind", default=None, choices=("image", "text", "audio", "video"))
    ls.add_argument("--trash", action="store_true", help="list the trash instead")
    ls.add_argument("--favourites", action="store_true")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_list)
    show = psub.add_parser("show", help="one artifact with its metadata")
    show.add_argument("id")
    show.set_defaults(func=run_show)
    for name, helptext in (("delete", "move to the trash (undo with restore)"),
                           ("restore", "take back out of the trash"),
                           ("favourite", "mark as favourite"),
                           ("unfavourite", "remove the favourite mark"),
                           ("keep", "mark as kept")):
        a = psub.add_parser(name, help=helptext)
        a.add_argument("id")
        a.set_defaults(func=run_action, action_name=name)
    rate = psub.add_parser("rate", help="rate 1 to 5")
    rate.add_argument("id")
    rate.add_argument("rating", type=int)
    rate.set_defaults(func=run_rate)


def run_list(args: argparse.Namespace) -> int:
    lib = Studio().library
    arts = lib.list(search=args.search, kind=args.kind, trashed=args.trash,
                    favourites=args.favourites, limit=args.limit)
    if args.json:
        print_json([a.to_dict() for a in arts])
        return 0
    print_table(
        [(a.id, a.kind, time.strftime("%Y-%m-%d %H:%M", time.localtime(a.created)),
          ("*" if a.favourite else "") + (str(a.rating) if a.rating else ""),
          _clip(a.prompt or a.text or "", 60)) for a in arts],
        ("ID", "KIND", "CREATED", "FAV/RATE", "PROMPT"),
    )
    return 0


def run_show(args: argparse.Namespace) -> int:
    print_json(Studio().library.get(args.id).to_dict())
    return 0


def run_action(args: argparse.Namespace) -> int:
    lib = Studio().library
    {
        "delete": lib.trash,
        "restore": lib.restore,
        "favourite": lambda i: lib.set_favourite(i, True),
        "unfavourite": lambda i: lib.set_favourite(i, False),
        "keep": lib.keep,
    }[args.action_name](args.id)
    return 0


def run_rate(args: argparse.Namespace) -> int:
    Studio().library.rate(args.id, args.rating)
    return 0


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
