"""Pages of a case's items (new first, stacks, known, other) against a real store, both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from hashwarden.cases.browsing import PAGE_SIZE, Section, item_page
from hashwarden.cases.models import KnownMatch, ScannedItem
from hashwarden.cases.services import CaseService
from hashwarden.storage.case_browsing_store import SqlCaseBrowsing
from hashwarden.storage.case_store import SqlCaseStore

AT = datetime(2026, 3, 1, tzinfo=UTC)


def _scanned(number: int, media_type: str = "image", category: str | None = None) -> ScannedItem:
    known = KnownMatch("list", number, "pdq", 3, category) if category is not None else None
    digest = f"{number:064x}"
    return ScannedItem(f"/seized/{number:04d}.jpg", media_type, 1000 + number, digest[:32],
                       digest[:40], digest, known=known)  # fmt: skip


@pytest.fixture
def case(engine: Engine) -> tuple[CaseService, SqlCaseBrowsing, int]:
    """130 items: 3 archives, a new stack of 2, a known stack of 3, a known single, new singles."""
    service = CaseService(SqlCaseStore(engine))
    created = service.create("paging")
    items = [_scanned(n) for n in range(1, 131)]
    items[4] = _scanned(5, category="B")  # in the stack of 4, 5, 6
    items[2] = _scanned(3, category="A")
    for n in (128, 129, 130):
        items[n - 1] = _scanned(n, "other")
    service.take_in(created, items)
    ids = {item.path: item.id for item in service.items(created)}
    number = {ids[f"/seized/{n:04d}.jpg"]: n for n in range(1, 131)}
    by_number = {n: i for i, n in number.items()}
    stacks = {by_number[n]: by_number[n] for n in range(1, 128)}
    stacks |= {by_number[2]: by_number[1], by_number[5]: by_number[4], by_number[6]: by_number[4]}
    service.store.set_stacks(created.id, stacks)
    return service, SqlCaseBrowsing(engine), created.id


def _numbers(rows: tuple[object, ...] | list[object]) -> list[int]:
    return [int(row.item.path[8:12]) for row in rows]  # type: ignore[attr-defined]


def test_sections_count_and_order_the_case(case: tuple[CaseService, SqlCaseBrowsing, int]) -> None:
    service, browsing, case_id = case
    counts = browsing.section_counts(case_id)
    # New: the stack of 1 and 2, and the singles 7..127; the stack of 4 and item 3 are known.
    assert (counts.new, counts.stacks, counts.known, counts.other) == (122, 2, 2, 3)
    first = item_page(browsing, case_id, Section.NEW, 1)
    assert first.total == 122 and first.pages == 3 and len(first.rows) == PAGE_SIZE
    assert _numbers(first.rows)[:3] == [1, 7, 8]
    assert first.rows[0].members == 2 and first.rows[0].known == 0
    last = item_page(browsing, case_id, Section.NEW, 99)  # past the end: the last page
    assert last.page == 3 and _numbers(last.rows) == list(range(106, 128))
    everything = [n for page in (1, 2, 3)
                  for n in _numbers(item_page(browsing, case_id, Section.NEW, page).rows)]
    assert everything == [1, *range(7, 128)]  # each new picture once, no item twice

    stacks = item_page(browsing, case_id, Section.STACKS, 1)
    assert _numbers(stacks.rows) == [1, 4]  # the new stack before the known one
    assert [(r.members, r.known) for r in stacks.rows] == [(2, 0), (3, 1)]
    known = item_page(browsing, case_id, Section.KNOWN, 1)
    assert _numbers(known.rows) == [3, 5]  # by category
    assert [r.item.item.known.category for r in known.rows] == ["A", "B"]  # type: ignore[union-attr]
    assert [r.members for r in known.rows] == [1, 3]
    assert _numbers(item_page(browsing, case_id, Section.OTHER, 1).rows) == [128, 129, 130]

    summary = service.summary(service.get("paging"))
    # The summary counts new items, the page new pictures: the stack of 1 and 2 is one.
    assert summary.new == counts.new + 1 and summary.known == counts.known
    assert browsing.summary(service.get("paging")) == summary


def test_items_and_stack_members_stay_within_their_case(
    case: tuple[CaseService, SqlCaseBrowsing, int],
) -> None:
    service, browsing, case_id = case
    other = service.create("elsewhere")
    service.take_in(other, [_scanned(500)])
    (foreign,) = service.items(other)
    assert browsing.item(case_id, foreign.id) is None
    assert browsing.item(other.id, foreign.id) == foreign
    (four,) = [i for i in service.items(service.get("paging")) if i.path.endswith("0004.jpg")]
    assert four.stack_id is not None
    members = browsing.stack_members(case_id, four.stack_id)
    assert [m.path[-8:] for m in members] == ["0004.jpg", "0005.jpg", "0006.jpg"]
    assert browsing.stack_members(other.id, four.stack_id) == []
