"""Personal LoRAs: files trained from the user's library, kept in ``<data>/models/loras/``.

Each ``NAME.safetensors`` has a card ``NAME.json``: the source artifact ids, steps,
rank, base model, date, losses, and ``stale`` once one of its images was forgotten.
They are derived from the user's data, so ``profile forget`` deletes them. The
``loras`` parameter names them by NAME (``loras=my-style:0.8``): resolved here, in the
app, since packs cannot know the data folder.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from studio.api import GenerationRequest, Output, RequestError
from studio.api.loras import parse_loras
from studio.app.settings import write_atomic

log = logging.getLogger(__name__)

LORA_SUFFIX = ".safetensors"
CARD_SUFFIX = ".json"
#: A name is a file stem: letters, digits, dot, dash and underscore, no path.
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def loras_dir(root: Path) -> Path:
    return Path(root) / "models" / "loras"


def train_dir(root: Path) -> Path:
    """Where trainings keep their checkpoints (one folder per training key)."""
    return Path(root) / "cache" / "train"


def check_name(name: str) -> str:
    if not NAME_RE.match(name or "") or name.endswith(LORA_SUFFIX):
        raise RequestError(f"LoRA name {name!r} must be 1-64 letters, digits, '.', '-' or '_' "
                           "(no folder, no extension)")
    return name


def lora_path(root: Path, name: str) -> Path:
    return loras_dir(root) / f"{check_name(name)}{LORA_SUFFIX}"


def store_lora(root: Path, output: Output, request: GenerationRequest) -> Path:
    """Write a trained LoRA and its card (atomically, LoRA first) and drop its checkpoints."""
    meta = dict(output.metadata)
    name = check_name(str(meta.get("name") or ""))
    if not isinstance(output.data, (bytes, bytearray)) or not output.data:
        raise RequestError("the training returned no LoRA file")
    path = lora_path(root, name)
    card = {
        "name": name,
        "file": path.name,
        "base_model": meta.get("base_model") or request.model,
        "family": meta.get("family", ""),
        "model_hash": meta.get("model_hash", ""),
        "sources": list(meta.get("sources") or []),
        "images": int(meta.get("images") or len(meta.get("sources") or [])),
        "steps": meta.get("steps"),
        "rank": meta.get("rank"),
        "learning_rate": meta.get("learning_rate"),
        "resolution": meta.get("resolution"),
        "initial_loss": meta.get("initial_loss"),
        "final_loss": meta.get("final_loss"),
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "stale": False,
        "request": request.to_dict(),
    }
    write_atomic(path, bytes(output.data))
    _write_card(path.with_suffix(CARD_SUFFIX), card)
    key = meta.get("key")
    if isinstance(key, str) and re.fullmatch(r"[0-9a-f]{8,64}", key):
        shutil.rmtree(train_dir(root) / key, ignore_errors=True)
    return path


def _write_card(path: Path, card: Mapping[str, Any]) -> None:
    write_atomic(path, json.dumps(card, ensure_ascii=False, indent=1).encode("utf-8"))


def read_card(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def list_loras(root: Path) -> list[dict[str, Any]]:
    """Every personal LoRA with its card (a file without a readable card is still listed)."""
    folder = loras_dir(root)
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob(f"*{LORA_SUFFIX}")):
        card = read_card(path.with_suffix(CARD_SUFFIX)) or {"name": path.stem, "card": False}
        card["path"] = str(path)
        card.setdefault("name", path.stem)
        out.append(card)
    return out


def resolve_names(text: str, root: Path) -> str:
    """``"my-style:0.8;/x/y.safetensors"`` with a bare NAME of a personal LoRA replaced by
    its file's path; paths are left for the pack's own checks, a bare name that is
    neither a file nor a personal LoRA is refused."""
    if not text.strip():
        return text
    parts = []
    changed = False
    for path, weight in parse_loras(text):
        raw = str(path)
        if not path.is_file() and NAME_RE.match(raw) and not raw.endswith(LORA_SUFFIX):
            candidate = loras_dir(root) / f"{raw}{LORA_SUFFIX}"
            if not candidate.is_file():
                raise RequestError(f"LoRA {raw!r} is neither a file nor one of your personal "
                                   "LoRAs (`studio models list` shows them)")
            path, changed = candidate, True
        parts.append(f"{path}:{weight:g}")
    return ";".join(parts) if changed else text


def mark_stale(root: Path, item: str) -> list[str]:
    """Flag the LoRAs trained on artifact ``item`` as stale; returns their names."""
    return _mark(root, lambda sources: [item] if item in sources else [])


def mark_unrecorded(root: Path, recorded: set[str]) -> list[str]:
    """Flag the LoRAs trained on an image whose making the history no longer holds
    (``forget --term`` erased it) as stale; returns their names."""
    return _mark(root, lambda sources: [s for s in sources if s not in recorded])


def _mark(root: Path, forgotten: Any) -> list[str]:
    names = []
    for card in list_loras(root):
        gone = forgotten(list(card.get("sources") or []))
        if gone and not card.get("stale"):
            path = Path(card.pop("path")).with_suffix(CARD_SUFFIX)
            card["stale"] = True
            card["stale_because"] = f"training image {gone[0]} was forgotten"
            _write_card(path, card)
            names.append(str(card["name"]))
    return names


def forget_all(root: Path) -> int:
    """Delete every personal LoRA, its card and the trainings' checkpoints; returns how
    many LoRAs went."""
    n = 0
    folder = loras_dir(root)
    if folder.is_dir():
        for path in folder.iterdir():
            if path.suffix in (LORA_SUFFIX, CARD_SUFFIX) or path.name.startswith("."):
                n += path.suffix == LORA_SUFFIX
                path.unlink(missing_ok=True)
    shutil.rmtree(train_dir(root), ignore_errors=True)
    return n


def for_family(root: Path, family: str = "", model: str = "") -> list[dict[str, Any]]:
    """Fresh personal LoRAs trained on ``model`` or on a model of ``family``."""
    return [c for c in list_loras(root) if not c.get("stale")
            and ((family and c.get("family") == family)
                 or (model and c.get("base_model") == model))]
