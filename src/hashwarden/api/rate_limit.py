"""Per-token request rate limits (token buckets, per worker process).

Each worker keeps its own buckets, so with N workers a token may reach up to N times the rate
when its requests spread evenly; set the limit with that in mind. Buckets of tokens not seen for
a while are dropped, so memory stays bounded by the number of active tokens.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

#: Buckets idle this long (seconds) are forgotten.
IDLE_SECONDS = 600.0


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """``rate`` requests per second sustained, up to ``burst`` at once; rate 0 disables."""
        self.rate = rate
        self.burst = max(burst, 1.0)
        self._clock = clock
        self._buckets: dict[int, _Bucket] = {}
        self._lock = threading.Lock()
        self._last_sweep = clock()

    def acquire(self, key: int) -> float:
        """Take one request for ``key``; returns 0 when allowed, else seconds until it would be."""
        if self.rate <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            self._sweep(now)
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < IDLE_SECONDS:
            return
        self._last_sweep = now
        stale = [key for key, b in self._buckets.items() if now - b.updated > IDLE_SECONDS]
        for key in stale:
            del self._buckets[key]


def retry_after_header(wait: float) -> str:
    return str(max(1, math.ceil(wait)))
