"""A case's items a page at a time, in the order an investigator works them.

New material first (stacks with no known item), then groups of near-duplicates, then what the
lists already know. A case can hold 100,000 items: the store answers each page with a query,
nothing loads the whole case to show 50 rows.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from hashwarden.cases.models import Case, CaseItem, CaseSummary

PAGE_SIZE = 50


class Section(enum.StrEnum):
    #: One row per new picture: a stack without a known item (its first item stands for it).
    NEW = "new"
    #: Stacks of two near-duplicates or more; new ones first, then those holding a known item.
    STACKS = "stacks"
    #: Items a list matched, by category.
    KNOWN = "known"
    #: Archives and documents: scanned and hashed, but no picture.
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class StackRow:
    """A stack by its first item (the stack's id), with its size and known members."""

    item: CaseItem
    members: int
    known: int


@dataclass(frozen=True, slots=True)
class SectionCounts:
    new: int
    stacks: int
    known: int
    other: int
    #: Every item of the case.
    items: int = 0

    def of(self, section: Section) -> int:
        return int(getattr(self, section.value))


@dataclass(frozen=True, slots=True)
class ItemPage:
    section: Section
    #: 1-based.
    page: int
    total: int
    rows: tuple[StackRow, ...]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


class CaseBrowsingStore(Protocol):
    def section_counts(self, case_id: int) -> SectionCounts: ...
    def section_rows(self, case_id: int, section: Section, offset: int,
                     limit: int) -> list[StackRow]:
        """Rows of ``section`` in page order (an item alone is a stack of one)."""

    def summary(self, case: Case) -> CaseSummary:
        """``CaseService.summary`` without loading the items' hashes and features."""

    def item(self, case_id: int, item_id: int) -> CaseItem | None: ...
    def stack_members(self, case_id: int, stack_id: int) -> list[CaseItem]: ...


def item_page(store: CaseBrowsingStore, case_id: int, section: Section,
              page: int) -> ItemPage:  # fmt: skip
    counts = store.section_counts(case_id)
    total = counts.of(section)
    last = max(1, -(-total // PAGE_SIZE))
    page = max(1, min(page, last))
    rows = store.section_rows(case_id, section, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return ItemPage(section, page, total, tuple(rows))


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """What a case summary needs of an item: no hashes, no features (they are the bulk)."""

    media_type: str
    stack_id: int | None
    known: bool
    exif: dict[str, Any]


def summarise(case: Case, rows: Iterable[SummaryRow]) -> CaseSummary:
    """``CaseService.summary`` from light rows, counted the same way."""
    listed = list(rows)
    kinds = Counter(row.media_type for row in listed)
    known_stacks = {row.stack_id for row in listed if row.known}
    cameras = Counter(
        " ".join(str(row.exif.get(k, "")) for k in ("make", "model")).strip() or "unknown"
        for row in listed if row.media_type == "image"
    )
    return CaseSummary(
        case=case,
        items=len(listed),
        images=kinds["image"],
        videos=kinds["video"],
        other=len(listed) - kinds["image"] - kinds["video"],
        known=sum(row.known for row in listed),
        stacks=len({row.stack_id for row in listed if row.stack_id is not None}),
        new=sum(row.media_type != "other" and row.stack_id not in known_stacks for row in listed),
        with_gps=sum("gps" in row.exif for row in listed),
        cameras=dict(cameras.most_common()),
    )
