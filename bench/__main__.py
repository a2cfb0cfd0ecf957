"""Run every benchmark module in turn: ``python -m bench [NAME ...]``."""

from __future__ import annotations

import importlib
import sys

MODULES = [
    "engine_overhead",
    "image_overhead",
    "writing_speed",
    "profile_speed",
    "suggest_speed",
    "suggest_eval",
    "suggest_heldout",
    "import_speed",
    "music_speed",
    "video_speed",
    "faults",
    "ui_start",
    "ui_latency",
]


def main() -> int:
    names = sys.argv[1:] or MODULES
    for name in names:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bench.{name}":
                print(f"# bench.{name}: not present", file=sys.stderr)
                continue
            raise
        print(f"# bench.{name}", flush=True)
        module.main([])
    return 0


if __name__ == "__main__":
    sys.exit(main())
