"""``studio models list``: recommended and locally available models per generator."""

from __future__ import annotations

import argparse
import os
import sys

from studio.api import StudioError
from studio.app.models import HUB_ID as _HUB_ID
from studio.app.models import hf_hub_cache, is_downloaded
from studio.app.studio import Studio
from studio.cli.output import echo, print_json, print_table


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="models the generators can use")
    psub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = psub.add_parser("list")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_list)
    dl = psub.add_parser(
        "download", help="download a Hugging Face model into the shared cache (progress on "
                         "stderr; Ctrl-C cancels; running it again resumes)")
    dl.add_argument("ref", help="owner/name on the Hugging Face hub")
    dl.add_argument("--revision", default=None, help="branch, tag or commit")
    dl.set_defaults(func=run_download)


#: Weights Studio never loads (pickle, other frameworks): not worth the disk or the wait.
SKIPPED_FILES = ["*.bin", "*.ckpt", "*.pt", "*.pth", "*.msgpack", "*.h5", "*.onnx",
                 "*.onnx_data", "*.pb", "*.tflite", "*.mlmodel", "*.ot"]


def run_download(args: argparse.Namespace) -> int:
    if not _HUB_ID.match(args.ref):
        raise StudioError(f"{args.ref!r} is not a Hugging Face repo id (owner/name)")
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}:
        raise StudioError("HF_HUB_OFFLINE is set: unset it to download models")
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import HfHubHTTPError
    except ImportError:  # pragma: no cover - installed with transformers/diffusers
        raise StudioError("huggingface_hub is not installed") from None
    print(f"downloading {args.ref} into {hf_hub_cache()} (Ctrl-C to stop; run again to "
          "resume)", file=sys.stderr)
    try:
        path = snapshot_download(args.ref, revision=args.revision, cache_dir=hf_hub_cache(),
                                 ignore_patterns=SKIPPED_FILES)
    except KeyboardInterrupt:
        print("studio: download stopped; run the same command to resume", file=sys.stderr)
        return 130
    except HfHubHTTPError as exc:
        raise StudioError(f"cannot download {args.ref}: {str(exc).splitlines()[0]}") from None
    except OSError as exc:
        raise StudioError(f"cannot download {args.ref}: {str(exc).splitlines()[0]}") from None
    echo(path)
    return 0


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
    from studio.app.personal_loras import list_loras

    loras = list_loras(studio.root)
    if args.json:
        print_json(rows + [_lora_row(card) for card in loras])
        return 0
    print_table(
        [(r["generator"], r["ref"], "yes" if r["available"] else "no",
          "*" if r["default"] else "", r["note"]) for r in rows],
        ("GENERATOR", "MODEL", "AVAILABLE", "DEFAULT", "NOTE"),
    )
    if loras:
        print()
        print_table(
            [(c["name"], c.get("base_model", "?"), c.get("images", "?"),
              str(c.get("date", "?"))[:10],
              "stale: retrain" if c.get("stale") else "fresh") for c in loras],
            ("PERSONAL LORA", "BASE MODEL", "IMAGES", "DATE", "STATE"),
        )
    return 0


def _lora_row(card: dict) -> dict:
    """A personal LoRA as a ``models list --json`` row (``kind`` tells them apart)."""
    return {"kind": "personal_lora", "generator": "image.diffusers", "modality": "image",
            "ref": card["name"], "name": card["name"], "path": card["path"],
            "base_model": card.get("base_model"), "images": card.get("images"),
            "date": card.get("date"), "stale": bool(card.get("stale")),
            "available": True, "default": False,
            "note": f"use with --set loras={card['name']}:0.8"}
