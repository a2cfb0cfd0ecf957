"""What models this machine has and can use: the picker's list, the first-run advice.

Reads the Hugging Face cache and the user's model folders (names and sizes on
disk only, never the weights), says why a model cannot run yet, and picks one
model per modality for the machine's GPU memory. No torch here: GPU memory is
read with ``nvidia-smi`` unless torch is already loaded (the CLI's worker).
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from studio.api import GeneratorInfo, ModelRef
from studio.app.models import HUB_ID, hf_hub_cache, is_downloaded

log = logging.getLogger(__name__)

GB = 1_000_000_000
#: Files a single-file model comes as (what the packs load from a path).
MODEL_FILES = (".safetensors", ".gguf")
#: Share of the GPU's memory a recommended model's weights may take: the rest goes to
#: activations, the VAE and the text encoders.
GPU_SHARE = 0.8
_OFFLINE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class ModelEntry:
    """One line of the model picker."""

    ref: str
    name: str
    size_bytes: int | None  # on disk when present, else what the pack declares
    source: str  # "recommended" | "cache" | "folder"
    available: bool
    note: str = ""

    def label(self) -> str:
        size = f" ({format_size(self.size_bytes)})" if self.size_bytes else ""
        mark = "" if self.available else " (not downloaded)"
        return f"{self.name}{size}{mark}"


def format_size(n: int | None) -> str:
    if not n:
        return "size unknown"
    if n >= GB:
        return f"{n / GB:.1f} GB"
    return f"{max(n / 1e6, 0.1):.0f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def declared_bytes(model: ModelRef) -> int | None:
    return int(model.size_gb * GB) if model.size_gb else None


# -- what is on disk ----------------------------------------------------------------


def cached_repos(cache: Path | None = None) -> dict[str, int]:
    """Complete model snapshots in the Hugging Face cache: repo id -> bytes on disk."""
    root = cache or hf_hub_cache()
    out: dict[str, int] = {}
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return out
    for entry in entries:
        if not entry.name.startswith("models--") or not entry.is_dir():
            continue
        ref = entry.name[len("models--"):].replace("--", "/", 1)
        if not HUB_ID.match(ref) or not is_downloaded(ref):
            continue
        out[ref] = _tree_bytes(Path(entry.path) / "blobs")
    return out


def local_models(folders: Iterable[str]) -> dict[str, int]:
    """Models in the user's folders: saved model folders and single weight files.

    An entry may also name one weight file itself (the model manager's "Add file").
    """
    out: dict[str, int] = {}
    for folder in folders:
        root = Path(folder).expanduser()
        try:
            if root.is_file():
                if root.suffix.lower() in MODEL_FILES:
                    out[str(root)] = root.stat().st_size
                continue
            children = sorted(root.iterdir())
        except OSError:
            continue
        for child in children:
            if child.is_file() and child.suffix.lower() in MODEL_FILES:
                out[str(child)] = child.stat().st_size
            elif child.is_dir() and any((child / n).is_file()
                                        for n in ("config.json", "model_index.json")):
                out[str(child)] = _tree_bytes(child)
    return out


def _tree_bytes(root: Path) -> int:
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += os.stat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return total


def picker_entries(info: GeneratorInfo, cache: Mapping[str, int],
                   local: Mapping[str, int],
                   serves: Callable[[str], bool] | None = None) -> list[ModelEntry]:
    """The picker's list for one generator: its recommendations first (downloaded or
    not), then the rest of the cache and the user's folders, each with its size.

    ``serves`` (the generator's own check, see ``serves_check``) keeps other
    generators' models out of the list; without one, everything found is offered.
    """
    out = [ModelEntry(m.ref, m.name or m.ref, cache.get(m.ref) or declared_bytes(m),
                      "recommended", m.bundled or is_downloaded(m.ref), m.note)
           for m in info.models]
    seen = {m.ref for m in info.models}
    for ref, size in cache.items():
        if ref not in seen and (serves is None or serves(ref)):
            out.append(ModelEntry(ref, ref, size, "cache", True, "in the Hugging Face cache"))
    for ref, size in local.items():
        if ref not in seen and (serves is None or serves(ref)):
            out.append(ModelEntry(ref, Path(ref).name, size, "folder", True, ref))
    return out


def serves_check(info: GeneratorInfo) -> Callable[[str], bool] | None:
    """The generator's cheap "do I run this model" check, or None when it declares none.

    A faulty check answers False rather than raising (it must not break the picker).
    """
    if not info.serves:
        return None
    module_name, _, attr = info.serves.partition(":")
    try:
        check = getattr(importlib.import_module(module_name), attr)
    except Exception:
        log.debug("%s's serves check cannot be imported", info.id, exc_info=True)
        return None

    def serves(ref: str) -> bool:
        try:
            return bool(check(ref))
        except Exception:
            log.debug("%s could not tell whether it serves %r", info.id, ref, exc_info=True)
            return False

    return serves


# -- why a model cannot run yet ------------------------------------------------------


def hub_repo(ref: str) -> str | None:
    """The hub repo a reference needs, or None when it is not a hub reference.

    ``owner/name:file.gguf`` (one file of a repo) needs ``owner/name``.
    """
    repo = ref.split(":", 1)[0] if ref.endswith(".gguf") and ":" in ref else ref
    if HUB_ID.match(repo) and not Path(ref).expanduser().exists():
        return repo
    return None


def unavailable_reason(ref: str, size_bytes: int | None = None,
                       last_failure: str = "") -> str | None:
    """Why ``ref`` cannot run now, in one line, or None when it can (as far as can be
    told without loading it). ``last_failure`` is what the last download of it said
    (a gated repo, a refused token): the real reason outranks a guess."""
    ref = ref.strip()
    if not ref:
        return None
    repo = hub_repo(ref)
    if repo is None:
        if _looks_like_path(ref) and not Path(ref).expanduser().exists():
            return f"the model {ref} does not exist on this computer"
        return None
    if is_downloaded(repo):
        return None
    head = f"{repo} is not downloaded yet"
    if last_failure:
        return f"{head}: the last download said: {last_failure}"
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _OFFLINE:
        return f"{head}, and HF_HUB_OFFLINE is set: unset it to download models"
    free = free_bytes(hf_hub_cache())
    if size_bytes and free is not None and free < size_bytes:
        return (f"{head}: it needs about {format_size(size_bytes)} and only "
                f"{format_size(free)} is free in {hf_hub_cache()}")
    size = f" ({format_size(size_bytes)})" if size_bytes else ""
    return f"{head}: Download fetches it{size}"


def _looks_like_path(ref: str) -> bool:
    # Not a hub id (checked before): a path, or a weights file named by itself.
    return (ref.startswith(("/", "~", ".", "\\")) or "\\" in ref or ref.count("/") > 1
            or ref.lower().endswith(MODEL_FILES))


def free_bytes(path: Path) -> int | None:
    """Free space where ``path`` is (or would be created)."""
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return shutil.disk_usage(probe).free
    except OSError:
        return None


# -- first run -----------------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    modality: str
    generator: str
    model: ModelRef
    available: bool  # bundled or downloaded: works now
    why: str


def anything_downloaded(generators: Iterable[GeneratorInfo],
                        extra_refs: Iterable[str] = ()) -> bool:
    """Whether a model that needs downloading is already here for any generator."""
    for info in generators:
        for m in info.models:
            if not m.bundled and is_downloaded(m.ref):
                return True
    return any(is_downloaded(r) for r in extra_refs if r)


def recommend(generators: Iterable[GeneratorInfo], gpu_bytes: int | None,
              preferred: Mapping[str, str] | None = None) -> list[Recommendation]:
    """One model per modality for this machine.

    A model shipped in a package wins (it works offline). With a GPU, the
    generator's default when its weights fit in ``GPU_SHARE`` of the memory, else the
    largest declared model that fits, else the smallest. Without one (or unknown
    memory), the smallest declared model: everything then runs on the CPU.
    """
    by_modality: dict[str, list[GeneratorInfo]] = {}
    for info in generators:
        if info.models:
            by_modality.setdefault(info.modality, []).append(info)
    out = []
    for modality in sorted(by_modality):
        infos = sorted(by_modality[modality],
                       key=lambda i: i.id != (preferred or {}).get(modality))
        pick = _pick(infos, gpu_bytes)
        if pick is not None:
            out.append(pick)
    return out


def _pick(infos: list[GeneratorInfo], gpu_bytes: int | None) -> Recommendation | None:
    # Only what works now or can be downloaded: a package model whose package is
    # missing (declared, not bundled, not a hub id) is no advice to give.
    pairs = [(info, m) for info in infos for m in info.models
             if m.bundled or hub_repo(m.ref) is not None or Path(m.ref).expanduser().exists()]
    if not pairs:
        return None
    for info, m in pairs:
        if m.bundled:
            return Recommendation(info.modality, info.id, m, True,
                                  "ships with Studio: works now, offline")
    sized = [(info, m) for info, m in pairs if m.size_gb]
    if gpu_bytes:
        room = gpu_bytes * GPU_SHARE
        gpu = format_size(gpu_bytes)
        for info, m in pairs:
            if m.ref == info.default_model and (not m.size_gb or m.size_gb * GB <= room):
                return _rec(info, m, f"fits your GPU's {gpu}")
        fitting = [p for p in sized if p[1].size_gb * GB <= room]
        if fitting:
            info, m = max(fitting, key=lambda p: p[1].size_gb)
            return _rec(info, m, f"the largest that fits your GPU's {gpu}")
        if sized:
            info, m = min(sized, key=lambda p: p[1].size_gb)
            return _rec(info, m, f"the smallest; more than your GPU's {gpu}, so it "
                                 "runs partly offloaded (slower)")
    elif sized:
        info, m = min(sized, key=lambda p: p[1].size_gb)
        return _rec(info, m, "the smallest: no GPU was found, so it runs on the CPU")
    info = infos[0]
    m = next((m for m in info.models if m.ref == info.default_model), info.models[0])
    return _rec(info, m, "the generator's default")


def _rec(info: GeneratorInfo, m: ModelRef, why: str) -> Recommendation:
    return Recommendation(info.modality, info.id, m, is_downloaded(m.ref), why)


_MIB = re.compile(r"^\s*(\d+)\s*$")


def gpu_memory_bytes() -> int | None:
    """The largest GPU's memory, or None when there is none (or it cannot be told).

    Asks NVML first, then ``nvidia-smi`` (a process start): call it off the UI thread.
    """
    if "torch" in sys.modules:
        try:
            from studio.app.devices import pick_device

            return pick_device("auto").total_bytes
        except Exception:
            return None
    try:
        from studio.app.hardware import probe

        hw = probe()  # NVML through ctypes: no process start, no CUDA
    except Exception:
        log.debug("hardware probe failed", exc_info=True)
    else:
        if hw.gpus:
            return max(g.memory_total for g in hw.gpus)
        if hw.vendor == "apple":
            return _apple_gpu_bytes()
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "--query-gpu=memory.total", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    mib = [int(m.group(1)) for line in out.splitlines() if (m := _MIB.match(line))]
    return max(mib) * 2**20 if mib else None


def _apple_gpu_bytes() -> int | None:
    """Apple silicon shares its memory with the GPU; Metal lets it use about two thirds."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") * 2 / 3)
    except (OSError, ValueError, AttributeError):
        return None
