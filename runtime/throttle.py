"""Per-account request rate limiting (a token bucket per account, in this process)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """Allows `rate` requests per second per account on average, in bursts of up to
    `max(rate, 1)` requests.

    A fractional rate works: at 0.5 an account may send one request every two seconds
    (the bucket holds one whole token at least). Buckets exist only for accounts that
    signed a request, so their number is bounded by the accounts the server knows. Safe
    for several threads.
    """

    def __init__(
        self, rate: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if not rate > 0:
            raise ValueError(
                "the rate must be a positive number of requests per second"
            )
        self.rate = rate
        self.burst = max(rate, 1.0)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, account: str) -> bool:
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(account, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[account] = (tokens, now)
                return False
            self._buckets[account] = (tokens - 1, now)
            return True
