"""``studio plugins list|enable|disable|install|uninstall``."""

from __future__ import annotations

import argparse

from studio.api import StudioError
from studio.app.studio import Studio
from studio.cli.output import echo, print_json, print_table


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plugins", help="list, enable or disable plugin packs")
    psub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = psub.add_parser("list", help="every discovered pack with its status")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_list)
    for action in ("enable", "disable"):
        a = psub.add_parser(action, help=f"{action} a pack (kept in settings)")
        a.add_argument("name")
        a.set_defaults(func=run_toggle, enable=action == "enable")
    ins = psub.add_parser("install", help="install a third-party pack (a wheel or a name)")
    ins.add_argument("spec", metavar="PATH_OR_NAME", help="a .whl file or a pack name on the index")
    ins.add_argument("--target", default=None, metavar="DIR",
                     help="install into this folder instead of the studio's environment")
    ins.set_defaults(func=run_install)
    rm = psub.add_parser("uninstall", help="remove a third-party pack")
    rm.add_argument("name", help="the pack id or its distribution name")
    rm.set_defaults(func=run_uninstall)


def run_list(args: argparse.Namespace) -> int:
    studio = Studio()
    records = studio.plugins.plugins()
    if args.json:
        print_json([r.to_dict() for r in records])
        return 0
    if not records:
        print("no plugin packs found")
        return 0
    print_table(
        [(r.name, r.version or "-", ",".join(r.modalities) or "-", r.status, r.error or "")
         for r in records],
        ("PACK", "VERSION", "MODALITIES", "STATUS", "ERROR"),
    )
    return 0


def run_toggle(args: argparse.Namespace) -> int:
    studio = Studio()
    names = {r.name for r in studio.plugins.plugins()}
    if args.name not in names:
        raise StudioError(f"no plugin pack named {args.name!r} (packs: {', '.join(sorted(names))})")
    disabled = set(studio.settings.disabled_plugins)
    (disabled.discard if args.enable else disabled.add)(args.name)
    studio.settings.disabled_plugins = sorted(disabled)
    studio.save_settings()
    echo(f"{args.name} {'enabled' if args.enable else 'disabled'}")
    return 0


def run_install(args: argparse.Namespace) -> int:
    from pathlib import Path

    from studio.app.pack_install import install

    install(args.spec, target=Path(args.target) if args.target else None, progress=echo)
    return 0


def run_uninstall(args: argparse.Namespace) -> int:
    from studio.app.pack_install import uninstall

    uninstall(args.name, progress=echo)
    return 0
