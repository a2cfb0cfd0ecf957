"""``studio info FILE [--json]``: the generation metadata a file carries.

Reads any file ``studio.app.metadata`` knows (Studio's own, A1111/Forge, ComfyUI,
InvokeAI, NovelAI, Fooocus, SwarmUI, Draw Things...). It loads no generator and no
torch. The file is untrusted: every string from it is printed through ``clean``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from studio.cli.output import clean, print_json

#: Parameters the summary shows on their own lines.
_SHOWN = {"negative_prompt", "steps", "guidance_scale", "width", "height", "scheduler", "loras"}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="show the generation metadata a file carries")
    p.add_argument("file", metavar="FILE", help="an image, audio, video or Markdown file")
    p.add_argument("--json", action="store_true",
                   help='print {"tool", "request", "raw", ...} as JSON')
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from studio.app.metadata import read_file_metadata

    meta = read_file_metadata(Path(args.file))
    if args.json:
        print_json(meta.to_dict())
        return 0
    for label, value in summary(meta):
        text = clean(value).replace("\n", "\n" + " " * 17)
        print(f"{label + ':':<16} {text}")
    print("raw metadata:")
    raw = json.dumps(meta.raw, indent=2, ensure_ascii=False, default=str)
    print("  " + clean(raw).replace("\n", "\n  "))
    return 0


def summary(meta: Any) -> list[tuple[str, Any]]:
    """(label, value) lines for the human view; fields the file lacks are left out."""
    request = meta.request
    params = request.params
    rows: list[tuple[str, Any]] = [("tool", meta.tool)]
    if request.modality != "image":
        rows.append(("modality", request.modality))
    rows.append(("prompt", request.prompt))
    if params.get("negative_prompt"):
        rows.append(("negative prompt", params["negative_prompt"]))
    for label, value in (("seed", request.seed), ("steps", params.get("steps")),
                         ("CFG", params.get("guidance_scale"))):
        if value is not None:
            rows.append((label, value))
    sampler = meta.sampler or params.get("scheduler")
    if sampler:
        studio_name = params.get("scheduler")
        same = not studio_name or studio_name == sampler
        rows.append(("sampler", sampler if same else f"{sampler} (Studio: {studio_name})"))
    if params.get("width") and params.get("height"):
        rows.append(("size", f"{params['width']}x{params['height']}"))
    if request.model or meta.model_hash:
        model = request.model or "?"
        rows.append(("model", f"{model} (hash {meta.model_hash})" if meta.model_hash else model))
    if meta.loras:
        rows.append(("LoRAs", ", ".join(_lora(lora) for lora in meta.loras)))
    other = {k: v for k, v in params.items() if k not in _SHOWN}
    if other:
        rows.append(("other", ", ".join(f"{k}={v}" for k, v in sorted(other.items()))))
    if meta.created is not None:
        try:
            created = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(meta.created))
        except (OverflowError, ValueError, OSError):
            created = str(meta.created)  # a date no calendar function takes
        rows.append(("created", created))
    return rows


def _lora(lora: Any) -> str:
    text = lora.name if lora.weight is None else f"{lora.name} {lora.weight:g}"
    return f"{text} (hash {lora.hash})" if lora.hash else text
