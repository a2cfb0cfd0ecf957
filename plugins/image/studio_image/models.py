"""Finding model files: hub ids in the HF cache, diffusers folders, single-file checkpoints.

Everything here is cheap (file system and safetensors headers only), so the host
can ask for a memory estimate and the pack can refuse pickles before any weights
load.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from studio.api import ModelError
from studio.api.weights import read_safetensors_header

#: Extensions whose loading unpickles, i.e. may run code from the file.
PICKLE_SUFFIXES = (".ckpt", ".pt", ".pth", ".bin", ".pkl")
SAFE_SUFFIXES = (".safetensors",)
#: Bytes per parameter for the dtypes a plan can ask for and safetensors can hold.
DTYPE_BYTES = {"float32": 4, "F32": 4, "float16": 2, "F16": 2, "bfloat16": 2, "BF16": 2,
               "F64": 8, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
               "F8_E4M3": 1, "F8_E5M2": 1}
#: Components whose weights must sit on the device while generating.
WEIGHT_COMPONENTS = ("unet", "transformer", "vae", "text_encoder", "text_encoder_2")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


@dataclass(frozen=True)
class ModelSource:
    """Where a model reference points. ``kind`` is "folder", "file" or "hub"."""

    ref: str
    kind: str
    path: Path | None  # the folder or file; for hub ids the cached snapshot, if any
    revision: str = ""  # hub commit of the cached snapshot

    @property
    def name(self) -> str:
        """A short, shareable model name (what A1111's ``Model:`` field holds)."""
        if self.kind == "hub":
            return self.ref
        assert self.path is not None
        return self.path.stem if self.kind == "file" else self.path.name


def locate(ref: str, allow_pickle: bool = False) -> ModelSource:
    """Resolve ``ref`` and refuse pickle weights unless ``allow_pickle``.

    Raises ``ModelError`` naming what was looked for and how to fix it.
    """
    if not ref:
        raise ModelError("no model chosen: pass --model (a hub id, folder or .safetensors file)")
    path = Path(ref).expanduser()
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in PICKLE_SUFFIXES and not allow_pickle:
            raise ModelError(_pickle_message(path))
        if suffix not in SAFE_SUFFIXES + PICKLE_SUFFIXES:
            raise ModelError(f"{path} is not a model checkpoint (.safetensors expected)")
        return ModelSource(ref, "file", path.resolve())
    if path.is_dir():
        _check_folder(path, allow_pickle)
        return ModelSource(ref, "folder", path.resolve())
    if _HUB_ID.match(ref) and not ref.startswith((".", "/", "~")):
        snapshot, revision = cached_snapshot(ref)
        if snapshot is not None:
            _check_folder(snapshot, allow_pickle)
        return ModelSource(ref, "hub", snapshot, revision)
    raise ModelError(f"model {ref!r} is neither a file, a folder nor a Hugging Face repo id "
                     "(owner/name)")


def _pickle_message(path: Path) -> str:
    return (f"{path.name} is a pickle checkpoint, which can run code when it is loaded; "
            "use a .safetensors version of it, or turn on allow_pickle in the settings "
            "if you trust where it came from")


def _check_folder(folder: Path, allow_pickle: bool) -> None:
    """Refuse a diffusers folder whose weights exist only as pickles."""
    if not (folder / "model_index.json").is_file():
        raise ModelError(f"{folder} is not a diffusers model folder (no model_index.json)")
    if allow_pickle:
        return
    for component in WEIGHT_COMPONENTS:
        sub = folder / component
        if not sub.is_dir():
            continue
        names = [p.name for p in sub.iterdir()]
        if not any(n.endswith(SAFE_SUFFIXES) for n in names) and any(
            n.endswith(PICKLE_SUFFIXES) for n in names
        ):
            raise ModelError(_pickle_message(sub / "weights.bin").replace(
                "weights.bin", f"{folder.name}/{component}"))


def cached_snapshot(repo_id: str) -> tuple[Path | None, str]:
    """The newest cached snapshot folder of ``repo_id`` and its commit, without network."""
    from huggingface_hub import constants

    repo_dir = Path(constants.HF_HUB_CACHE) / f"models--{repo_id.replace('/', '--')}"
    ref_file = repo_dir / "refs" / "main"
    if ref_file.is_file():
        commit = ref_file.read_text(encoding="utf-8").strip()
        snap = repo_dir / "snapshots" / commit
        if (snap / "model_index.json").is_file():
            return snap, commit
    snaps = sorted((repo_dir / "snapshots").glob("*/model_index.json"),
                   key=lambda p: p.stat().st_mtime, reverse=True) if repo_dir.is_dir() else []
    if snaps:
        return snaps[0].parent, snaps[0].parent.name
    return None, ""


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


# -- memory estimates ----------------------------------------------------------------


def weight_files(source: ModelSource) -> list[Path]:
    """The weight files a load would read (one variant per component)."""
    if source.path is None:
        return []
    if source.kind == "file":
        return [source.path]
    files: list[Path] = []
    for component in WEIGHT_COMPONENTS:
        sub = source.path / component
        if not sub.is_dir():
            continue
        found = sorted(sub.glob("*.safetensors")) or sorted(
            p for p in sub.iterdir() if p.suffix in PICKLE_SUFFIXES
        )
        # Prefer the plain files over variants (model.fp16.safetensors) like diffusers does.
        plain = [p for p in found if len(p.name.split(".")) == 2]
        files.extend(plain or found)
    return files


def read_header(path: Path) -> dict | None:
    """The JSON header of a safetensors file (tensor names, dtypes, shapes); None for
    other formats. Raises ``ModelError`` for a damaged safetensors file."""
    if path.suffix.lower() != ".safetensors":
        return None
    return read_safetensors_header(path)


def parameter_count(path: Path) -> dict[str, int] | None:
    """{safetensors dtype: number of elements} from the file header, None if not safetensors."""
    header = read_header(path)
    if header is None:
        return None
    counts: dict[str, int] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        n = 1
        for dim in info["shape"]:
            n *= dim
        counts[info["dtype"]] = counts.get(info["dtype"], 0) + n
    return counts


def estimate_weight_bytes(files: list[Path], dtype: str) -> int:
    """Bytes the weights take once cast to ``dtype`` (floats only; ints keep their size)."""
    target = DTYPE_BYTES.get(dtype, 4)
    total = 0
    for path in files:
        counts = parameter_count(path)
        if counts is None:
            # Pickles: no cheap header; assume fp32 on disk.
            total += path.stat().st_size * target // 4
            continue
        for kind, n in counts.items():
            total += n * (target if kind.startswith(("F", "BF")) else DTYPE_BYTES.get(kind, 4))
    return total


# -- fingerprints ------------------------------------------------------------------


def model_hash(source: ModelSource, cache_dir: Path | None) -> str:
    """A1111's short model hash: sha256 of a checkpoint file, first 10 hex digits.

    Hashing a 7 GB file takes seconds, so results are cached by path, size and
    modification time. Folders and hub snapshots have no file A1111 would hash:
    they get the hub commit or a fingerprint of their weight files' headers.
    """
    if source.kind == "hub" and source.revision:
        return source.revision[:10]
    if source.path is None:
        return ""
    if source.kind == "folder":
        digest = hashlib.sha256()
        for path in weight_files(source):
            with path.open("rb") as f:
                digest.update(path.name.encode())
                digest.update(f.read(1 << 16))
            digest.update(str(path.stat().st_size).encode())
        return digest.hexdigest()[:10]
    stat = source.path.stat()
    key = f"{source.path}|{stat.st_size}|{stat.st_mtime_ns}"
    store = cache_dir / "model_hashes.json" if cache_dir else None
    known: dict[str, str] = {}
    if store is not None and store.is_file():
        try:
            known = json.loads(store.read_text(encoding="utf-8"))
        except ValueError:
            known = {}
    if key in known:
        return known[key]
    digest = hashlib.sha256()
    with source.path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 24), b""):
            digest.update(block)
    short = digest.hexdigest()[:10]
    if store is not None:
        known[key] = short
        store.parent.mkdir(parents=True, exist_ok=True)
        tmp = store.with_suffix(".tmp")
        tmp.write_text(json.dumps(known), encoding="utf-8")
        os.replace(tmp, store)
    return short
