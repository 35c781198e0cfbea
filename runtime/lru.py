"""A least-recently-used cache bounded by entries and by total weight, safe across the
worker threads that run handlers at once.

For values that are a pure function of their key (a result computed from exactly what
the key holds), so that an entry can never be stale: the cache only saves recomputing.
The weight is the caller's measure of what an entry keeps alive (e.g. characters of the
key's strings and of the value); an entry heavier than the whole budget is not kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

__all__ = ["WeightedLRU"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class WeightedLRU(Generic[K, V]):
    """At most `max_entries` entries weighing at most `max_weight` together; the least
    recently used go first."""

    def __init__(self, max_entries: int, max_weight: int) -> None:
        self._max_entries = max_entries
        self._max_weight = max_weight
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value stored for `key` (now the most recently used), None if none is."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V, weight: int) -> None:
        """Store `value` for `key`, evicting the least recently used entries until both
        bounds hold; nothing is stored when `weight` alone exceeds the budget."""
        if weight > self._max_weight:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._weight -= previous[1]
            self._entries[key] = (value, weight)
            self._weight += weight
            while (
                len(self._entries) > self._max_entries
                or self._weight > self._max_weight
            ):
                _, (_, dropped) = self._entries.popitem(last=False)
                self._weight -= dropped

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    @property
    def weight(self) -> int:
        """The total weight of the entries kept now."""
        with self._lock:
            return self._weight
