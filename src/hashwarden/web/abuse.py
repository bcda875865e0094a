"""Abuse limits for the public forms without keeping anyone's address.

Submissions are counted per client in memory only, under a keyed hash of the address whose key
is random, never written anywhere and replaced every day: yesterday's counts cannot be tied to an
address even by someone holding this process's memory today. Nothing is logged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable

#: Seconds a key lives; counts go with it.
KEY_LIFETIME = 24 * 3600.0


class SubmissionLimiter:
    """At most ``per_hour`` submissions per client per hour (a token bucket per hashed client)."""

    def __init__(
        self, per_hour: float = 20.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_hour = per_hour
        self._clock = clock
        self._lock = threading.Lock()
        self._key = secrets.token_bytes(32)
        self._key_born = clock()
        self._buckets: dict[bytes, tuple[float, float]] = {}

    def allow(self, client: str) -> bool:
        now = self._clock()
        with self._lock:
            if now - self._key_born > KEY_LIFETIME:
                self._key, self._key_born, self._buckets = secrets.token_bytes(32), now, {}
            slot = hmac.new(self._key, client.encode(), hashlib.sha256).digest()[:16]
            tokens, last = self._buckets.get(slot, (self.per_hour, now))
            tokens = min(self.per_hour, tokens + (now - last) * self.per_hour / 3600.0)
            if tokens < 1.0:
                self._buckets[slot] = (tokens, now)
                return False
            self._buckets[slot] = (tokens - 1.0, now)
            if len(self._buckets) > 100_000:  # a flood of distinct clients: forget the full ones
                self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self.per_hour}
            return True
