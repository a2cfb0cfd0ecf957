"""User settings: a small JSON file in the data folder, written atomically.

A settings file edited by hand can hold anything. ``Settings.load`` checks every
field against its declared type and rules (nothing is coerced): a bad field is
reported in one line naming the key and what it takes, the file is kept aside
once (``settings.broken.json``), and that field alone falls back to its default.

Fault points (tests/faults): ``settings.repair.after_backup`` (the bad file is kept
aside, the repaired one not yet written) and ``write_atomic.before_rename`` (the
temp file is complete and synced, the final name not yet replaced).
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from studio.api import StudioError
from studio.app.faults import fault_point
from studio.app.paths import private_dir

log = logging.getLogger(__name__)


class SettingError(StudioError, ValueError):
    """A setting has a value of the wrong type or outside what it accepts."""


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
    # Continue and rewrite carry the user's closest kept passages (issue #18).
    writing_voice: bool = True
    # The window's suggestions sidebar; off means no ranking work at all (issue #13).
    suggestions_sidebar: bool = True
    # Where music plays (a name, or part of one, as sounddevice lists them); None:
    # the system's default output (issue #11).
    audio_output_device: str | None = None
    # The window's colours and language (issue #14); "system" follows the desktop.
    theme: str = "system"  # system | light | dark
    language: str = "system"  # system | en | zh_CN
    # Where jobs run (issue #17, docs/ray.md): this machine's devices, or a Ray cluster.
    backend: str = "local"  # local | ray
    # Local devices that get a worker process each: "all" (every CUDA device; one slot
    # on a machine without) or a comma-separated list such as "cuda:0,cuda:2".
    devices: str = "all"
    ray_address: str = ""  # "" (a local Ray started on demand) | auto | ray://host:port
    ray_cpu_slots: int = 0  # CPU actors to use on a cluster without GPUs
    ray_retries: int = 1  # times a job lost with its actor or node is run again

    @classmethod
    def load(cls, path: Path) -> Settings:
        """Read ``path``; bad content is reported and kept aside, never raised."""
        path = Path(path)
        try:
            if not path.exists():
                return cls()
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:
            # Keep the broken file for the user to inspect; never overwrite it silently.
            backup = _keep_aside(path, move=True)
            log.warning("settings file %s is unreadable (%s); using the defaults%s",
                        path, _one_line(exc), _kept(backup))
            return cls()
        if not isinstance(raw, dict):
            backup = _keep_aside(path, move=True)
            log.warning("settings file %s must hold a JSON object, not %s; using the "
                        "defaults%s", path, _json_type(raw), _kept(backup))
            return cls()
        good: dict[str, Any] = {}
        bad: list[str] = []
        known = {f.name for f in fields(cls)}
        for key, value in raw.items():
            if key not in known:
                continue  # written by a newer Studio, or a removed setting
            try:
                good[key] = check_setting(key, value)
            except SettingError as exc:
                bad.append(f"{exc}")
        if bad:
            backup = _keep_aside(path, move=False)
            fault_point("settings.repair.after_backup")
            if backup is not None:
                # The bad values are kept in the backup; the file itself is rewritten
                # without them so the next start does not report them again.
                repaired = {k: v for k, v in raw.items() if k not in known or k in good}
                try:
                    write_atomic(path, json.dumps(repaired, indent=2).encode("utf-8"))
                except (OSError, ValueError, RecursionError) as exc:
                    log.debug("settings file not repaired: %s", exc)
            log.warning("settings file %s: %s; using the default for %s%s", path,
                        "; ".join(bad), "it" if len(bad) == 1 else "them", _kept(backup))
        return cls(**good)

    def save(self, path: Path) -> None:
        write_atomic(path, json.dumps(asdict(self), indent=2).encode("utf-8"))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- what each setting accepts --------------------------------------------------------

_DEVICE = re.compile(r"auto|cpu|mps|cuda|cuda:[0-9]{1,3}")

#: Settings whose text must be one of a few words.
CHOICES: dict[str, tuple[str, ...]] = {
    "dtype": ("auto", "float32", "float16", "bfloat16"),
    "engine_backend": ("auto", "thread", "process"),
    "theme": ("system", "light", "dark"),
    "language": ("system", "en", "zh_CN"),
    "backend": ("local", "ray"),
}

#: Settings that scripts may also give as environment variables (they win over the file).
ENV_SETTINGS = {
    "backend": "STUDIO_BACKEND",
    "ray_address": "STUDIO_RAY_ADDRESS",
    "ray_cpu_slots": "STUDIO_RAY_CPU_SLOTS",
}

#: Text settings that may also be null ("null" on the command line).
NULLABLE_TEXT = ("audio_output_device",)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_str_map(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_positive(value: Any) -> bool:
    # A bool is an int in Python: true is not a number of days. An int too large for
    # a float (JSON allows any length) is no usable number either.
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value) and value > 0 and math.isfinite(float(value))
    except OverflowError:
        return False


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1024


def _is_devices(value: Any) -> bool:
    return isinstance(value, str) and (value == "all" or all(
        re.fullmatch(r"cpu|cuda:[0-9]{1,3}", v.strip()) for v in value.split(",")))


def _is_ray_address(value: Any) -> bool:
    return isinstance(value, str) and (
        value in ("", "auto") or bool(re.fullmatch(r"(ray://)?[\w.\-\[\]:]+:\d{1,5}", value)))


def _is_device(value: Any) -> bool:
    return isinstance(value, str) and bool(_DEVICE.fullmatch(value))


def _one_of(allowed: tuple[str, ...]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, str) and value in allowed


#: setting -> (what it takes, in words; its check). Explicit rather than read off
#: the annotations, so each rule (finite, positive, a device name) sits with its type.
RULES: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "disabled_plugins": ("a list of strings", _is_str_list),
    "device": ("auto, cpu, cuda, cuda:N or mps", _is_device),
    "dtype": ("one of " + ", ".join(CHOICES["dtype"]), _one_of(CHOICES["dtype"])),
    "allow_pickle": ("true or false", _is_bool),
    "memory_budget_gb": ("a positive number or null",
                         lambda v: v is None or _is_positive(v)),
    "default_generators": ("an object of strings", _is_str_map),
    "default_models": ("an object of strings", _is_str_map),
    "model_dirs": ("a list of strings", _is_str_list),
    "engine_backend": ("one of " + ", ".join(CHOICES["engine_backend"]),
                       _one_of(CHOICES["engine_backend"])),
    "recording": ("true or false", _is_bool),
    "half_life_days": ("a positive number", _is_positive),
    "suggest_expansions": ("true or false", _is_bool),
    "writing_voice": ("true or false", _is_bool),
    "suggestions_sidebar": ("true or false", _is_bool),
    "audio_output_device": ("a device name or null",
                            lambda v: v is None or (isinstance(v, str) and bool(v.strip()))),
    "theme": ("one of " + ", ".join(CHOICES["theme"]), _one_of(CHOICES["theme"])),
    "language": ("one of " + ", ".join(CHOICES["language"]), _one_of(CHOICES["language"])),
    "backend": ("one of " + ", ".join(CHOICES["backend"]), _one_of(CHOICES["backend"])),
    "devices": ("all, or devices separated by commas such as cuda:0,cuda:1", _is_devices),
    "ray_address": ("empty (a local Ray), auto or ray://host:port", _is_ray_address),
    "ray_cpu_slots": ("a whole number from 0 to 1024", _is_count),
    "ray_retries": ("a whole number from 0 to 1024", _is_count),
}


def check_setting(key: str, value: Any) -> Any:
    """Return ``value`` if setting ``key`` accepts it, else raise ``SettingError``.

    Nothing is converted, except an integer where a number is asked for (JSON does
    not tell 14 from 14.0).
    """
    if key not in RULES:
        raise SettingError(f"unknown setting {key!r} (settings: {', '.join(sorted(RULES))})")
    description, ok = RULES[key]
    if not ok(value):
        raise SettingError(f"{key} must be {description}; got {_show(value)}")
    if isinstance(value, int) and not isinstance(value, bool) and ok is not _is_count:
        return float(value)
    return value


def apply_environment(settings: Settings, environ: Any = None) -> Settings:
    """``settings`` with the ``ENV_SETTINGS`` variables that are set applied (not saved).

    A bad value raises ``SettingError`` naming the variable.
    """
    env = os.environ if environ is None else environ
    for key, var in ENV_SETTINGS.items():
        text = env.get(var)
        if text is None or (text == "" and key != "ray_address"):
            continue
        value: Any = text.strip()
        if isinstance(getattr(settings, key), int):
            try:
                value = int(value)
            except ValueError:
                raise SettingError(f"{var} must be {RULES[key][0]}; got {text[:60]!r}") from None
        try:
            setattr(settings, key, check_setting(key, value))
        except SettingError as exc:
            raise SettingError(f"{var}: {exc}") from None
    return settings


def _show(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=True)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_type(value: Any) -> str:
    names = {list: "a list", str: "a string", bool: "true/false", int: "a number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())[:200]


def _kept(backup: Path | None) -> str:
    return f" (the file was kept as {backup})" if backup is not None else ""


def _keep_aside(path: Path, move: bool) -> Path | None:
    """Move or copy ``path`` to ``settings.broken.json`` unless that copy already exists.

    Returns the backup's path, or None if it could not be made (read-only folder):
    then the file is left as it is, so nothing is lost.
    """
    try:
        data = path.read_bytes() if path.is_file() else None
    except OSError:
        data = None
    if data is None:
        return None  # not a readable file: left where it is, nothing to copy
    n = 0
    while True:
        backup = path.with_name(f"{path.stem}.broken{'' if n == 0 else f'-{n}'}.json")
        try:
            if not backup.exists():
                break
            if backup.is_file() and backup.read_bytes() == data:
                # Already kept (a previous run): keep it once, not once per start.
                if move:
                    path.unlink()
                return backup
        except OSError:
            return None
        n += 1
    try:
        if move:
            os.replace(path, backup)
        else:
            write_atomic(backup, data)
    except OSError:
        return None
    return backup


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same folder and a rename.

    The file is private (mkstemp makes it 0600, whatever the umask); folders it
    creates are 0700.
    """
    private_dir(path.parent)
    replace_file(path, data)


def replace_file(path: Path, data: bytes, mode: int | None = None) -> None:
    """Put ``data`` at ``path`` through a synced temp file beside it and a rename, so a
    reader sees the old file or the new one, never a part. The file is 0600 (mkstemp)
    unless ``mode`` is given; the folder must exist and is left as it is."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None and os.name == "posix":
            os.chmod(tmp, mode)
        fault_point("write_atomic.before_rename")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
