"""The exposure clock: stored decisions under the console's actor name, open reveals, windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

from hashwarden.hotline.items import ItemStore
from hashwarden.web.console.exposure import MAX_REVEAL, ExposureClock

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


class Decisions:
    """Only what the clock reads of an item store: (assessed_by, assessed_at, seconds)."""

    def __init__(self, *rows: tuple[str, datetime, int]) -> None:
        self.rows = rows

    def exposure_since(self, by: str, since: datetime) -> int:
        return sum(seconds for who, at, seconds in self.rows if who == by and at >= since)


def _clock(*rows: tuple[str, datetime, int], now: list[datetime] | None = None) -> ExposureClock:
    moment = now or [NOW]
    return ExposureClock(cast(ItemStore, Decisions(*rows)), 60, clock=lambda: moment[0])


def test_decisions_count_under_the_console_actor_name() -> None:
    clock = _clock(
        ("staff:ana", NOW - timedelta(hours=1), 600),
        ("staff:ana", NOW.replace(hour=0) - timedelta(seconds=1), 900),  # yesterday
        ("staff:bo", NOW, 300),
        ("ana", NOW, 1200),  # not a console decision
    )
    assert clock.today("ana") == timedelta(seconds=600)
    assert clock.today("bo") == timedelta(seconds=300)


def test_the_window_reaches_back_whole_days() -> None:
    midnight = NOW.replace(hour=0)
    clock = _clock(
        ("staff:ana", NOW, 60),
        ("staff:ana", midnight - timedelta(days=6), 120),  # first moment of the window
        ("staff:ana", midnight - timedelta(days=6, seconds=1), 240),  # just before it
    )
    assert clock.last_days("ana", 1) == timedelta(seconds=60)
    assert clock.last_days("ana", 7) == timedelta(seconds=180)


def test_open_reveals_count_at_most_max_reveal() -> None:
    now = [NOW]
    clock = _clock(("staff:ana", NOW, 60), now=now)
    clock.reveal("ana", 1)
    now[0] = NOW + timedelta(hours=2)
    assert clock.today("ana") == timedelta(seconds=60) + MAX_REVEAL
    assert clock.last_days("ana", 7) == timedelta(seconds=60) + MAX_REVEAL
    assert clock.close("ana", 1) == int(MAX_REVEAL.total_seconds())
    assert clock.today("ana") == timedelta(seconds=60)
