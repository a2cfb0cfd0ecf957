from studio.app.model_cache import ModelCache


def test_lru_eviction_within_budget_calls_unload_and_free():
    unloaded, freed = [], []
    cache = ModelCache(budget_bytes=100, on_evict=lambda: freed.append(1))
    cache.get("a", lambda: "A", size=60, unload=unloaded.append)
    cache.get("b", lambda: "B", size=30, unload=unloaded.append)
    cache.get("a", lambda: "A2", size=60)  # hit: "a" becomes most recent
    cache.get("c", lambda: "C", size=50, unload=unloaded.append)
    assert unloaded == ["B", "A"] or unloaded == ["B"]
    assert "c" in cache and cache.used_bytes <= 100
    assert cache.hits == 1 and cache.misses == 3 and freed


def test_clear_unloads_everything():
    unloaded = []
    cache = ModelCache()
    cache.get("a", lambda: 1, unload=unloaded.append)
    cache.get("b", lambda: 2, unload=unloaded.append)
    cache.clear()
    assert unloaded == [1, 2] and len(cache) == 0
