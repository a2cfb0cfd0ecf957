"""Training a personal image LoRA from the user's library: which images, which captions,
and the job that trains it (docs/personalize.md).

Only images whose making is in the history qualify: something generated or imported
in incognito or while recording was paused has no ``generate`` event, and the choice
that selects an image (favourite, keep, rating) must be in the history too. Captions
are each image's own prompt, editable. Nothing here imports torch: the training runs
as an engine job (``image.train``), whose result the engine stores as
``<data>/models/loras/NAME.safetensors``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.api import GenerationRequest, RequestError
from studio.app.personal_loras import check_name, train_dir
from studio.app.settings import write_atomic

TRAINER = "image.train"
IMAGE_GENERATOR = "image.diffusers"
#: The trainer refuses fewer (studio_image.train_data.MIN_IMAGES); said here first.
MIN_IMAGES = 8
SOURCES = ("favourites", "kept", "rated>=4")
#: The undo of which action takes an image out of each source.
_UNDONE = {"favourites": "favourite", "kept": "keep", "rated>=4": "rate"}
DEFAULT_NAME = "my-style"


@dataclass(frozen=True)
class TrainingItem:
    id: str
    path: str
    caption: str


@dataclass(frozen=True)
class Selection:
    items: list[TrainingItem]
    #: Chosen but made (or chosen) while nothing was recorded: left out.
    unrecorded: int = 0


def select_items(studio: Any, source: str | Iterable[str] = "favourites") -> Selection:
    """The library images ``source`` names ("favourites", "kept", "rated>=4" or ids)."""
    history = list(studio.history.events())
    recorded = {a for ev in history if ev.type == "generate"
                for a in (ev.get("artifacts") or []) if isinstance(a, str)}
    if isinstance(source, str) and source in SOURCES:
        chosen = _chosen_by(history, source)
    elif isinstance(source, str):
        raise RequestError(f"--from must be one of {', '.join(SOURCES)} or artifact ids, "
                           f"got {source!r}")
    else:
        chosen = list(dict.fromkeys(source))
    library = studio.library
    items, unrecorded = [], 0
    for art_id in chosen:
        try:
            art = library.get(art_id)
        except RequestError:
            if not isinstance(source, str):
                raise
            continue  # chosen once, deleted from the library since
        if art.trashed is not None or art.kind != "image":
            if not isinstance(source, str):
                raise RequestError(f"{art_id} is not an image in the library")
            continue
        if art_id not in recorded:
            unrecorded += 1
            continue
        if source == "favourites" and not art.favourite:
            continue
        if source == "rated>=4" and (art.rating or 0) < 4:
            continue
        if not Path(art.path).is_file():
            continue
        items.append(TrainingItem(art.id, str(art.path), art.prompt))
    return Selection(items, unrecorded)


def _chosen_by(history: list[Any], source: str) -> list[str]:
    """Artifact ids whose latest recorded choice puts them in ``source``, oldest first."""
    state: dict[str, bool] = {}
    for ev in history:
        target = ev.get("target")
        if not isinstance(target, str):
            continue
        if source == "favourites" and ev.type in ("favourite", "unfavourite"):
            state[target] = ev.type == "favourite"
        elif source == "kept" and ev.type == "keep":
            state[target] = True
        elif source == "rated>=4" and ev.type == "rate":
            value = ev.get("value")
            state[target] = isinstance(value, int) and value >= 4
        elif ev.type == "undo" and ev.get("action") == _UNDONE.get(source):
            state[target] = False
    return [t for t, on in state.items() if on]


def read_captions(path: Path) -> dict[str, str]:
    """A JSONL file of ``{"id": ..., "caption": ...}`` lines; a bad line is named."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise RequestError(f"captions file {str(path)!r} cannot be read: {exc}") from None
    out: dict[str, str] = {}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RequestError(f"{path}:{n}: not JSON ({exc.msg})") from None
        if (not isinstance(row, dict) or not isinstance(row.get("id"), str)
                or not isinstance(row.get("caption"), str)):
            raise RequestError(f"{path}:{n}: each line needs a text \"id\" and \"caption\"")
        out[row["id"]] = row["caption"]
    return out


def with_captions(items: list[TrainingItem], captions: Mapping[str, str]) -> list[TrainingItem]:
    """``items`` with the given captions; an id that is not being trained is refused."""
    known = {i.id for i in items}
    unknown = [k for k in captions if k not in known]
    if unknown:
        raise RequestError(f"captions given for {unknown[0]}, which is not among the "
                           f"{len(items)} training images")
    return [TrainingItem(i.id, i.path, captions.get(i.id, i.caption)) for i in items]


def check_count(n: int, source: str = "") -> None:
    if n < MIN_IMAGES:
        hint = f" ({source})" if source else ""
        raise RequestError(f"training a LoRA needs at least {MIN_IMAGES} images, "
                           f"you have {n}{hint}")


def base_model(studio: Any, model: str = "") -> str:
    """The image model the LoRA is trained on: the given one, else the image default."""
    if model:
        return model
    chosen = studio.settings.default_models.get(IMAGE_GENERATOR)
    if chosen:
        return chosen
    return studio.plugins.generator(IMAGE_GENERATOR).default_model


def training_key(model: str, params: Mapping[str, Any], items: list[TrainingItem]) -> str:
    """Names one training: the same images, captions, model and settings, the same key
    (a rerun resumes), anything else a new one."""
    blob = json.dumps({"model": model, "params": dict(params),
                       "items": [[i.id, i.path, i.caption] for i in items]}, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def write_manifest(root: Path, name: str, key: str, items: list[TrainingItem]) -> Path:
    """The job's input: written under ``<data>/cache/train/<key>/`` (atomically)."""
    folder = train_dir(root) / key
    path = folder / "manifest.json"
    data = {"name": name, "key": key, "checkpoint_dir": str(folder),
            "items": [{"id": i.id, "path": i.path, "caption": i.caption} for i in items]}
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
    return path


def training_request(studio: Any, items: list[TrainingItem], name: str = DEFAULT_NAME,
                     steps: int | None = None, rank: int | None = None,
                     learning_rate: float | None = None, resolution: int | None = None,
                     model: str = "", source: str = "") -> GenerationRequest:
    """Check everything, write the manifest, and return the request to submit."""
    check_name(name)
    check_count(len(items), source)
    params = {k: v for k, v in (("steps", steps), ("rank", rank),
                                ("learning_rate", learning_rate), ("resolution", resolution))
              if v is not None}
    # Bad values are refused by the trainer's schema before the manifest is written.
    params = studio.plugins.generator(TRAINER).params.resolve(params, "train_lora")
    model = base_model(studio, model)
    key = training_key(model, params, items)
    manifest = write_manifest(studio.root, name, key, items)
    return GenerationRequest(modality="image", generator=TRAINER, task="train_lora",
                             model=model, params=params, seed=int(key[:8], 16),
                             inputs={"manifest": str(manifest)})


def has_checkpoint(request: GenerationRequest) -> bool:
    """Whether this training stopped part-way before (its rerun resumes)."""
    return (Path(request.inputs["manifest"]).parent / "state.pt").is_file()
