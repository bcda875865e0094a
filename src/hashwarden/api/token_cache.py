"""Recently authenticated tokens, so the match path needs no database round trip per request.

A token stays cached for ``ttl`` seconds after its lookup; revocation and expiry therefore take
effect within ``ttl`` on every worker (at once on the worker that revoked it). Only valid tokens
are cached: an unknown secret is looked up every time.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

from hashwarden.accounts.models import Principal

#: Entries kept at most; the oldest go first when it is reached.
MAX_ENTRIES = 10_000


class TokenCache:
    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        # Keyed by a digest, so no secret stays in memory longer than its request.
        self._entries: dict[str, tuple[Principal, float]] = {}

    @staticmethod
    def _key(secret: str) -> str:
        return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, secret: str) -> Principal | None:
        if self.ttl <= 0:
            return None
        key = self._key(secret)
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            principal, until = found
            if self._clock() >= until:
                del self._entries[key]
                return None
            return principal

    def put(self, secret: str, principal: Principal) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                del self._entries[next(iter(self._entries))]
            self._entries[self._key(secret)] = (principal, self._clock() + self.ttl)

    def forget(self, token_id: int) -> None:
        """Drop a token at once (it was revoked through this worker)."""
        with self._lock:
            for key in [k for k, (p, _) in self._entries.items() if p.token_id == token_id]:
                del self._entries[key]
