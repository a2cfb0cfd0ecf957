"""Smoke-test the bundled app: run its executable headless, as a user's machine would.

    python packaging/smoke.py [--exe dist/studio/studio] [--tiny-model FOLDER] [--only STEP]

Steps: ``version``, ``plugins`` (the same packs as the source install, all ok),
``screenshot`` (``gui --screenshot`` offscreen makes a PNG), ``text`` (the offline
default model, the bundled SmolLM2 GGUF), ``image`` (a tiny random-weight model
folder: ``--tiny-model``, or one built here with ``studio_image.testing`` when the
source install is importable), ``runtime`` (``runtime status`` answers, the lock
files are inside, and another Python of the same version, with no site-packages
of its own, imports the worker, the packs and their libraries from the bundle's
folder the way an accelerated runtime's worker does). Every run gets its own empty
data folder and no network (``HF_HUB_OFFLINE``). One line per step; exit 0 when all
pass, 1 otherwise, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("version", "plugins", "screenshot", "text", "image", "runtime")
#: The packs a bundle must carry whatever the source install has.
BUILTIN_PACKS = {"image", "music", "video", "writing"}
#: Seconds per step; the first run of a frozen torch app unpacks nothing but is slow
#: to import on a loaded machine.
TIMEOUT_S = 600


class SmokeFailure(Exception):
    """A step's check did not hold; the message says which."""


def default_exe() -> Path:
    name = "studio.exe" if os.name == "nt" else "studio"
    return ROOT / "dist" / "studio" / name


def bundle_exe(root: Path = ROOT) -> Path | None:
    """The bundle's command-line executable if one was built, else None."""
    name = "studio.exe" if os.name == "nt" else "studio"
    for path in (root / "dist" / "studio" / name,
                 root / "dist" / "Studio.app" / "Contents" / "MacOS" / "studio"):
        if path.is_file():
            return path
    return None


class Smoke:
    def __init__(self, exe: Path, work: Path, tiny_model: Path | None) -> None:
        self.exe = exe
        self.work = work
        self.tiny_model = tiny_model
        self.env = dict(os.environ)
        self.env.update({
            "STUDIO_DATA_DIR": str(work / "data"),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "HF_HOME": str(work / "hf"),
            "QT_QPA_PLATFORM": "offscreen",
        })
        for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
            self.env.pop(name, None)  # the bundle must not lean on the source install

    def studio(self, *args: str) -> subprocess.CompletedProcess[str]:
        try:
            proc = subprocess.run([str(self.exe), *args], env=self.env, cwd=self.work,
                                  capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise SmokeFailure(f"`studio {' '.join(args)}` ran past {TIMEOUT_S} s") from None
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise SmokeFailure(f"`studio {' '.join(args)}` exited {proc.returncode}: {last}")
        return proc

    def version(self) -> str:
        out = self.studio("--version").stdout.strip()
        if not out.startswith("studio "):
            raise SmokeFailure(f"--version printed {out!r}")
        return out

    def plugins(self) -> str:
        bundled = json.loads(self.studio("plugins", "list", "--json").stdout)
        ids = {p["id"] for p in bundled}
        bad = [f"{p['id']} ({p['status']}: {p.get('error')})" for p in bundled
               if p["status"] != "ok"]
        if bad:
            raise SmokeFailure(f"packs not ok: {', '.join(bad)}")
        expected = source_packs() or BUILTIN_PACKS
        if ids != expected:
            raise SmokeFailure(f"the bundle lists {sorted(ids)}, the source install "
                               f"{sorted(expected)}")
        return ", ".join(sorted(ids))

    def screenshot(self) -> str:
        png = self.work / "window.png"
        self.studio("gui", "--screenshot", str(png))
        check_png(png)
        return f"{png.stat().st_size} bytes"

    def text(self) -> str:
        out = self.studio("generate", "text", "--json", "--prompt", "Once upon a time",
                          "--seed", "1", "--set", "max_new_tokens=8").stdout
        artifact = json.loads(out)["artifacts"][0]
        text = artifact.get("text") or Path(artifact["path"]).read_text(encoding="utf-8")
        if not text.strip():
            raise SmokeFailure(f"the text model {artifact.get('model')} wrote nothing")
        return f"{artifact.get('model')}: {text.strip()[:40]!r}"

    def image(self) -> str:
        model = self.tiny_model or build_tiny_model(self.work / "tiny-sd")
        out = self.studio("generate", "image", "--json", "--prompt", "a lighthouse",
                          "--model", str(model), "--seed", "3", "--set", "steps=2").stdout
        artifact = json.loads(out)["artifacts"][0]
        check_png(Path(artifact["path"]))
        return Path(artifact["path"]).name


    def runtime(self) -> str:
        status = json.loads(self.studio("runtime", "status", "--json").stdout)
        if not status.get("recommended"):
            raise SmokeFailure(f"runtime status named no variant: {status}")
        folder = bundle_folder(self.exe)
        locks = sorted(p.name for p in (folder / "packaging" / "locks").glob("*.txt"))
        if not locks:
            raise SmokeFailure(f"no lock files in {folder / 'packaging' / 'locks'}")
        # -I -S: nothing from this Python's own site-packages or environment.
        proc = subprocess.run(
            [sys.executable, "-I", "-S", "-c", WORKER_IMPORTS, str(folder)],
            capture_output=True, text=True, timeout=TIMEOUT_S, env=self.env, cwd=self.work)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise SmokeFailure(f"another Python cannot import the worker from the bundle: {last}")
        return (f"{status['recommended']} recommended; {len(locks)} lock files; "
                f"{proc.stdout.strip()}")


#: What an accelerated runtime's worker imports from the bundle (runtime.WORKER_BOOTSTRAP
#: adds the app's folders with site.addsitedir), checked to come from the bundle.
WORKER_IMPORTS = """
import importlib, os, site, sys
folder = os.path.realpath(sys.argv[1])
site.addsitedir(folder)
names = ["studio.app.worker_process", "studio_image.plugin", "studio_writing.plugin",
         "studio_music.plugin", "studio_video.plugin", "pluggy", "numpy", "PIL.Image",
         "diffusers", "transformers", "safetensors", "huggingface_hub"]
for name in names:
    module = importlib.import_module(name)
    where = os.path.realpath(module.__file__)
    if not where.startswith(folder + os.sep):
        sys.exit(f"{name} came from {where}, not the bundle")
print(f"{len(names)} modules imported from the bundle's files")
"""


def bundle_folder(exe: Path) -> Path:
    """The folder beside the executable that holds the bundled files."""
    for folder in (exe.parent / "_internal", exe.parent.parent / "Frameworks", exe.parent):
        if (folder / "studio").is_dir():
            return folder.resolve()
    raise SmokeFailure(f"no studio folder beside {exe}")


def check_png(path: Path) -> None:
    if not path.is_file():
        raise SmokeFailure(f"no file at {path}")
    if path.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n":
        raise SmokeFailure(f"{path} is not a PNG")


def source_packs() -> set[str] | None:
    """The pack ids the source install lists, or None without a source install."""
    try:
        proc = subprocess.run([sys.executable, "-m", "studio", "plugins", "list", "--json"],
                              capture_output=True, text=True, timeout=TIMEOUT_S, cwd=ROOT,
                              env={**os.environ, "HF_HUB_OFFLINE": "1"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return {p["id"] for p in json.loads(proc.stdout)}


def build_tiny_model(folder: Path) -> Path:
    """A random-weight Stable Diffusion folder, made by the source install's helper."""
    try:
        from studio_image.testing import save_tiny_pipeline
    except ImportError:
        raise SmokeFailure("no --tiny-model given and studio_image is not importable "
                           "here to build one") from None
    return save_tiny_pipeline(folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exe", type=Path, help="the bundle's studio executable")
    parser.add_argument("--tiny-model", type=Path, help="a tiny diffusers model folder")
    parser.add_argument("--only", action="append", choices=STEPS, help="run only this step")
    args = parser.parse_args(argv)
    exe = args.exe or bundle_exe() or default_exe()
    if not exe.is_file():
        print(f"smoke: no bundle executable at {exe}; build one with `make bundle`",
              file=sys.stderr)
        return 2
    if args.tiny_model is not None and not (args.tiny_model / "model_index.json").is_file():
        print(f"smoke: {args.tiny_model} is not a diffusers model folder (no model_index.json)",
              file=sys.stderr)
        return 2
    failed = 0
    with tempfile.TemporaryDirectory(prefix="studio-smoke-") as tmp:
        smoke = Smoke(exe.resolve(), Path(tmp), args.tiny_model)
        for step in args.only or STEPS:
            run: Callable[[], str] = getattr(smoke, step)
            start = time.monotonic()
            try:
                detail = run()
            except (SmokeFailure, ValueError, KeyError, IndexError, OSError) as exc:
                failed += 1
                print(f"FAIL {step}: {exc}", flush=True)
                continue
            print(f"ok   {step} ({time.monotonic() - start:.1f} s): {detail}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
