"""``studio cluster status [--json]``: the execution slots jobs run on, and their health.

With the ``backend`` setting (or ``STUDIO_BACKEND``) at ``ray`` it connects to the
cluster as a generation would, so a cluster that cannot be used is reported here in
the same one line (exit 2); otherwise it lists this machine's slots.
"""

from __future__ import annotations

import argparse
from typing import Any

from studio.app.settings import Settings
from studio.app.studio import Studio
from studio.cli.output import echo, print_json, print_table


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cluster", help="the execution slots (local devices or a Ray cluster)")
    psub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    st = psub.add_parser("status", help="each slot's device, node, model, job and health")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=run_status)


def run_status(args: argparse.Namespace) -> int:
    studio = Studio()
    try:
        settings = studio.run_settings()
        if settings.backend == "ray":
            slots = _ray_status(studio, settings)
        else:
            slots = studio.engine.slot_status()
        if args.json:
            print_json({"backend": settings.backend,
                        "address": settings.ray_address if settings.backend == "ray" else None,
                        "slots": slots})
            return 0
        print_table([(s["name"], s["device"] or "-", s["node"], s["model"] or "-",
                      s["job"] or "-", s["health"]) for s in slots],
                    ("SLOT", "DEVICE", "NODE", "MODEL", "JOB", "HEALTH"))
        for s in slots:
            for problem in s["problems"]:
                echo(f"{s['name']}: {problem}")
        return 0
    finally:
        studio.close()


def _ray_status(studio: Studio, settings: Settings) -> list[dict[str, Any]]:
    """Connect as the engine would (a failure is the one line ``RayUnavailable`` says)."""
    from studio.app.ray_backend import connect_slots

    slots = connect_slots(studio.root, settings, studio.plugins)
    try:
        return [slot.status() for slot in slots]
    finally:
        for slot in slots:
            slot.backend.shutdown()
