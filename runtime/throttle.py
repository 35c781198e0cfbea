"""Per-account request rate limiting (a token bucket per account, in this process)."""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimiter:
    """Allows `rate` requests per second per account, in bursts of up to `rate`."""

    def __init__(
        self, rate: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, account: str) -> bool:
        now = self._clock()
        tokens, last = self._buckets.get(account, (self.rate, now))
        tokens = min(self.rate, tokens + (now - last) * self.rate)
        if tokens < 1:
            self._buckets[account] = (tokens, now)
            return False
        self._buckets[account] = (tokens - 1, now)
        return True
