"""``studio models list``: recommended and locally available models per generator."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from studio.app.studio import Studio
from studio.cli.output import print_json, print_table


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="models the generators can use")
    psub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = psub.add_parser("list")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_list)


def hf_hub_cache() -> Path:
    """The Hugging Face hub cache, shared with other tools (same rules as huggingface_hub)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "huggingface")
    return Path(home) / "hub"


def is_downloaded(ref: str) -> bool:
    if Path(ref).expanduser().exists():
        return True
    return (hf_hub_cache() / f"models--{ref.replace('/', '--')}").is_dir()


def run_list(args: argparse.Namespace) -> int:
    studio = Studio()
    rows = []
    for info in studio.plugins.generators.values():
        for m in info.models:
            rows.append({
                "generator": info.id, "modality": info.modality, **m.to_dict(),
                "default": m.ref == info.default_model,
                "available": m.bundled or is_downloaded(m.ref),
            })
    if args.json:
        print_json(rows)
        return 0
    print_table(
        [(r["generator"], r["ref"], "yes" if r["available"] else "no",
          "*" if r["default"] else "", r["note"]) for r in rows],
        ("GENERATOR", "MODEL", "AVAILABLE", "DEFAULT", "NOTE"),
    )
    return 0
