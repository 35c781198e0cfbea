"""`runtime.lru.WeightedLRU`: bounded by entries and by weight, least recently used out
first, safe across threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from runtime.lru import WeightedLRU


def test_lru_bounded_by_entries_least_recently_used_first() -> None:
    cache: WeightedLRU[str, int] = WeightedLRU(max_entries=2, max_weight=100)
    cache.put("a", 1, 1)
    cache.put("b", 2, 1)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3, 1)
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c"), len(cache)) == (1, 3, 2)


def test_lru_bounded_by_weight() -> None:
    cache: WeightedLRU[str, str] = WeightedLRU(max_entries=10, max_weight=10)
    cache.put("a", "x", 4)
    cache.put("b", "y", 4)
    cache.put("c", "z", 4)
    assert cache.get("a") is None and cache.weight == 8
    cache.put("b", "y2", 2)
    assert cache.get("b") == "y2" and cache.weight == 6


def test_lru_keeps_nothing_heavier_than_the_budget() -> None:
    cache: WeightedLRU[str, str] = WeightedLRU(max_entries=10, max_weight=10)
    cache.put("a", "x", 5)
    cache.put("huge", "y", 11)
    assert cache.get("huge") is None and cache.get("a") == "x"


def test_lru_threads() -> None:
    cache: WeightedLRU[int, int] = WeightedLRU(max_entries=50, max_weight=10_000)

    def work(start: int) -> None:
        for n in range(start, start + 2000):
            cache.put(n % 97, n, n % 7)
            cache.get((n * 31) % 97)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(0, 16000, 2000)))
    assert len(cache) <= 50
    assert cache.weight == sum(
        value % 7 for key in range(97) if (value := cache.get(key)) is not None
    )
