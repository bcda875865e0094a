"""Notice-and-takedown: where reported material is hosted, notices sent, re-checks until removed.

A notice to the host stamps ``notice_sent_at``, one to the police ``police_notified_at``, and
forwarding to the hotline of the hosting country sets the report ``forwarded``. Re-checks fetch
the reported address (through the SSRF-safe fetcher) until it is gone; the first check that finds
it gone stamps ``removed_at``, which gives the time to removal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from hashwarden.hotline.fetching import FetchFailed, FetchRefused, SafeFetcher
from hashwarden.hotline.interfaces import ReportStore
from hashwarden.hotline.items import ItemStore
from hashwarden.hotline.models import Report, ReportStatus
from hashwarden.hotline.services import ReportError

#: Answers that mean the material is gone from the address.
GONE = frozenset({404, 410, 451})


class NoticeKind(StrEnum):
    HOST = "host"
    POLICE = "police"
    HOTLINE = "hotline"


@dataclass(frozen=True, slots=True)
class Hosting:
    country: str
    provider: str


@dataclass(frozen=True, slots=True)
class Notice:
    kind: NoticeKind
    recipient: str
    note: str
    at: datetime
    by: str


class TakedownStore(Protocol):
    def set_hosting(self, reference: str, hosting: Hosting) -> None: ...
    def hosting(self, reference: str) -> Hosting | None: ...
    def add_notice(self, reference: str, notice: Notice) -> None: ...
    def notices(self, reference: str) -> list[Notice]: ...


def _now() -> datetime:
    return datetime.now(UTC)


class TakedownService:
    def __init__(
        self,
        store: TakedownStore,
        reports: ReportStore,
        items: ItemStore,
        fetcher: SafeFetcher,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.store = store
        self.reports = reports
        self.items = items
        self.fetcher = fetcher
        self.clock = clock

    def set_hosting(self, reference: str, country: str, provider: str) -> None:
        code = country.strip().upper()
        if len(code) != 2 or not code.isalpha():
            raise ReportError("country", "invalid")
        if not provider.strip() or len(provider) > 200:
            raise ReportError("provider", "required")
        self._report(reference)
        self.store.set_hosting(reference, Hosting(code, provider.strip()))

    def send_notice(
        self, reference: str, kind: NoticeKind, recipient: str, note: str, by: str
    ) -> Report:
        if not recipient.strip() or len(recipient) > 200 or len(note) > 5000:
            raise ReportError("recipient", "required")
        self._report(reference)
        now = self.clock()
        self.store.add_notice(reference, Notice(NoticeKind(kind), recipient.strip(),
                                                note.strip(), now, by))  # fmt: skip
        if kind is NoticeKind.HOST:
            return self.reports.mark(reference, "notice_sent_at", now)
        if kind is NoticeKind.POLICE:
            return self.reports.mark(reference, "police_notified_at", now)
        return self.reports.set_status(reference, ReportStatus.FORWARDED, now)

    def recheck(self, reference: str) -> bool:
        """Fetch the reported address again; True (and ``removed_at``) once it is gone."""
        report = self._report(reference)
        if report.timeline.removed_at is not None:
            return True
        now = self.clock()
        try:
            gone = self.fetcher.fetch(report.form.url).status in GONE
        except FetchFailed:
            # Unreachable is not proof of removal (a host may be down for an hour): not gone.
            gone = False
        self.reports.mark(reference, "last_checked_at", now)
        if gone:
            self.reports.mark(reference, "removed_at", now)
            self.reports.set_status(reference, ReportStatus.TAKEN_DOWN, now)
        return gone

    def recheck_due(self) -> dict[str, bool]:
        """Re-check every report whose host was notified and whose material is not gone yet."""
        results: dict[str, bool] = {}
        for report in self.reports.awaiting_removal():
            try:
                results[report.reference] = self.recheck(report.reference)
            except (FetchRefused, ReportError):
                results[report.reference] = False
        return results

    def export(self, reference: str) -> dict[str, Any]:
        """The report as a partner hotline receives it: no reporter contact, no media."""
        report = self._report(reference)
        hosting = self.store.hosting(reference)
        form = report.form
        timeline = report.timeline
        return {
            "format": "hashwarden-report/1",
            "reference": report.reference,
            "kind": form.kind.value,
            "url": form.url,
            "details": {name: getattr(form, name) for name in (
                "content_type", "site_type", "country", "place", "when", "description",
            ) if getattr(form, name)},
            "status": report.status.value,
            "hosting": {"country": hosting.country, "provider": hosting.provider}
            if hosting else None,
            "timeline": {name: value.isoformat() for name, value in (
                ("received_at", timeline.received_at), ("assessed_at", timeline.assessed_at),
                ("notice_sent_at", timeline.notice_sent_at),
                ("removed_at", timeline.removed_at),
            ) if value is not None},
            "items": [
                {"signals": {k: v for k, v in item.signals.items() if k != "pdq_quality"},
                 "state": item.state.value,
                 "classification": item.classification or item.matched}
                for item in self.items.items(reference)
            ],
        }

    def _report(self, reference: str) -> Report:
        report = self.reports.get(reference)
        if report is None:
            raise ReportError("reference", "unknown")
        if report.deleted_at is not None:  # a tombstone has no address and takes no notices
            raise ReportError("reference", "deleted")
        return report
