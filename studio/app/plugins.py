"""Plugin discovery: every pack, built-in or third-party, through one guarded path.

pluggy's ``load_setuptools_entrypoints`` stops at the first pack that fails, and
one raising hook implementation aborts the whole hook call. Here each entry point
is loaded, version-checked, registered and asked for its generators inside its
own error handler, so a broken pack is listed with its error and disabled while
everything else works.

A pack is disabled, not the studio, when its import raises (``SystemExit`` from a
``sys.exit()`` included) or takes longer than ``STUDIO_PLUGIN_IMPORT_TIMEOUT_S``
seconds (each entry point is imported on a daemon thread, so a pack that sleeps
or deadlocks at import cannot hang discovery; the thread is left behind); its
registration hooks run under the same limit. A pack that calls ``os._exit()`` or
crashes the interpreter at import cannot be caught in this process; safe mode
(``STUDIO_NO_PLUGINS=1``) starts without it.

Built-in packs are loaded first and win generator-id clashes: a third-party pack
registering an id a built-in one owns (``image.diffusers``) is the one disabled.
A broken pack costs one warning line on the console; its traceback goes to the
debug log only.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy

from studio.api import API_VERSION, GeneratorInfo, PluginError, hookspecs

if TYPE_CHECKING:
    import importlib.metadata as md

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "studio.plugins"
ENV_NO_PLUGINS = "STUDIO_NO_PLUGINS"  # safe mode: built-in packs only
ENV_LOAD_PLUGINS = "STUDIO_LOAD_PLUGINS"  # comma-separated allowlist of pack names
ENV_IMPORT_TIMEOUT = "STUDIO_PLUGIN_IMPORT_TIMEOUT_S"
#: Seconds one pack may take to import before it is disabled (issue #10): long
#: enough for a pack that imports a heavy library at module level on a slow disk.
DEFAULT_IMPORT_TIMEOUT_S = 15.0

#: Distributions that ship with Studio (plugins/ in the source tree). They are
#: discovered like any other pack; this set only decides what safe mode keeps.
BUILTIN_DISTRIBUTIONS = frozenset(
    {"studio-image", "studio-writing", "studio-music", "studio-video"}
)


@dataclass
class PluginRecord:
    """What the host knows about one pack, for ``studio plugins list`` and the GUI."""

    name: str
    dist: str = ""
    version: str = ""
    status: str = "ok"  # ok | error | disabled
    error: str = ""
    builtin: bool = False
    generators: list[str] = field(default_factory=list)
    modalities: list[str] = field(default_factory=list)
    styles: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.name,
            "name": self.name,
            "distribution": self.dist,
            "version": self.version,
            "builtin": self.builtin,
            "status": self.status,
            "error": self.error or None,
            "generators": list(self.generators),
            "modalities": list(self.modalities),
        }


class PluginHost:
    """Owns the pluggy manager and the registry of generators and styles."""

    def __init__(self, disabled: Iterable[str] = ()) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.disabled = set(disabled)
        self.records: dict[str, PluginRecord] = {}
        self.generators: dict[str, GeneratorInfo] = {}
        self.generator_plugin: dict[str, str] = {}
        self.styles: list[dict[str, Any]] = []
        self._rank: dict[str, int] = {}  # pack name -> place in the offered order
        self._spec_names = {
            name for name in dir(hookspecs) if name.startswith("studio_")
        }

    # -- discovery ---------------------------------------------------------

    def discover(self) -> list[PluginRecord]:
        """Load every ``studio.plugins`` entry point, each inside its own error handler."""
        safe_mode = os.environ.get(ENV_NO_PLUGINS, "").strip() not in ("", "0")
        allow_raw = os.environ.get(ENV_LOAD_PLUGINS, "").strip()
        allow = {a.strip() for a in allow_raw.split(",") if a.strip()} if allow_raw else None
        timeout = import_timeout()
        from studio.app.pack_install import extend_sys_path

        extend_sys_path()  # packs installed into the plugins folder (a frozen app's)
        names = _entry_points()
        for ep in names:  # the order generators are offered in stays by pack name
            self._rank.setdefault(ep.name, len(self._rank))
        # Built-in packs are loaded first, so a third-party pack can never take their
        # names or generator ids: the later one of a clash is the one disabled.
        entries = sorted(
            names, key=lambda e: _normalize(_dist_of(e)[0]) not in BUILTIN_DISTRIBUTIONS
        )
        for ep in entries:
            dist_name, version = _dist_of(ep)
            record = PluginRecord(
                name=ep.name,
                dist=dist_name,
                version=version,
                builtin=_normalize(dist_name) in BUILTIN_DISTRIBUTIONS,
            )
            if ep.name in self.records:
                record.status, record.error = "error", (
                    f"another pack already uses the name {ep.name!r} "
                    f"({self.records[ep.name].dist})"
                )
                self.records[f"{ep.name}@{dist_name}"] = record
                continue
            self.records[ep.name] = record
            if safe_mode and not record.builtin:
                record.status, record.error = "disabled", f"safe mode ({ENV_NO_PLUGINS}=1)"
                continue
            if allow is not None and ep.name not in allow:
                record.status, record.error = "disabled", f"not in {ENV_LOAD_PLUGINS}"
                continue
            if ep.name in self.disabled:
                record.status, record.error = "disabled", "disabled in settings"
                continue
            try:
                obj = _load_with_timeout(ep, timeout)
            except _ImportFailed as failed:
                self._fail(record, str(failed))
                log.debug("plugin %s failed to import", ep.name, exc_info=failed.__cause__)
                continue
            self._activate(record, obj)
        for record in self.records.values():
            if record.status == "error":
                log.warning("plugin pack %s is disabled: %s", record.name, record.error)
        return list(self.records.values())

    def register_module(self, obj: ModuleType | object, name: str, dist: str = "") -> PluginRecord:
        """Register an in-process plugin object (tests, scripts) through the same checks."""
        record = PluginRecord(name=name, dist=dist or name, version="")
        self.records[name] = record
        self._rank.setdefault(name, len(self._rank))
        self._activate(record, obj)
        return record

    def unregister(self, name: str) -> None:
        record = self.records.pop(name, None)
        plugin = self.pm.get_plugin(name)
        if plugin is not None:
            self.pm.unregister(plugin)
        if record:
            for gid in record.generators:
                self.generators.pop(gid, None)
                self.generator_plugin.pop(gid, None)

    def _activate(self, record: PluginRecord, obj: object) -> None:
        declared = getattr(obj, "STUDIO_API_VERSION", None)
        if declared is None:
            self._fail(record, "declares no STUDIO_API_VERSION (expected "
                       f"STUDIO_API_VERSION = {API_VERSION})")
            return
        if declared != API_VERSION:
            self._fail(record, f"built for plugin API {declared}, this Studio speaks "
                       f"{API_VERSION}; update the pack")
            return
        typos = [
            n for n in dir(obj)
            if n.startswith("studio_") and callable(getattr(obj, n))
            and n not in self._spec_names
        ]
        if typos:
            self._fail(record, f"implements unknown hooks: {', '.join(sorted(typos))}")
            return
        try:
            self.pm.register(obj, name=record.name)
        except Exception as exc:
            self._fail(record, f"rejected by the plugin manager: {exc}")
            return
        new_generators: list[GeneratorInfo] = []
        new_styles: list[dict[str, Any]] = []
        timeout = import_timeout()

        def register_all() -> None:
            self._call_own(record.name, "studio_register_generators", new_generators.append)
            self._call_own(record.name, "studio_register_styles", new_styles.append)

        try:
            try:
                # Bounded like the import: a hook that hangs disables only its pack.
                _run_limited(register_all, timeout, f"studio-plugin-register-{record.name}")
            except _TimedOut:
                raise PluginError(f"its registration hooks took longer than {timeout:g} s "
                                  f"(the limit is set by {ENV_IMPORT_TIMEOUT})") from None
            except SystemExit as exc:
                raise PluginError(f"called sys.exit({exc.code!r}) in a registration hook") \
                    from exc
            for info in new_generators:
                if not isinstance(info, GeneratorInfo):
                    raise PluginError(f"registered {type(info).__name__}, not a GeneratorInfo")
                if info.id in self.generators or sum(
                    g.id == info.id for g in new_generators
                ) > 1:
                    raise PluginError(self._clash_message(info.id, record))
            for style in new_styles:
                if not isinstance(style, dict) or not style.get("name") or "prompt" not in style:
                    raise PluginError(f"style entries need 'name' and 'prompt', got {style!r}")
        except Exception as exc:
            self.pm.unregister(name=record.name)
            self._fail(record, f"{type(exc).__name__} in registration: {exc}")
            log.debug("plugin %s failed in a registration hook", record.name, exc_info=True)
            return
        for info in new_generators:
            self.generators[info.id] = info
            self.generator_plugin[info.id] = record.name
            record.generators.append(info.id)
            if info.modality not in record.modalities:
                record.modalities.append(info.modality)
        for style in new_styles:
            self.styles.append({**style, "plugin": record.name})
        record.styles = len(new_styles)

    def _clash_message(self, generator_id: str, record: PluginRecord) -> str:
        owner = self.records.get(self.generator_plugin.get(generator_id, ""))
        if owner is None or owner is record:
            return f"registers the generator id {generator_id!r} twice"
        return (f"generator id {generator_id!r} is already registered by {owner.name} "
                f"({_describe_dist(owner)}), not by this pack ({_describe_dist(record)})")

    def _call_own(self, plugin_name: str, hook_name: str, register: Any) -> None:
        """Call one pack's implementation of a hook, so its failure stays its own."""
        caller = getattr(self.pm.hook, hook_name)
        for impl in caller.get_hookimpls():
            if impl.plugin_name == plugin_name:
                kwargs = {"register": register}
                impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})

    @staticmethod
    def _fail(record: PluginRecord, message: str) -> None:
        record.status, record.error = "error", message

    # -- queries -------------------------------------------------------------

    def plugins(self) -> list[PluginRecord]:
        return sorted(self.records.values(), key=lambda r: (not r.builtin, r.name))

    def generator(self, generator_id: str) -> GeneratorInfo:
        try:
            return self.generators[generator_id]
        except KeyError:
            known = ", ".join(sorted(self.generators)) or "none"
            raise PluginError(f"no generator {generator_id!r} (available: {known})") from None

    def generators_for(self, modality: str) -> list[GeneratorInfo]:
        found = [g for g in self.generators.values() if g.modality == modality]
        return sorted(found, key=lambda g: self._rank.get(self.generator_plugin[g.id], 0))

    def plugin_version(self, generator_id: str) -> str:
        record = self.records.get(self.generator_plugin.get(generator_id, ""))
        return record.version if record else ""


def import_timeout() -> float:
    """Seconds one pack may take to import (``STUDIO_PLUGIN_IMPORT_TIMEOUT_S``)."""
    raw = os.environ.get(ENV_IMPORT_TIMEOUT, "").strip()
    try:
        value = float(raw) if raw else DEFAULT_IMPORT_TIMEOUT_S
    except ValueError:
        log.warning("%s=%r is not a number of seconds; using %g", ENV_IMPORT_TIMEOUT, raw,
                    DEFAULT_IMPORT_TIMEOUT_S)
        return DEFAULT_IMPORT_TIMEOUT_S
    return value if value > 0 else DEFAULT_IMPORT_TIMEOUT_S


class _ImportFailed(Exception):
    """An entry point could not be imported; the message is the pack's error line."""


class _TimedOut(Exception):
    pass


def _run_limited(fn: Any, timeout: float, thread_name: str) -> Any:
    """``fn()`` on a daemon thread, given at most ``timeout`` seconds; its exception,
    ``SystemExit`` included, is raised again here.

    A pack that never returns keeps its thread (Python cannot stop it); the thread
    is a daemon, so it does not keep the studio from exiting.
    """
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = fn()
        except BaseException as exc:  # SystemExit from sys.exit() included
            result["exc"] = exc

    thread = threading.Thread(target=target, name=thread_name, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise _TimedOut()
    if "exc" in result:
        raise result["exc"]
    return result["value"]


def _load_with_timeout(ep: md.EntryPoint, timeout: float) -> Any:
    """``ep.load()`` within ``timeout`` seconds, or ``_ImportFailed`` with the pack's line."""
    try:
        return _run_limited(ep.load, timeout, f"studio-plugin-import-{ep.name}")
    except _TimedOut:
        raise _ImportFailed(f"{ep.value} took longer than {timeout:g} s to import "
                            f"(the limit is set by {ENV_IMPORT_TIMEOUT})") from None
    except KeyboardInterrupt:
        raise
    except SystemExit as exc:
        raise _ImportFailed(f"called sys.exit({exc.code!r}) while being imported "
                            f"({ep.value})") from exc
    except BaseException as exc:
        message = f"failed to import {ep.value}: {type(exc).__name__}: {exc}"
        raise _ImportFailed(message.splitlines()[0]) from exc


def load_factory(path: str) -> Any:
    """Import ``"package.module:Attr"`` and return the attribute."""
    module_name, _, attr = path.partition(":")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, attr)
    except Exception as exc:
        raise PluginError(f"cannot import generator {path!r}: {type(exc).__name__}: {exc}") from exc


def _entry_points() -> list[md.EntryPoint]:
    import importlib.metadata as md  # 45 ms: not before the window's first paint

    eps = md.entry_points(group=ENTRY_POINT_GROUP)
    # The same distribution can be visible twice (editable install + build dir).
    seen: set[tuple[str, str]] = set()
    out = []
    for ep in sorted(eps, key=lambda e: e.name):
        key = (ep.name, ep.value)
        if key not in seen:
            seen.add(key)
            out.append(ep)
    return out


def _dist_of(ep: md.EntryPoint) -> tuple[str, str]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return "", ""
    return dist.metadata["Name"] or "", dist.version or ""


def _describe_dist(record: PluginRecord) -> str:
    if not record.dist:
        return "no distribution"
    kind = "built-in " if record.builtin else ""
    return f"{kind}distribution {record.dist}" + (f" {record.version}" if record.version else "")


def _normalize(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")
