"""Finding video models and reading what they declare, cheaply (JSON and headers only).

A reference is a diffusers folder, a hub id already in the Hugging Face cache, or
``base+adapter`` for AnimateDiff (a Stable Diffusion 1.5 base plus a motion
adapter, each a folder or a hub id). The family and the frame and size rules come
from ``model_index.json`` and the components' ``config.json``, so a request is
checked before any weights load. Weights load from safetensors; pickles are
refused unless the plan allows them.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.api import ModelError
from studio.api.weights import element_counts
from studio_video.families import Family, family_for, supported_classes

PICKLE_SUFFIXES = (".ckpt", ".pt", ".pth", ".bin", ".pkl")
DTYPE_BYTES = {"float32": 4, "F32": 4, "float16": 2, "F16": 2, "bfloat16": 2, "BF16": 2,
               "F64": 8, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
               "F8_E4M3": 1, "F8_E5M2": 1}
#: Components whose weights sit on the device while generating.
WEIGHT_COMPONENTS = ("transformer", "transformer_2", "unet", "motion_adapter", "vae",
                     "text_encoder", "text_encoder_2", "image_encoder")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


@dataclass(frozen=True)
class VideoSource:
    """Where a reference points and what it declares."""

    ref: str
    folder: Path | None  # the diffusers folder (or cached snapshot); None: not downloaded
    class_name: str
    family: Family
    configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    adapter: Path | None = None  # AnimateDiff's motion adapter folder, for base+adapter
    index: dict[str, Any] = field(default_factory=dict)  # model_index.json

    @property
    def name(self) -> str:
        if self.folder is None or _HUB_ID.match(self.ref):
            return self.ref
        return self.folder.name if self.adapter is None else \
            f"{self.folder.name}+{self.adapter.name}"

    @property
    def temporal(self) -> int | None:
        return self.family.allowed_frames(self.configs)

    @property
    def spatial(self) -> int:
        return max(8, self.family.spatial(self.configs))


#: Files changed less than this long ago are read again at every ``locate``.
RACY_NS = 2_000_000_000
#: (ref, allow_pickle) -> (what the files looked like, the source read from them).
_located: dict[tuple[str, bool], tuple[tuple[Any, ...], VideoSource]] = {}


def locate(ref: str, allow_pickle: bool = False) -> VideoSource:
    """Resolve ``ref`` and read its family; raise ``ModelError`` naming what is wrong.

    Every job checks its request with this, so a reference whose folders and configs
    are unchanged since the last call (same stat) is answered from memory.
    """
    key = (ref, allow_pickle)
    known = _located.get(key)
    if known is not None and known[0] == _signature(ref, known[1]):
        return known[1]
    source = _locate(ref, allow_pickle)
    signature = _signature(ref, source)
    # A file changed within the clock's granularity could change again unseen (same
    # mtime and size): only settled files are remembered, as git does with its index.
    settled = time.time_ns() - RACY_NS
    if all(st is None or st[0] < settled for st in signature):
        _located[key] = (signature, source)
    return source


def _signature(ref: str, source: VideoSource) -> tuple[Any, ...]:
    """Stats of what ``locate`` read: a changed config, an added weight file (the
    folder's mtime) or a new snapshot of a hub id changes it."""
    paths = [Path(ref).expanduser()]
    if _HUB_ID.match(ref):
        from huggingface_hub import constants

        paths.append(Path(constants.HF_HUB_CACHE) / f"models--{ref.replace('/', '--')}"
                     / "refs" / "main")
    for folder in (source.folder, source.adapter):
        if folder is not None:
            # A component folder made or removed changes the folder's own mtime.
            paths += [folder, folder / "model_index.json", folder / "config.json"]
            for c in source.configs if folder == source.folder else ():
                paths += [folder / c, folder / c / "config.json"]
    stats: list[Any] = []
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            stats.append(None)
        else:
            stats.append((st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(stats)


def _locate(ref: str, allow_pickle: bool) -> VideoSource:
    if not ref:
        raise ModelError("no model chosen: pass --model (a hub id or a diffusers folder)")
    if "+" in ref and not Path(ref).expanduser().exists():
        base_ref, adapter_ref = (part.strip() for part in ref.split("+", 1))
        base = _folder(base_ref, allow_pickle)
        adapter = _folder(adapter_ref, allow_pickle, index=False)
        if not (adapter / "config.json").is_file():
            raise ModelError(f"motion adapter {adapter_ref!r} has no config.json")
        family = family_for("AnimateDiffPipeline")
        assert family is not None
        return VideoSource(ref, base, "AnimateDiffPipeline", family, _configs(base), adapter)
    folder = _folder(ref, allow_pickle)
    index = _read_json(folder / "model_index.json")
    class_name = str(index.get("_class_name", ""))
    family = family_for(class_name)
    if family is None:
        raise ModelError(
            f"{ref!r} is a {class_name or 'pipeline of no declared class'}, not a video "
            f"pipeline this pack drives ({', '.join(supported_classes())}); an SD 1.5 model "
            "animates with a motion adapter as 'base+adapter'")
    return VideoSource(ref, folder, class_name, family, _configs(folder), index=index)


def _folder(ref: str, allow_pickle: bool, index: bool = True) -> Path:
    path = Path(ref).expanduser()
    if path.is_dir():
        folder = path.resolve()
    elif _HUB_ID.match(ref):
        folder = cached_snapshot(ref, index)
        if folder is None:
            raise ModelError(f"model {ref!r} is not downloaded yet: run 'studio models "
                             f"download {ref}' (or 'hf download {ref}'), then generate again")
    else:
        raise ModelError(f"model {ref!r} is neither a folder nor a Hugging Face repo id "
                         "(owner/name)")
    if index and not (folder / "model_index.json").is_file():
        raise ModelError(f"{folder} is not a diffusers model folder (no model_index.json)")
    if not allow_pickle:
        _refuse_pickles(folder)
    return folder


def _refuse_pickles(folder: Path) -> None:
    for sub in [folder, *(folder / c for c in WEIGHT_COMPONENTS)]:
        if not sub.is_dir():
            continue
        names = [p.name for p in sub.iterdir()]
        if not any(n.endswith(".safetensors") for n in names) and any(
                n.endswith(PICKLE_SUFFIXES) for n in names):
            raise ModelError(
                f"{sub.name} holds only pickle weights, which can run code when loaded; "
                "use a safetensors version, or turn on allow_pickle in the settings if you "
                "trust where it came from")


def cached_snapshot(repo_id: str, index: bool = True) -> Path | None:
    """The newest cached snapshot of ``repo_id``, without network."""
    from huggingface_hub import constants

    repo_dir = Path(constants.HF_HUB_CACHE) / f"models--{repo_id.replace('/', '--')}"
    marker = "model_index.json" if index else "config.json"
    ref_file = repo_dir / "refs" / "main"
    if ref_file.is_file():
        snap = repo_dir / "snapshots" / ref_file.read_text(encoding="utf-8").strip()
        if (snap / marker).is_file():
            return snap
    snaps = sorted((repo_dir / "snapshots").glob(f"*/{marker}"),
                   key=lambda p: p.stat().st_mtime, reverse=True) if repo_dir.is_dir() else []
    return snaps[0].parent if snaps else None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path} is not readable JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ModelError(f"{path} is not a JSON object")
    return data


def _configs(folder: Path) -> dict[str, dict[str, Any]]:
    return {c: _read_json(folder / c / "config.json") for c in WEIGHT_COMPONENTS
            if (folder / c / "config.json").is_file()}


# -- memory estimates -------------------------------------------------------------


def weight_files(source: VideoSource) -> list[Path]:
    """The weight files a load would read (plain files before variants)."""
    folders = [source.folder / c for c in WEIGHT_COMPONENTS] if source.folder else []
    if source.adapter is not None:
        folders.append(source.adapter)
    files: list[Path] = []
    for sub in folders:
        if not sub.is_dir():
            continue
        found = sorted(sub.glob("*.safetensors")) or sorted(
            p for p in sub.iterdir() if p.suffix in PICKLE_SUFFIXES)
        plain = [p for p in found if len(p.name.split(".")) == 2]
        files.extend(plain or found)
    return files


def estimate_weight_bytes(files: list[Path], dtype: str) -> int:
    """Bytes the weights take once floats are cast to ``dtype``."""
    target = DTYPE_BYTES.get(dtype, 4)
    total = 0
    for path in files:
        if path.suffix != ".safetensors":
            total += path.stat().st_size * target // 4  # pickles: assume fp32 on disk
            continue
        for kind, n in element_counts(path).items():
            total += n * (target if kind.startswith(("F", "BF")) else DTYPE_BYTES.get(kind, 4))
    return total


def activation_bytes(source: VideoSource, frames: int, width: int, height: int,
                     dtype: str) -> int:
    """A rough peak for the VAE decode of one clip (its largest activation).

    The decoder's widest block works at full resolution on every frame (video VAEs
    decode all frames at once unless tiled or framewise): width x height x frames x
    channels, with a factor of 4 for the block's temporaries.
    """
    vae = source.configs.get("vae", {})
    widths = vae.get("decoder_block_out_channels") or vae.get("block_out_channels") or [128]
    channels = int(min(widths)) if widths else 128
    if "base_dim" in vae:  # Wan's VAE names its width base_dim
        channels = int(vae["base_dim"])
    return width * height * frames * channels * DTYPE_BYTES.get(dtype, 4) * 4
