"""The figures of the console's dashboard, computed from reports and triaged items."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hashwarden.hotline.models import Report, ReportKind, ReportStatus

OPEN = frozenset({ReportStatus.NEW, ReportStatus.IN_ASSESSMENT})


@dataclass(frozen=True, slots=True)
class Dashboard:
    days: list[str]
    #: Report kind -> reports received per day (aligned with ``days``).
    per_day: dict[str, list[float]]
    #: Hours each open report has waited.
    queue_hours: list[float]
    #: Hours from receipt to removal, for reports whose material was removed.
    removal_hours: list[float]
    removal_median: float | None
    #: Items triage found known versus new (to assess or assessed).
    known_vs_new: dict[str, float]


def dashboard(
    reports: list[Report], item_counts: dict[str, int], now: datetime, days: int = 30
) -> Dashboard:
    first = (now - timedelta(days=days - 1)).date()
    dates = [first + timedelta(days=n) for n in range(days)]
    index = {day: n for n, day in enumerate(dates)}
    per_day = {kind.value: [0.0] * days for kind in ReportKind}
    queue_hours: list[float] = []
    removal_hours: list[float] = []
    for report in reports:
        received = report.timeline.received_at
        slot = index.get(received.date()) if isinstance(received, datetime) else None
        if slot is not None:
            per_day[report.form.kind.value][slot] += 1
        if report.status in OPEN:
            queue_hours.append(max(0.0, (now - received).total_seconds() / 3600))
        removed = report.timeline.removed_at
        if removed is not None:
            removal_hours.append(max(0.0, (removed - received).total_seconds() / 3600))
    known = float(item_counts.get("known", 0))
    new = float(item_counts.get("unknown", 0) + item_counts.get("assessed", 0))
    return Dashboard(
        days=[_label(day) for day in dates],
        per_day=per_day,
        queue_hours=queue_hours,
        removal_hours=removal_hours,
        removal_median=statistics.median(removal_hours) if removal_hours else None,
        known_vs_new={"known": known, "new": new} if known or new else {},
    )


def _label(day: date) -> str:
    return day.isoformat()
