"""One window of an NCMEC pull: fetch every page first, then plan each page's import.

Pages are spooled to files in a private folder (``tempfile`` makes it readable by the owner
only) rather than held in memory, as a window can hold many thousand entries; the caller removes
the folder when the window is done or fails.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from hashwarden.core.lists.models import Entry
from hashwarden.core.signals.registry import SignalRegistry
from hashwarden.formats.base import FormatOptions
from hashwarden.formats.ncmec_xml import NcmecXmlFormat
from hashwarden.remote_pull.ncmec_client import NcmecClient, PullError, format_time
from hashwarden.remote_pull.ncmec_order import NewestStates, PagePlan, plan_page
from hashwarden.remote_pull.ncmec_page import read_page

_READ_OPTIONS = FormatOptions(with_removals=True)


@dataclass
class FetchedWindow:
    start: datetime
    end: datetime
    folder: Path
    pages: int = 0
    #: Entries (deletions included) on all pages.
    entries: int = 0
    newest: NewestStates = field(default_factory=NewestStates)

    def label(self, number: int) -> str:
        return f"page {number} of {format_time(self.start)}..{format_time(self.end)}"

    def path(self, number: int) -> Path:
        return self.folder / f"page-{number:06d}.xml"


def fetch_window(
    client: NcmecClient,
    start: datetime,
    end: datetime,
    folder: Path,
    on_page: Callable[[FetchedWindow], None] | None = None,
) -> FetchedWindow:
    """Fetch the pages of ``[start, end)`` by their next links into ``folder``."""
    window = FetchedWindow(start, end, folder)
    links: set[str] = set()
    body = client.first_page(start, end)
    while True:
        window.pages += 1
        info = read_page(body, window.label(window.pages))
        window.path(window.pages).write_bytes(body)
        window.newest.see(window.pages, info.entries)
        window.entries += len(info.entries)
        if on_page is not None:
            on_page(window)
        if not info.next_link:
            return window
        if info.next_link in links:
            raise PullError(f"{window.label(window.pages)}: the service sent a next link it sent "
                            "before (paging would loop)")
        links.add(info.next_link)
        body = client.next_page(info.next_link)


def plan_fetched_page(
    window: FetchedWindow,
    number: int,
    signals: SignalRegistry,
    find_live: Callable[[Iterable[str]], list[Entry]],
) -> PagePlan:
    """Read a spooled page with the NCMEC XML reader and choose the records to import."""
    label = window.label(number)
    body = window.path(number).read_bytes()
    info = read_page(body, label)
    # The reader takes text and re-encodes it to the original bytes before parsing.
    text = io.StringIO(body.decode("utf-8", "surrogateescape"))
    records = list(NcmecXmlFormat().read(text, source=label, options=_READ_OPTIONS))
    return plan_page(records, info, number, window.newest, label, signals, find_live)
