"""``studio suggest``: the sidebar's suggestions on the command line."""

from __future__ import annotations

import argparse
import sys

from studio.api import MODALITIES
from studio.app.suggest.types import KINDS
from studio.cli.output import print_json, print_table


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("suggest", help="personalized suggestions from your history")
    p.add_argument("--modality", choices=MODALITIES, default=None,
                   help="default: the modality you last worked in")
    p.add_argument("--prompt", default=None, help="the prompt to suggest around "
                   "(default: your last prompt in that modality)")
    p.add_argument("--k", type=int, default=5, help="how many suggestions (default 5)")
    p.add_argument("--kinds", default=None, metavar="KIND[,KIND...]",
                   help=f"only these kinds ({', '.join(KINDS)}); default: a mix of all")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from studio.app.studio import Studio

    if args.k < 1:
        print("studio: --k must be at least 1", file=sys.stderr)
        return 2
    kinds = None
    if args.kinds is not None:
        kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
        unknown = [k for k in kinds if k not in KINDS]
        if unknown or not kinds:
            print(f"studio: --kinds takes {', '.join(KINDS)}; got {args.kinds!r}",
                  file=sys.stderr)
            return 2
    studio = Studio()
    try:
        items = studio.suggestions.suggest(modality=args.modality, prompt=args.prompt,
                                           k=args.k, kinds=kinds)
    finally:
        studio.close()
    if args.json:
        print_json([s.to_dict() for s in items])
        return 0
    print_table([(s.kind, s.modality, _clip(s.text, 60), s.reason) for s in items],
                ("KIND", "MODALITY", "SUGGESTION", "WHY"))
    return 0


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
