"""Loaded models kept within a memory budget, least recently used evicted first."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    value: Any
    size: int
    unload: Callable[[Any], None]


class ModelCache:
    """An LRU of loaded models whose estimated sizes stay within ``budget_bytes``.

    Eviction calls the generator's ``unload`` and then ``on_evict`` (which frees
    the device allocator's cache), so evicted memory really goes back.
    """

    def __init__(
        self,
        budget_bytes: int | None = None,
        on_evict: Callable[[], None] | None = None,
    ) -> None:
        self.budget_bytes = budget_bytes
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._lock = threading.RLock()
        self._on_evict = on_evict
        self.hits = 0
        self.misses = 0

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def used_bytes(self) -> int:
        return sum(e.size for e in self._entries.values())

    def keys(self) -> list[Hashable]:
        return list(self._entries)

    def get(
        self,
        key: Hashable,
        load: Callable[[], Any],
        size: int | None = None,
        unload: Callable[[Any], None] = lambda _v: None,
    ) -> Any:
        """Return the cached value for ``key``, loading it (and evicting others) if needed."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry.value
            self.misses += 1
            need = size or 0
            if self.budget_bytes is not None:
                while self._entries and self.used_bytes + need > self.budget_bytes:
                    self._evict_oldest()
            value = load()
            self._entries[key] = _Entry(value, need, unload)
            return value

    def evict(self, key: Hashable) -> bool:
        with self._lock:
            entry = self._entries.pop(key, None)
            if entry is None:
                return False
            self._release(key, entry)
            return True

    def clear(self) -> None:
        with self._lock:
            while self._entries:
                self._evict_oldest()

    def _evict_oldest(self) -> None:
        key, entry = self._entries.popitem(last=False)
        self._release(key, entry)

    def _release(self, key: Hashable, entry: _Entry) -> None:
        log.info("evicting model %s (%.1f MB)", key, entry.size / 1e6)
        try:
            entry.unload(entry.value)
        except Exception:
            log.warning("unload of %s failed", key, exc_info=True)
        entry.value = None
        if self._on_evict is not None:
            self._on_evict()
