"""Speed of ``studio library import`` against a plain PIL loop over the same folder.

    .venv/bin/python -m bench.import_speed                 # 1,000 PNGs of 512x512
    .venv/bin/python -m bench.import_speed --files 40 --rounds 1   # a smoke run

A folder of PNGs with A1111-style ``parameters`` chunks (varied prompts and seeds;
a gradient plus noise, so files are the size of real ones) is made once, then these
run interleaved (bench.harness.compare):

* ``plain``: open each file with PIL and read its text chunks (``im.info``; no pixel
  decoding, as a metadata reader needs none);
* ``plain_copy``: read each whole file, hash it and write one copy: the floor of
  any import that deduplicates by content and keeps its own copy;
* ``plain_decode``: the same plus decoding the pixels (what ``im.text`` does), the
  least any import that makes a thumbnail must also do;
* ``studio``: ``import_folder`` into a fresh data folder: hashing, the metadata
  reader, a copy, a thumbnail, the index and one ``generate`` event per file.

Printed besides the medians: files/s of each, the studio/plain speed ratio, where
the import's time goes (one instrumented run) and its resident memory after each
quarter of the files, which stays flat when nothing accumulates per file.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import compare

PROMPTS = [
    "a lighthouse on a cliff at dusk, oil painting", "portrait of an old sailor, charcoal",
    "misty pine forest, morning light, watercolor", "cyberpunk street market, neon, rain",
    "a red fox in the snow, wildlife photography", "isometric cozy library, 3d render",
]


def make_folder(folder: Path, n: int, size: int) -> int:
    """``n`` PNGs with A1111 infotext; returns their total size in bytes."""
    import numpy as np
    from PIL import Image, PngImagePlugin

    rng = np.random.default_rng(0)
    ramp = np.linspace(0, 200, size, dtype=np.float32)
    total = 0
    for i in range(n):
        base = (ramp[None, :, None] + ramp[:, None, None][::-1] * 0.2 + i % 37)
        pixels = base + rng.normal(0, 6, (size, size, 3))
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
        prompt = f"{PROMPTS[i % len(PROMPTS)]}, variation {i}"
        info = PngImagePlugin.PngInfo()
        info.add_text("parameters", (
            f"{prompt}\nNegative prompt: blurry, lowres\nSteps: {20 + i % 15}, Sampler: "
            f"Euler a, CFG scale: 7, Seed: {1000 + i}, Size: {size}x{size}, Model: sd15"))
        path = folder / f"{i // 100:02d}" / f"{i:05d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, pnginfo=info, compress_level=6)
        total += path.stat().st_size
    return total


def rss_bytes() -> int:
    try:
        import psutil
    except ImportError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # peak, in KiB
    return psutil.Process().memory_info().rss


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.import_speed")
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--size", type=int, default=512, help="image side in pixels")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    from PIL import Image

    from studio.app import library_import
    from studio.app.studio import Studio

    work = Path(tempfile.mkdtemp(prefix="studio-bench-import-"))
    folder = work / "images"
    total_bytes = make_folder(folder, args.files, args.size)
    files = sorted(folder.rglob("*.png"))
    runs = iter(range(10**9))

    def plain() -> int:
        found = 0
        for path in files:
            with Image.open(path) as im:
                found += "parameters" in im.info
        assert found == len(files)
        return found

    def plain_decode() -> int:
        found = 0
        for path in files:
            with Image.open(path) as im:
                found += "parameters" in im.text  # decodes the pixels to reach late chunks
        return found

    def plain_copy() -> int:
        # The least any import that deduplicates by content and keeps a copy must do:
        # read every byte, hash it, write it once more (no fsync, no decode, no index).
        out = work / "copies"
        out.mkdir(exist_ok=True)
        for path in files:
            data = path.read_bytes()
            hashlib.sha256(data).hexdigest()
            (out / path.name).write_bytes(data)
        shutil.rmtree(out)
        return len(files)

    def studio(progress: Callable[[int, int, Path], None] | None = None) -> Any:
        root = work / f"data-{next(runs)}"
        s = Studio(root=root, backend="thread")
        try:
            summary = library_import.import_folder(s, folder, progress=progress)
        finally:
            s.close()
        assert summary.imported == len(files) and summary.events == len(files), summary
        shutil.rmtree(root)
        return summary

    try:
        breakdown = _instrumented(studio, library_import)
        memory = _memory(studio, len(files))
        result = compare({"plain": plain, "plain_copy": plain_copy, "plain_decode": plain_decode,
                          "studio": studio},
                         baseline="plain", rounds=args.rounds, warmup=0,
                         label=f"library import: {len(files)} PNGs of {args.size}px "
                               f"({total_bytes / len(files) / 1024:.0f} KiB each)",
                         extra={"breakdown_per_1000_files": breakdown, "rss_mib": memory})
        per_s = {name: round(len(files) / t, 1) for name, t in result["median_s"].items()}
        summary = {
            "files_per_s": per_s,
            "speed_ratio_studio_to_plain": round(per_s["studio"] / per_s["plain"], 3),
            "speed_ratio_plain_copy_to_plain": round(per_s["plain_copy"] / per_s["plain"], 3),
            "speed_ratio_studio_to_plain_decode": round(
                per_s["studio"] / per_s["plain_decode"], 3),
        }
        import json
        import sys

        json.dump(summary, sys.stdout, indent=2)
        sys.stdout.write("\n")
        result.update(summary)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _instrumented(studio: Callable[..., Any], library_import: Any) -> dict[str, Any]:
    """One import with its steps timed, per 1,000 files.

    Reading runs on several threads and so do the file writes, so the steps add up
    to more than the wall time: each is the time summed over its threads. The
    caller's thread itself only waits, indexes and records.
    """
    from studio.app.library import Library
    from studio.app.studio import Studio

    spent: dict[str, float] = defaultdict(float)
    patches = [(library_import, "read_metadata", "metadata reader"),
               (library_import, "_thumbnail", "decode + thumbnail"),
               (library_import, "_examine", "examine"),
               (Library, "store_existing", "copy + thumbnail write (fsync each)"),
               (Library, "index_existing", "index rows (one transaction per 64)"),
               (Studio, "record_many", "history events (one transaction per 64)")]
    originals = []
    for owner, name, label in patches:
        original = getattr(owner, name)
        originals.append((owner, name, original))

        def timed(*a: Any, _f: Any = original, _label: str = label, **k: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return _f(*a, **k)
            finally:
                spent[_label] += time.perf_counter() - t0

        setattr(owner, name, timed)
    t0 = time.perf_counter()
    try:
        summary = studio()
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    total = time.perf_counter() - t0
    scale = 1000 / max(summary.seen, 1)
    examine = spent.pop("examine")
    readers = {"read + hash": examine - spent["metadata reader"] - spent["decode + thumbnail"],
               "metadata reader": spent["metadata reader"],
               "decode + thumbnail": spent["decode + thumbnail"]}
    writers = {k: v for k, v in spent.items() if k not in readers}
    return {
        "wall_s": round(total * scale, 3),
        "reader_threads_s": {k: round(v * scale, 3) for k, v in readers.items()},
        "writer_threads_s": {k: round(v * scale, 3) for k, v in writers.items()},
        "threads_each": library_import.READERS if (os.cpu_count() or 1) >= 4
        else os.cpu_count() or 1,
    }


def _memory(studio: Callable[..., Any], n: int) -> dict[str, float]:
    """Resident memory after each quarter of one import."""
    marks = {max(1, n * q // 4): f"after_{n * q // 4}_files" for q in (1, 2, 3, 4)}
    seen: dict[str, float] = {"before": round(rss_bytes() / 2**20, 1)}

    def progress(done: int, total: int, path: Path) -> None:
        if done in marks:
            seen[marks[done]] = round(rss_bytes() / 2**20, 1)

    studio(progress)
    return seen


if __name__ == "__main__":
    main()
