"""How long each analyst has had material revealed today, and the daily limit.

A reveal starts when an analyst opens an item beyond its blurred first step and ends with their
decision; the seconds are stored with the decision. Open reveals are held in memory (a restart
forgets them, counting the analyst's time short rather than long).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hashwarden.hotline.items import ItemStore

#: One reveal counts for at most this long (an item left open over lunch is not an hour).
MAX_REVEAL = timedelta(minutes=30)


def _now() -> datetime:
    return datetime.now(UTC)


class ExposureClock:
    def __init__(
        self, items: ItemStore, limit_minutes: float, clock: Callable[[], datetime] = _now
    ) -> None:
        self.items = items
        self.limit = timedelta(minutes=limit_minutes)
        self.clock = clock
        self._open: dict[tuple[str, int], datetime] = {}
        self._lock = threading.Lock()

    def reveal(self, analyst: str, item_id: int) -> None:
        with self._lock:
            self._open.setdefault((analyst, item_id), self.clock())

    def close(self, analyst: str, item_id: int) -> int:
        """Seconds of the reveal that the analyst's decision ends (0 if never revealed)."""
        with self._lock:
            started = self._open.pop((analyst, item_id), None)
        if started is None:
            return 0
        return int(min(self.clock() - started, MAX_REVEAL).total_seconds())

    def today(self, analyst: str) -> timedelta:
        return self.last_days(analyst, 1)

    def last_days(self, analyst: str, days: int) -> timedelta:
        """Exposure from midnight (UTC) ``days - 1`` days ago until now, open reveals included."""
        now = self.clock()
        since = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days - 1)
        # Decisions are stored under the console's actor name, not the bare username.
        stored = timedelta(seconds=self.items.exposure_since(f"staff:{analyst}", since))
        with self._lock:
            running = [now - start for (who, _), start in self._open.items() if who == analyst]
        return stored + sum((min(r, MAX_REVEAL) for r in running), timedelta())

    def over_limit(self, analyst: str) -> bool:
        return self.today(analyst) >= self.limit
