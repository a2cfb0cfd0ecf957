"""The composition root: one object that wires settings, plugins, library and engine.

The CLI and the GUI both build a ``Studio``; nothing else constructs services, so
there is exactly one path from a request to a stored artifact.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from studio.app.paths import data_dir
from studio.app.plugins import PluginHost
from studio.app.settings import Settings


class Studio:
    def __init__(self, root: Path | None = None, backend: str | None = None) -> None:
        self.root = Path(root) if root else data_dir()
        self.root.mkdir(parents=True, exist_ok=True)
        self.settings = Settings.load(self.settings_path)
        self._backend_kind = backend or self.settings.engine_backend

    @property
    def settings_path(self) -> Path:
        return self.root / "settings.json"

    def save_settings(self) -> None:
        self.settings.save(self.settings_path)

    @cached_property
    def plugins(self) -> PluginHost:
        host = PluginHost(disabled=self.settings.disabled_plugins)
        host.discover()
        return host

    def record(self, kind: str, **fields: Any) -> None:
        """Append a user action to the history. Replaced by the event log when it exists."""

    @cached_property
    def library(self):  # type: ignore[no-untyped-def]
        from studio.app.library import Library

        return Library(self.root, recorder=self.record)

    @cached_property
    def engine(self):  # type: ignore[no-untyped-def]
        from studio.app.engine import Engine

        return Engine(
            self.plugins, self.library, self._make_backend(), self.settings,
            store=self.root / "queue.sqlite" if self._backend_kind == "process" else None,
            recorder=self.record,
        )

    def _make_backend(self):  # type: ignore[no-untyped-def]
        if self._backend_kind == "process":
            from studio.app.worker_process import ProcessBackend

            return ProcessBackend(self.root, self.settings)
        from studio.app.backends import ThreadBackend
        from studio.app.runner import Runner

        return ThreadBackend(Runner(self.plugins, self.settings, cache_dir=self.root / "cache"))

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.shutdown()
        if "library" in self.__dict__:
            self.library.close()
