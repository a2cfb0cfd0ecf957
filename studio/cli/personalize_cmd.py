"""``studio personalize train image``: a personal LoRA from the user's library.

The training is an engine job like a generation: progress with loss and time left on
stderr, Ctrl-C cancels (and the same command resumes from the checkpoint it left).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from studio.app.jobs import CANCELLED, DONE
from studio.app.studio import Studio
from studio.cli.output import echo, one_line, print_json


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("personalize", help="train generation on your own work (local only)")
    psub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    train = psub.add_parser("train", help="train a personal LoRA")
    tsub = train.add_subparsers(dest="what", metavar="WHAT", required=True)
    image = tsub.add_parser(
        "image", help="a LoRA in the style of your images (favourites by default)",
        description="Train a LoRA on images from your library, captioned with their own "
                    "prompts. It is saved as <data>/models/loras/NAME.safetensors; use it "
                    "with --set loras=NAME:0.8. Images made in incognito or while recording "
                    "was paused are never used.")
    image.add_argument("--from", dest="source", nargs="+", default=["favourites"],
                       metavar="SOURCE",
                       help="favourites (default), kept, rated>=4, or artifact ids")
    image.add_argument("--name", default="my-style", help="the LoRA's name (default my-style)")
    image.add_argument("--steps", type=int, default=None, help="training steps (default 500)")
    image.add_argument("--rank", type=int, default=None, help="LoRA rank (default 8)")
    image.add_argument("--learning-rate", type=float, default=None, help="default 1e-4")
    image.add_argument("--resolution", type=int, default=None,
                       help="square training size in pixels (default: the model's)")
    image.add_argument("--model", default="", help="base model (default: the image default)")
    image.add_argument("--captions", type=Path, default=None, metavar="FILE.jsonl",
                       help='captions to use instead of the prompts: {"id": ..., "caption": ...} '
                            "per line")
    image.add_argument("--dry-run", action="store_true",
                       help="write the training manifest, print where it is, train nothing")
    image.add_argument("--json", action="store_true", help="machine-readable result")
    image.set_defaults(func=run_train_image)


def run_train_image(args: argparse.Namespace) -> int:
    from studio.app import personalize

    source: Any = args.source[0] if (len(args.source) == 1
                                     and args.source[0] in personalize.SOURCES) else args.source
    studio = Studio()
    try:
        selection = personalize.select_items(studio, source)
        items = selection.items
        if args.captions is not None:
            items = personalize.with_captions(items, personalize.read_captions(args.captions))
        label = source if isinstance(source, str) else "the ids given"
        if selection.unrecorded:
            print(f"left out {selection.unrecorded} image(s) made or chosen while recording "
                  "was off (incognito or paused)", file=sys.stderr)
        request = personalize.training_request(
            studio, items, name=args.name, steps=args.steps, rank=args.rank,
            learning_rate=args.learning_rate, resolution=args.resolution, model=args.model,
            source=label)
        manifest = request.inputs["manifest"]
        if args.dry_run:
            if args.json:
                print_json({"manifest": manifest, "images": len(items),
                            "request": request.to_dict()})
            else:
                echo(f"manifest of {len(items)} images and captions: {manifest}")
            return 0
        resuming = personalize.has_checkpoint(request)
        print(f"training {args.name} on {len(items)} images from {label} with "
              f"{request.model} ({request.params['steps']} steps"
              f"{', resuming' if resuming else ''}); Ctrl-C cancels", file=sys.stderr)
        studio.engine.subscribe(_Progress())
        job = studio.submit_quietly(request)  # not a user's generation: nothing recorded
        try:
            studio.engine.wait(job.id)
        except KeyboardInterrupt:
            studio.engine.cancel(job.id)
            try:
                studio.engine.wait(job.id, timeout=60)
            except (TimeoutError, KeyboardInterrupt):
                pass
            print(f"studio: training cancelled at step {job.step}; run the same command "
                  "again to resume from there", file=sys.stderr)
            return 130
        if job.state == CANCELLED:
            print("studio: training cancelled; run the same command again to resume",
                  file=sys.stderr)
            return 130
        if job.state != DONE:
            print(f"studio: {one_line(job.error)}", file=sys.stderr)
            return 1
        from studio.app.personal_loras import lora_path, read_card

        path = lora_path(studio.root, args.name)
        card = read_card(path.with_suffix(".json")) or {}
        if args.json:
            print_json({"lora": str(path), **{k: v for k, v in card.items()
                                              if k != "request"}})
        else:
            echo(f"saved {path}")
            if card.get("final_loss") is not None:
                print(f"loss on your images {card['initial_loss']:.4f} -> "
                      f"{card['final_loss']:.4f}; use it with --set loras={args.name}:0.8")
        return 0
    finally:
        studio.close()


class _Progress:
    """``step 12/500 loss 0.1234 eta 40s`` on stderr, a line per step."""

    def __call__(self, event: Any) -> None:
        if event.kind != "progress":
            return
        if event.stage == "loading":
            print("loading the model...", file=sys.stderr)
        elif event.stage == "generating" and event.step and event.total:
            loss = f" {event.text}" if event.text else ""
            eta = f" eta {event.eta:.0f}s" if event.eta is not None else ""
            print(f"step {event.step}/{event.total}{loss}{eta}", file=sys.stderr)
