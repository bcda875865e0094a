"""Pull an NCMEC hash-sharing feed (``GET /v2/entries?from=&to=``) into a local hash list.

The time from the checkpoint (or ``since``) to ``until`` is pulled in windows ``[from, to)``.
A window is paged through by its ``<paging><next>`` links and all its pages are fetched first;
then each page goes through the NCMEC XML reader into one ``ListService.import_records`` call
(one transaction per page), keeping only the newest state of every entry (``ncmec_order``).

NCMEC's pages are not in time order, so a partly read window says nothing about which times are
done: the checkpoint (``pull_checkpoints``, ``{"to": ..., "url": ...}``) moves to a window's end
only once its last page is applied. A pull that stops (network, server errors after the retries,
a bad page, the database) leaves the checkpoint where it was, and the next run pulls that window
again from its first page. Applying a page again is harmless: its records merge with the live
entries that share a signal (nothing is added twice) and a deletion of an entry already gone
changes nothing.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hashwarden.core.errors import ConfigError, ImportFormatError
from hashwarden.core.lists.models import Entry
from hashwarden.core.lists.services import ListService
from hashwarden.remote_pull.ncmec_client import NcmecClient, PullError, format_time
from hashwarden.remote_pull.ncmec_order import PagePlan
from hashwarden.remote_pull.ncmec_window import FetchedWindow, fetch_window, plan_fetched_page
from hashwarden.storage.checkpoint_store import MAX_NAME, SqlCheckpointStore

#: Where a list's first pull starts: NCMEC's whole history (empty years cost one request each).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Entries can become visible a little after their timestamp; windows end this far before now.
SETTLE = timedelta(seconds=60)
#: Window length; it doubles over empty stretches (old years) up to ``MAX_STEP``.
STEP = timedelta(days=30)
MAX_STEP = timedelta(days=365)
#: Skipped-entry reasons kept for the summary (the count is always complete).
MAX_REASONS = 20


@dataclass(frozen=True, slots=True)
class PullProgress:
    """Sent after every page: the window being pulled and the totals so far."""

    start: datetime
    end: datetime
    window_start: datetime
    window_end: datetime
    #: ``fetching`` the window's pages, or ``applying`` them to the list.
    phase: str
    windows: int
    pages: int
    entries: int
    deletions: int


@dataclass
class PullSummary:
    list_name: str
    url: str
    start: datetime
    end: datetime
    windows: int = 0
    pages: int = 0
    #: Entry and deletion records applied (after dropping superseded states).
    entries: int = 0
    deletions: int = 0
    added: int = 0
    merged: int = 0
    unchanged: int = 0
    removed: int = 0
    superseded: int = 0
    foreign_deletions: int = 0
    skipped: int = 0
    skipped_reasons: list[str] = field(default_factory=list)
    #: Everything before this time has been pulled (the saved checkpoint after the run).
    checkpoint: datetime | None = None
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "list": self.list_name,
            "url": self.url,
            "from": format_time(self.start),
            "to": format_time(self.end),
            "windows": self.windows,
            "pages": self.pages,
            "entries": self.entries,
            "deletions": self.deletions,
            "added": self.added,
            "merged": self.merged,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "superseded": self.superseded,
            "foreign_deletions": self.foreign_deletions,
            "skipped": self.skipped,
            "skipped_reasons": self.skipped_reasons,
            "checkpoint": format_time(self.checkpoint) if self.checkpoint else None,
            "note": self.note,
        }


def checkpoint_name(list_name: str) -> str:
    """The ``pull_checkpoints`` key of a list's NCMEC pull (hashed when the name is too long)."""
    name = f"ncmec:{list_name}"
    if len(name) <= MAX_NAME:
        return name
    return f"ncmec:{list_name[:60]}~{hashlib.sha256(list_name.encode()).hexdigest()[:32]}"


class NcmecPull:
    """One list's pull from one NCMEC endpoint; ``run`` pulls up to now (or ``until``)."""

    def __init__(
        self,
        lists: ListService,
        checkpoints: SqlCheckpointStore,
        client: NcmecClient,
        list_name: str,
        *,
        actor: str = "ncmec-pull",
        step: timedelta = STEP,
        progress: Callable[[PullProgress], None] | None = None,
        spool_dir: Path | None = None,
    ) -> None:
        if step <= timedelta(0):
            raise ConfigError("the window step must be positive")
        self.lists, self.checkpoints, self.client = lists, checkpoints, client
        self.list_name, self.actor, self.step = list_name, actor, step
        self.progress = progress
        #: Where a window's pages wait to be applied (default: the system's temporary folder).
        self.spool_dir = spool_dir
        self.name = checkpoint_name(list_name)

    def saved_state(self) -> dict[str, Any] | None:
        return self.checkpoints.get(self.name)

    def run(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        now: datetime | None = None,
    ) -> PullSummary:
        """Pull ``[since or checkpoint, until or now - SETTLE)``; ``PullError`` if it stops."""
        self.lists.get_list(self.list_name)  # a missing list fails before any request
        now = _whole(now or datetime.now(UTC))
        url = self.client.base_url
        saved = self.saved_state()
        mark = self._mark(saved, url, since)
        if until is not None and _whole(until) > now:
            raise ConfigError(
                "the end time (--until) is in the future; entries could still "
                "arrive before it and would be missed"
            )
        start = _whole(since) if since is not None else (mark or EPOCH)
        end = _whole(until) if until is not None else now - SETTLE
        summary = PullSummary(self.list_name, url, start, end, checkpoint=mark)
        if start >= end:
            if since is not None or until is not None:
                raise ConfigError(
                    f"nothing to pull: {format_time(start)} is not before {format_time(end)}"
                )
            summary.note = "up to date"
            return summary
        expected, step, window_start = saved, self.step, start
        while window_start < end:
            window_end = min(end, window_start + step)
            found = self._pull_window(window_start, window_end, summary)
            summary.windows += 1
            expected = self._advance(expected, mark, window_start, window_end, summary)
            mark = summary.checkpoint
            # Empty windows (the years before a feed began) cost a request each: widen them.
            step = min(MAX_STEP, step * 2) if not found else self.step
            window_start = window_end
        return summary

    def _mark(
        self, saved: dict[str, Any] | None, url: str, since: datetime | None
    ) -> datetime | None:
        """The saved checkpoint time for this URL; a clear error when it cannot be used."""
        if saved is None:
            return None
        if saved.get("url") != url:
            if since is None:
                raise ConfigError(
                    f"the pull checkpoint of list {self.list_name!r} is for another URL "
                    f"({saved.get('url')}); give a start time (--since) to pull from {url}"
                )
            return None
        mark = _saved_to(saved)
        if mark is None and since is None:
            raise ConfigError(
                f"the pull checkpoint of list {self.list_name!r} is unreadable; "
                "give a start time (--since)"
            )
        return mark

    def _advance(
        self,
        expected: dict[str, Any] | None,
        mark: datetime | None,
        window_start: datetime,
        window_end: datetime,
        summary: PullSummary,
    ) -> dict[str, Any] | None:
        """Move the checkpoint to ``window_end`` unless that would skip a gap or go back."""
        if mark is not None and window_start > mark:
            summary.note = (
                f"checkpoint kept at {format_time(mark)}: this run started after it, "
                "so the time between was not pulled"
            )
            return expected
        if mark is not None and window_end <= mark:
            return expected
        state = {"to": format_time(window_end), "url": self.client.base_url}
        self.checkpoints.save(self.name, state, expected=expected)
        summary.checkpoint = window_end
        return state

    def _pull_window(self, start: datetime, end: datetime, summary: PullSummary) -> int:
        """Fetch every page of ``[start, end)``, then apply them; return the entries found."""

        def fetched(window: FetchedWindow) -> None:
            summary.pages += 1
            self._report(summary, window, "fetching")

        with tempfile.TemporaryDirectory(prefix="ncmec-pull-", dir=self.spool_dir) as folder:
            window = fetch_window(self.client, start, end, Path(folder), fetched)
            for number in range(1, window.pages + 1):
                plan = plan_fetched_page(window, number, self.lists.signals, self._find_live)
                self._apply(plan, window.label(number), summary)
                self._report(summary, window, "applying")
        return window.entries

    def _apply(self, plan: PagePlan, label: str, summary: PullSummary) -> None:
        if plan.records:
            try:
                result = self.lists.import_records(
                    self.list_name, plan.records, actor=self.actor, source_name=label
                )
            except ImportFormatError as exc:  # its lines can quote hash values: not shown
                raise PullError(f"{label}: the list refused {exc.total} entries") from None
            summary.added += result.added
            summary.merged += result.merged
            summary.unchanged += result.unchanged
            summary.removed += result.removed
        summary.entries += plan.entries
        summary.deletions += plan.deletions
        summary.superseded += plan.superseded
        summary.foreign_deletions += plan.foreign_deletions
        summary.skipped += len(plan.skipped)
        room = MAX_REASONS - len(summary.skipped_reasons)
        summary.skipped_reasons.extend(plan.skipped[: max(0, room)])

    def _report(self, summary: PullSummary, window: FetchedWindow, phase: str) -> None:
        if self.progress is not None:
            self.progress(
                PullProgress(
                    summary.start,
                    summary.end,
                    window.start,
                    window.end,
                    phase,
                    summary.windows,
                    summary.pages,
                    summary.entries,
                    summary.deletions,
                )
            )

    def _find_live(self, external_ids: Iterable[str]) -> list[Entry]:
        return self.lists.store.find_live_by_external_id(self.list_name, external_ids)


def _whole(moment: datetime) -> datetime:
    """UTC to the whole second (NCMEC takes seconds; naive times are UTC)."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.replace(microsecond=0)


def _saved_to(state: dict[str, Any]) -> datetime | None:
    raw = state.get("to")
    if not isinstance(raw, str):
        return None
    try:
        return _whole(datetime.strptime(raw, "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        return None
