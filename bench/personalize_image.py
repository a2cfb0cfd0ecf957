"""The image part of ``python -m bench.personalize --part image`` (issue #18).

CPU by default, a random-weight pipeline, no download: a LoRA is trained through the
engine, as ``studio personalize train image`` does, on images of one synthetic style
(diagonal stripes in two colours), and the bench reports

* the fixed-evaluation loss on those images before and after training (same images,
  timesteps and noise: the card's ``initial_loss``/``final_loss``), and the ratio;
* how much the LoRA changes the output: mean absolute pixel difference (0-255) between
  images made with and without ``loras=NAME:0.8`` at the same seeds, next to the same
  difference between two runs without it (the determinism floor, expected 0);
* how close each output is to the training style: mean absolute difference of its
  pixels from the mean training image (lower is closer), base vs LoRA, side by side.

    .venv/bin/python -m bench.personalize --part image                  # ~1 min on CPU
    .venv/bin/python -m bench.personalize --part image --preset sd15 --device cuda \
        --size 512 --train-steps 400
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--preset", default="tiny", choices=("tiny", "small", "sd15", "sdxl"),
                   help="image: the random-weight pipeline")
    p.add_argument("--size", type=int, default=None, help="image: side in px (native)")
    p.add_argument("--images", type=int, default=10, help="image: training images")
    p.add_argument("--train-steps", type=int, default=60, help="image: training steps")
    p.add_argument("--rank", type=int, default=8, help="image: LoRA rank")
    p.add_argument("--learning-rate", type=float, default=1e-2, help="image: learning rate")
    p.add_argument("--threads", type=int, default=1, help="image: torch CPU threads")


def stripes(i: int, size: int) -> np.ndarray:
    """One image of the synthetic style: two-colour diagonal stripes, shifted per image."""
    yy, xx = np.mgrid[0:size, 0:size]
    band = ((xx + yy + 3 * i) * 8 // size) % 2
    rgb = np.stack([200 * band + 20, 40 + 10 * (i % 5) + 0 * band, 220 - 180 * band], -1)
    return rgb.astype(np.uint8)


def run_image(args: argparse.Namespace) -> dict[str, Any]:
    import torch
    from PIL import Image
    from studio_image.testing import PRESETS, save_tiny_pipeline

    from studio.api import GenerationRequest
    from studio.app.backends import ThreadBackend
    from studio.app.engine import Engine
    from studio.app.library import Library
    from studio.app.plugins import PluginHost
    from studio.app.runner import Runner
    from studio.app.settings import Settings

    torch.set_num_threads(args.threads)
    work = Path(tempfile.mkdtemp(prefix="bench-personalize-"))
    model = save_tiny_pipeline(work / f"model-{args.preset}", args.preset,
                               "float16" if args.device.startswith("cuda") else "float32")
    vae_scale = 2 ** (len(PRESETS[args.preset]["vae"]) - 1)
    size = args.size or PRESETS[args.preset]["sample_size"] * vae_scale
    items = []
    for i in range(args.images):
        path = work / f"style{i}.png"
        Image.fromarray(stripes(i, size)).save(path)
        items.append({"id": f"s{i}", "path": str(path), "caption": "diagonal stripes"})
    manifest = work / "manifest.json"
    manifest.write_text(json.dumps({"name": "bench-style", "key": "0badc0de",
                                    "checkpoint_dir": str(work / "ckpt"), "items": items}))
    host = PluginHost()
    host.discover()
    settings = Settings(device=args.device)
    engine = Engine(host, Library(work / "data"), ThreadBackend(Runner(host, settings)),
                    settings)
    try:
        t0 = time.perf_counter()
        job = engine.run(GenerationRequest(
            modality="image", generator="image.train", task="train_lora", model=str(model),
            params={"steps": args.train_steps, "rank": args.rank,
                    "learning_rate": args.learning_rate, "resolution": size,
                    "checkpoint_every": 10 ** 5},
            seed=1, inputs={"manifest": str(manifest)}))
        train_s = time.perf_counter() - t0
        if job.error:
            raise SystemExit(f"bench: the training failed: {job.error}")
        card = json.loads((work / "data" / "models" / "loras" / "bench-style.json").read_text())

        def make(seed: int, loras: str) -> np.ndarray:
            params = {"steps": 8, "width": size, "height": size, "loras": loras}
            done = engine.run(GenerationRequest(
                modality="image", generator="image.diffusers", prompt="diagonal stripes",
                model=str(model), params=params, seed=seed))
            with Image.open(done.artifacts[0].path) as im:
                return np.asarray(im.convert("RGB"), dtype=np.float64)

        style = np.mean([stripes(i, size) for i in range(args.images)], axis=0)
        rows = []
        for seed in range(args.seeds):
            base, again, styled = make(seed, ""), make(seed, ""), make(seed, "bench-style:0.8")
            rows.append((np.abs(styled - base).mean(), np.abs(again - base).mean(),
                         np.abs(base - style).mean(), np.abs(styled - style).mean()))
    finally:
        engine.shutdown()
        engine.library.close()
    change, floor, base_far, lora_far = (float(np.mean(c)) for c in zip(*rows, strict=True))
    print(f"image LoRA, {args.preset} on {args.device}, {args.images} images at {size} px, "
          f"{args.train_steps} steps (rank {args.rank}, lr {args.learning_rate:g}): "
          f"{train_s:.1f} s")
    print(f"  fixed-evaluation loss  before {card['initial_loss']:.5f}  after "
          f"{card['final_loss']:.5f}  ratio {card['final_loss'] / card['initial_loss']:.4f}")
    print(f"  mean |pixel diff| same seed  with vs without LoRA {change:.3f}  "
          f"two runs without {floor:.3f}  ({args.seeds} seeds)")
    print(f"  mean |pixel - style mean|    base {base_far:.2f}  with LoRA {lora_far:.2f}")
    return {
        "preset": args.preset, "device": args.device, "size": size, "images": args.images,
        "train_steps": args.train_steps, "rank": args.rank,
        "learning_rate": args.learning_rate, "train_seconds": round(train_s, 1),
        "loss_before": round(card["initial_loss"], 5), "loss_after": round(card["final_loss"], 5),
        "loss_ratio": round(card["final_loss"] / card["initial_loss"], 4),
        "pixel_change_with_lora": round(change, 3), "pixel_change_floor": round(floor, 3),
        "distance_to_style_base": round(base_far, 2),
        "distance_to_style_lora": round(lora_far, 2),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """``python -m bench.personalize_image``: the image part on its own."""
    p = argparse.ArgumentParser(prog="python -m bench.personalize_image")
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or mps")
    p.add_argument("--seeds", type=int, default=3, help="generations compared")
    add_arguments(p)
    result = run_image(p.parse_args(argv))
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
