"""Finding music models and reading what they declare, without loading any weights.

A reference is a local folder or a Hugging Face repo id already in the cache. The
family that serves it comes from the files the model ships (``config.json``'s
``model_type``/``architectures``, ``model_index.json``'s ``_class_name``), never
from its name. Pickle-only folders are refused here, before anything is read, unless
the load plan allows pickles (the checks before queueing cannot see that setting, so
they pass ``allow_pickle=True`` and leave the judgement to the load).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from studio.api import LoadPlan, ModelError, RequestError
from studio.api.weights import element_counts

PICKLE_SUFFIXES = (".ckpt", ".pt", ".pth", ".bin", ".pkl")
#: Bytes per element once loaded under a plan's dtype (floats) or as stored (ints).
DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "F64": 8, "I64": 8, "I32": 4,
               "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}
#: Headroom for activations, the key/value cache and the codec on top of the weights.
ACTIVATION_FACTOR = 1.3
#: config.json model types and the family serving them.
CONFIG_FAMILIES = {"musicgen": "musicgen", "musicgen_melody": "musicgen_melody"}
#: model_index.json pipeline classes and the family serving them.
PIPELINE_FAMILIES = {"StableAudioPipeline": "stable_audio", "AceStepPipeline": "acestep"}
FAMILY_NAMES = {"musicgen": "MusicGen", "musicgen_melody": "MusicGen-Melody",
                "stable_audio": "Stable Audio", "acestep": "ACE-Step"}
#: The generator serving each family (None: no generator in this pack yet).
FAMILY_GENERATORS = {"musicgen": "music.musicgen", "musicgen_melody": "music.musicgen",
                     "stable_audio": "music.stable_audio", "acestep": "music.acestep"}
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


@dataclass(frozen=True)
class ModelSource:
    """A located model: ``path`` is its folder (None for a hub id not downloaded yet)."""

    ref: str
    kind: str  # "folder" | "hub"
    path: Path | None
    revision: str = ""

    @property
    def name(self) -> str:
        if self.kind == "hub" or self.path is None:
            return self.ref
        return self.path.name


def locate(ref: str, allow_pickle: bool = False) -> ModelSource:
    """Resolve ``ref``; refuse a folder whose weights exist only as pickles."""
    if not ref:
        raise ModelError("no model chosen: pass --model (a hub id or a model folder)")
    path = Path(ref).expanduser()
    if path.is_file():
        raise ModelError(f"{path} is a single file; music models are folders "
                         "(config.json or model_index.json with their weights)")
    if path.is_dir():
        _check_weights(path, allow_pickle)
        return ModelSource(ref, "folder", path.resolve())
    if _HUB_ID.match(ref) and not ref.startswith((".", "/", "~")):
        snapshot, revision = cached_snapshot(ref)
        if snapshot is not None:
            _check_weights(snapshot, allow_pickle)
        return ModelSource(ref, "hub", snapshot, revision)
    raise ModelError(f"model {ref!r} is neither a folder nor a Hugging Face repo id "
                     "(owner/name)")


def cached_snapshot(repo_id: str) -> tuple[Path | None, str]:
    """The cached snapshot folder of ``repo_id`` and its commit, without network."""
    from huggingface_hub import constants

    repo_dir = Path(constants.HF_HUB_CACHE) / f"models--{repo_id.replace('/', '--')}"
    ref_file = repo_dir / "refs" / "main"
    if ref_file.is_file():
        commit = ref_file.read_text(encoding="utf-8").strip()
        snap = repo_dir / "snapshots" / commit
        if _declares_something(snap):
            return snap, commit
    snaps = sorted((p for p in (repo_dir / "snapshots").glob("*") if _declares_something(p)),
                   key=lambda p: p.stat().st_mtime, reverse=True) \
        if (repo_dir / "snapshots").is_dir() else []
    if snaps:
        return snaps[0], snaps[0].name
    return None, ""


def _declares_something(folder: Path) -> bool:
    return (folder / "config.json").is_file() or (folder / "model_index.json").is_file()


def weight_files(folder: Path) -> list[Path]:
    """The safetensors weights of a folder and its component subfolders."""
    found = sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*/*.safetensors"))
    # Prefer plain files over variants (model.fp16.safetensors), as the loaders do.
    plain = [p for p in found if len(p.name.split(".")) == 2]
    return plain or found


def _check_weights(folder: Path, allow_pickle: bool) -> None:
    if not _declares_something(folder):
        raise ModelError(f"{folder} is not a model folder (no config.json or "
                         "model_index.json)")
    if allow_pickle or weight_files(folder):
        return
    pickles = [p for p in list(folder.iterdir()) + list(folder.glob("*/*"))
               if p.suffix.lower() in PICKLE_SUFFIXES]
    if pickles:
        raise ModelError(
            f"{folder.name} holds only pickle weights ({pickles[0].name}), which can run code "
            "when loaded; use a .safetensors version, or turn on allow_pickle in the settings "
            "if you trust where it came from")


def declared_family(source: ModelSource) -> str:
    """The family the model folder declares; ``ModelError`` when it is none we serve."""
    if source.path is None:
        raise ModelError(
            f"model {source.ref!r} is not downloaded yet: run 'studio models download "
            f"{source.ref}', then generate again")
    folder = source.path
    index = _read_json(folder / "model_index.json")
    if index is not None:
        name = str(index.get("_class_name", ""))
        if name in PIPELINE_FAMILIES:
            return PIPELINE_FAMILIES[name]
        raise ModelError(f"{source.name} is a {name or 'diffusers'} model, not a music "
                         "model this pack serves")
    config = _read_json(folder / "config.json") or {}
    model_type = str(config.get("model_type", ""))
    if model_type in CONFIG_FAMILIES:
        return CONFIG_FAMILIES[model_type]
    for arch in config.get("architectures") or ():
        if str(arch).startswith("MusicgenMelody"):
            return "musicgen_melody"
        if str(arch).startswith("Musicgen"):
            return "musicgen"
    raise ModelError(f"{source.name} declares model type {model_type or 'none'!r}; the music "
                     "pack serves MusicGen, MusicGen-Melody, Stable Audio and ACE-Step models")


def _family_of(model: str) -> str | None:
    try:
        return declared_family(locate(model))
    except ModelError:
        return None


# The host asks these (GeneratorInfo.serves) which generator runs a model the user
# named without a generator; each reads only the model's own config files.
def serves_musicgen(model: str) -> bool:
    return _family_of(model) in ("musicgen", "musicgen_melody")


def serves_stable_audio(model: str) -> bool:
    return _family_of(model) == "stable_audio"


def serves_acestep(model: str) -> bool:
    return _family_of(model) == "acestep"


def checked_source(ref: str, family: str, generator_id: str) -> ModelSource | None:
    """The downloaded model ``ref`` if it declares ``family``; None when it is not
    downloaded yet (the load says how to get it). Refuses another family naming the
    generator that runs it. Pickles are judged later, under the load plan."""
    try:
        source = locate(ref, allow_pickle=True)
    except ModelError:
        if Path(ref).expanduser().exists():
            raise
        return None
    if source.path is None:
        return None
    found = declared_family(source)
    if found != family:
        raise RequestError(f"{source.name} is a {FAMILY_NAMES[found]} model; {generator_id} "
                           f"runs {FAMILY_NAMES[family]} models" + generator_hint(found))
    return source


def generator_hint(family: str) -> str:
    """"; use --generator X" for a family this pack serves with another generator."""
    gid = FAMILY_GENERATORS.get(family)
    if gid is None:
        return f" (this pack has no {FAMILY_NAMES.get(family, family)} generator yet)"
    return f"; use --generator {gid}"


def _read_json(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ModelError(f"{path} is not a JSON object")
    return data


def audio_channels(source: ModelSource) -> int:
    """1 for mono checkpoints, 2 for the stereo ones (from the decoder's config)."""
    config = _read_json(source.path / "config.json") if source.path else None
    decoder = (config or {}).get("decoder") or {}
    return int(decoder.get("audio_channels", 1) or 1)


def estimate_bytes(ref: str, plan: LoadPlan) -> int | None:
    """Weight bytes under ``plan`` from the safetensors headers; None when not on disk."""
    try:
        source = locate(ref, plan.allow_pickle)
    except ModelError:
        return None
    if source.path is None:
        return None
    files = weight_files(source.path)
    if not files:
        return None
    target = DTYPE_BYTES.get(plan.dtype, 4)
    total = 0
    for path in files:
        for kind, n in element_counts(path).items():
            total += n * (target if kind.startswith(("F", "BF")) else DTYPE_BYTES.get(kind, 4))
    return int(total * ACTIVATION_FACTOR)


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}
