"""User settings: a small JSON file in the data folder, written atomically.

Fault point (tests/faults): ``settings.write_atomic.before_rename``, reached by
every atomic write (library files, thumbnails, settings, exports).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from studio.app.faults import fault_point

log = logging.getLogger(__name__)


@dataclass
class Settings:
    disabled_plugins: list[str] = field(default_factory=list)
    device: str = "auto"  # auto | cpu | cuda | cuda:N | mps
    dtype: str = "auto"  # auto | float32 | float16 | bfloat16
    allow_pickle: bool = False  # load .ckpt/.pt/.bin weights (runs code from the file)
    memory_budget_gb: float | None = None  # None: derive from the device
    default_generators: dict[str, str] = field(default_factory=dict)  # modality -> generator id
    default_models: dict[str, str] = field(default_factory=dict)  # generator id -> model ref
    model_dirs: list[str] = field(default_factory=list)
    engine_backend: str = "auto"  # auto | thread | process
    recording: bool = True  # history recording (pause/resume)
    half_life_days: float = 14.0  # recency decay of the profile
    # Model-written prompt expansions in the suggestions: each costs a text generation,
    # so off unless asked for (docs/suggestions.md).
    suggest_expansions: bool = False

    @classmethod
    def load(cls, path: Path) -> Settings:
        if not path.exists():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            # Keep the broken file for the user to inspect; never overwrite it silently.
            backup = path.with_suffix(".broken.json")
            os.replace(path, backup)
            log.warning("settings file was unreadable (%s); moved to %s", exc, backup)
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self, path: Path) -> None:
        write_atomic(path, json.dumps(asdict(self), indent=2).encode("utf-8"))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        fault_point("settings.write_atomic.before_rename")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
