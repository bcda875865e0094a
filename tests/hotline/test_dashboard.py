"""Dashboard figures from reports and triaged items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hashwarden.hotline.dashboard import dashboard
from hashwarden.hotline.models import Report, ReportForm, ReportKind, ReportStatus, Timeline

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _report(kind: ReportKind, received: datetime, status: ReportStatus,
            removed: datetime | None = None) -> Report:  # fmt: skip
    return Report(0, "R-0000-0000", ReportForm(kind), status,
                  Timeline(received_at=received, removed_at=removed))  # fmt: skip


def test_figures() -> None:
    reports = [
        _report(ReportKind.CSAM, NOW - timedelta(hours=5), ReportStatus.NEW),
        _report(ReportKind.CSAM, NOW - timedelta(days=1, hours=1), ReportStatus.IN_ASSESSMENT),
        _report(ReportKind.TRAVEL, NOW - timedelta(hours=2), ReportStatus.CLOSED),
        _report(ReportKind.CSAM, NOW - timedelta(days=3), ReportStatus.TAKEN_DOWN,
                removed=NOW - timedelta(days=1)),
        _report(ReportKind.CSAM, NOW - timedelta(days=60), ReportStatus.TAKEN_DOWN,
                removed=NOW - timedelta(days=59)),
    ]  # fmt: skip
    figures = dashboard(reports, {"known": 6, "unknown": 1, "assessed": 3}, NOW, days=30)
    assert len(figures.days) == 30 and figures.days[-1] == "2026-11-29"
    assert figures.per_day["csam"][-1] == 1 and figures.per_day["csam"][-2] == 1
    assert figures.per_day["travel"][-1] == 1 and sum(figures.per_day["grooming"]) == 0
    assert sorted(round(h) for h in figures.queue_hours) == [5, 25]
    assert sorted(figures.removal_hours) == [24.0, 48.0]
    assert figures.removal_median == 36.0
    assert figures.known_vs_new == {"known": 6.0, "new": 4.0}
    empty = dashboard([], {}, NOW)
    assert empty.removal_median is None and empty.known_vs_new == {}
