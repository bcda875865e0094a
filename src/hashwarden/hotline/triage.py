"""Automatic triage: fetch a reported address, hash what is there, set known material aside.

Items that match a block list are classified from the list entry and never shown to anyone; only
the rest waits for an analyst, and its bytes are kept only until the analyst has decided.
Assessing an illegal item adds its hashes to a list through the list service, so the change
reaches every subscriber.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hashwarden.core.errors import MediaError
from hashwarden.core.lists.models import Category, EntryData, Signal
from hashwarden.core.lists.services import ListService
from hashwarden.core.matching.models import MatchOutcome
from hashwarden.core.media.hashing import hash_media
from hashwarden.core.media.limits import DecodeLimits
from hashwarden.core.media.models import MediaHashes
from hashwarden.core.robust.levels import RobustLevel
from hashwarden.hotline.fetching import FetchError, SafeFetcher
from hashwarden.hotline.interfaces import ReportStore
from hashwarden.hotline.items import Item, ItemState, ItemStore, NewItem
from hashwarden.hotline.models import ReportStatus
from hashwarden.hotline.schemes import Scheme
from hashwarden.hotline.services import ReportError

Match = Callable[[MediaHashes], MatchOutcome]


@dataclass(slots=True)
class TriageSummary:
    fetched: int = 0
    known: int = 0
    unknown: int = 0
    #: (address, why) for what could not be fetched or hashed.
    failed: list[tuple[str, str]] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


class TriageService:
    def __init__(
        self,
        fetcher: SafeFetcher,
        match: Match,
        items: ItemStore,
        reports: ReportStore,
        limits: DecodeLimits | None = None,
        clock: Callable[[], datetime] = _now,
        robust: RobustLevel = RobustLevel.STANDARD,
    ) -> None:
        self.fetcher = fetcher
        self.match = match
        self.items = items
        self.reports = reports
        self.limits = limits or DecodeLimits(max_file_bytes=fetcher.policy.max_bytes)
        self.clock = clock
        self.robust = robust

    def triage(self, reference: str) -> TriageSummary:
        report = self.reports.get(reference)
        if report is None:
            raise ReportError("reference", "unknown")
        if not report.form.url:
            raise ReportError("url", "required")
        summary = TriageSummary()
        found: list[NewItem] = []
        for address, content in self._media(report.form.url, summary):
            try:
                hashes = hash_media(
                    content, name=address, limits=self.limits, robust=self.robust
                )
            except MediaError as exc:
                summary.failed.append((address, exc.reason))
                continue
            found.append(self._item(address, hashes, content))
        summary.fetched = len(found)
        summary.known = sum(item.state is ItemState.KNOWN for item in found)
        summary.unknown = summary.fetched - summary.known
        self.items.add_items(reference, found, self.clock())
        if summary.unknown:
            self.reports.set_status(reference, ReportStatus.IN_ASSESSMENT)
        elif summary.known:
            # Everything there is known material: the assessment is already made.
            self.reports.set_status(reference, ReportStatus.ILLEGAL)
            self.reports.mark(reference, "assessed_at", self.clock())
        return summary

    def _media(self, url: str, summary: TriageSummary) -> list[tuple[str, bytes]]:
        """The address itself when it is media, else the media its page shows."""
        try:
            first = self.fetcher.fetch(url)
        except FetchError as exc:
            summary.failed.append((url, str(exc)))
            return []
        if not first.content_type.startswith(("text/html", "application/xhtml")):
            return [(first.url, first.content)]
        try:
            page = self.fetcher.fetch_page(url)
        except FetchError as exc:
            summary.failed.append((url, str(exc)))
            return []
        media: list[tuple[str, bytes]] = []
        for address in page.images:
            try:
                media.append((address, self.fetcher.fetch(address).content))
            except FetchError as exc:
                summary.failed.append((address, str(exc)))
        return media

    def _item(self, address: str, hashes: MediaHashes, content: bytes) -> NewItem:
        signals: dict[str, Any] = {"md5": hashes.md5, "sha1": hashes.sha1, "sha256": hashes.sha256}
        if hashes.pdq is not None:
            signals.update(pdq=hashes.pdq.hex, pdq_quality=hashes.pdq.quality)
        outcome = self.match(hashes)
        if outcome.hits:
            best = outcome.hits[0]
            matched = {
                "list": best.list_name, "entry_id": best.entry_id, "category": best.category,
                "signal_type": best.signal_type, "distance": best.distance,
            }  # fmt: skip
            return NewItem(address, hashes.media_type, hashes.size, signals, ItemState.KNOWN,
                           matched)  # fmt: skip
        return NewItem(address, hashes.media_type, hashes.size, signals, ItemState.UNKNOWN,
                       content=content)  # fmt: skip


class AssessmentService:
    """An analyst's decision on an unknown item: classified, listed if illegal, bytes deleted."""

    def __init__(
        self, items: ItemStore, lists: ListService, clock: Callable[[], datetime] = _now
    ) -> None:
        self.items = items
        self.lists = lists
        self.clock = clock

    def assess(
        self, item_id: int, scheme: Scheme, answers: dict[str, str], *, by: str,
        list_name: str = "", exposure_seconds: int = 0,
    ) -> Item:  # fmt: skip
        item = self.items.item(item_id)
        if item is None or item.state is not ItemState.UNKNOWN:
            raise ReportError("item", "unknown")
        checked = scheme.check(answers)
        illegal = scheme.is_illegal(checked)
        if illegal and not list_name:
            raise ReportError("list", "required")
        classification: dict[str, Any] = {
            "scheme": scheme.name, "answers": checked, "illegal": illegal,
            "list": list_name if illegal else "",
        }  # fmt: skip
        if illegal:
            kinds = [kind for kind in ("md5", "sha1", "sha256", "pdq") if item.signals.get(kind)]
            signals = [Signal(kind, str(item.signals[kind])) for kind in kinds]
            entry = EntryData(
                tuple(signals), Category(scheme.name, scheme.value(checked)), source="hotline",
                external_id=item.reference, added_by=by,
            )  # fmt: skip
            summary = self.lists.add_entries(list_name, [entry], actor=by)
            classification["list_sequence"] = summary.sequence
        return self.items.assess(item_id, classification, by, self.clock(), exposure_seconds)
