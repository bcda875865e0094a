"""``SqlCaseBrowsing``: pages of a case's items and stacks, one query each (``cases.browsing``)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, func, literal, select

from hashwarden.cases.browsing import Section, SectionCounts, StackRow, SummaryRow, summarise
from hashwarden.cases.models import Case, CaseItem, CaseSummary
from hashwarden.storage.case_store import _item
from hashwarden.storage.case_tables import case_items
from hashwarden.storage.database import read_transaction

_PICTURES = case_items.c.media_type != "other"
#: An item not stacked yet (scanned, not restacked) is a stack of its own.
_STACK = func.coalesce(case_items.c.stack_id, case_items.c.id)


def _stats(case_id: int) -> Any:
    return (
        select(_STACK.label("stack"), func.count().label("members"),
               func.count(case_items.c.known_list).label("known"))
        .where(case_items.c.case_id == case_id, _PICTURES)
        .group_by(_STACK)
        .subquery()
    )  # fmt: skip


class SqlCaseBrowsing:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def section_counts(self, case_id: int) -> SectionCounts:
        stats = _stats(case_id)
        of_case = case_items.c.case_id == case_id
        with read_transaction(self.engine) as connection:
            new = connection.execute(
                select(func.count()).select_from(stats).where(stats.c.known == 0)
            ).scalar_one()
            stacks = connection.execute(
                select(func.count()).select_from(stats).where(stats.c.members >= 2)
            ).scalar_one()
            known = connection.execute(
                select(func.count()).where(of_case, case_items.c.known_list.is_not(None))
            ).scalar_one()
            other = connection.execute(
                select(func.count()).where(of_case, case_items.c.media_type == "other")
            ).scalar_one()
            items = connection.execute(select(func.count()).where(of_case)).scalar_one()
        return SectionCounts(int(new), int(stacks), int(known), int(other), int(items))

    def section_rows(self, case_id: int, section: Section, offset: int,
                     limit: int) -> list[StackRow]:  # fmt: skip
        query = self._query(case_id, section).offset(max(0, offset)).limit(max(0, limit))
        with read_transaction(self.engine) as connection:
            rows = connection.execute(query).all()
        return [StackRow(_item(row), int(row.members), int(row.known_count)) for row in rows]

    def _query(self, case_id: int, section: Section) -> Any:
        of_case = case_items.c.case_id == case_id
        if section is Section.OTHER:
            return (
                select(case_items, literal(1).label("members"),
                       literal(0).label("known_count"))
                .where(of_case, case_items.c.media_type == "other")
                .order_by(case_items.c.id)
            )  # fmt: skip
        stats = _stats(case_id)
        base = select(case_items, stats.c.members, stats.c.known.label("known_count"))
        if section is Section.KNOWN:
            return (
                base.join(stats, stats.c.stack == _STACK)
                .where(of_case, case_items.c.known_list.is_not(None))
                .order_by(func.coalesce(case_items.c.known_category, ""),
                          case_items.c.known_list, case_items.c.id)
            )  # fmt: skip
        # A stack's id is its first item's: that item stands for the stack.
        representative = base.join(stats, stats.c.stack == case_items.c.id).where(of_case)
        if section is Section.NEW:
            return representative.where(stats.c.known == 0).order_by(case_items.c.id)
        return representative.where(stats.c.members >= 2).order_by(
            stats.c.known > 0, stats.c.members.desc(), case_items.c.id
        )

    def summary(self, case: Case) -> CaseSummary:
        columns = (case_items.c.media_type, case_items.c.stack_id, case_items.c.known_list,
                   case_items.c.exif)  # fmt: skip
        with read_transaction(self.engine) as connection:
            rows = connection.execute(
                select(*columns).where(case_items.c.case_id == case.id)
            ).all()
        return summarise(case, (
            SummaryRow(row.media_type, row.stack_id, row.known_list is not None,
                       json.loads(row.exif))
            for row in rows
        ))  # fmt: skip

    def item(self, case_id: int, item_id: int) -> CaseItem | None:
        with read_transaction(self.engine) as connection:
            row = connection.execute(
                select(case_items).where(case_items.c.case_id == case_id,
                                         case_items.c.id == item_id)
            ).one_or_none()
        return None if row is None else _item(row)

    def stack_members(self, case_id: int, stack_id: int) -> list[CaseItem]:
        with read_transaction(self.engine) as connection:
            rows = connection.execute(
                select(case_items).where(case_items.c.case_id == case_id,
                                         _STACK == stack_id)  # noqa: SIM300
                .order_by(case_items.c.id)
            ).all()
        return [_item(row) for row in rows]
