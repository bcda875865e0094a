"""``SqlItemStore``: media triage fetched for reports (``report_items``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from hashwarden.hotline.items import Item, ItemState, NewItem
from hashwarden.storage.database import read_transaction, write_transaction
from hashwarden.storage.hotline_tables import report_items, report_tallies, reports
from hashwarden.storage.migrate import ensure_schema
from hashwarden.storage.report_store import ReportNotFoundError

_COLUMNS = [c for c in report_items.c if c.name != "content"]


class SqlItemStore:
    def __init__(self, engine: Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate:
            ensure_schema(engine)

    def add_items(self, reference: str, items: list[NewItem], at: datetime) -> list[Item]:
        with write_transaction(self.engine, lock=None) as connection:
            report_id = connection.scalar(
                select(reports.c.id).where(reports.c.reference == reference)
            )
            if report_id is None:
                raise ReportNotFoundError(reference)
            for item in items:
                connection.execute(
                    insert(report_items).values(
                        report_id=report_id,
                        source_url=item.source_url,
                        media_type=item.media_type,
                        size=item.size,
                        signals=item.signals,
                        state=item.state.value,
                        matched=item.matched,
                        classification=None,
                        # Known material is never kept: only what an analyst must still see.
                        content=item.content if item.state is ItemState.UNKNOWN else None,
                        fetched_at=at,
                        exposure_seconds=0,
                    )
                )
        return self.items(reference)

    def items(self, reference: str) -> list[Item]:
        query = (
            select(*_COLUMNS, reports.c.reference, report_items.c.content.isnot(None).label("kept"))
            .join(reports, reports.c.id == report_items.c.report_id)
            .where(reports.c.reference == reference)
            .order_by(report_items.c.id)
        )
        with read_transaction(self.engine) as connection:
            return [_item(row._mapping) for row in connection.execute(query)]

    def item(self, item_id: int) -> Item | None:
        query = (
            select(*_COLUMNS, reports.c.reference, report_items.c.content.isnot(None).label("kept"))
            .join(reports, reports.c.id == report_items.c.report_id)
            .where(report_items.c.id == item_id)
        )
        with read_transaction(self.engine) as connection:
            row = connection.execute(query).one_or_none()
        return None if row is None else _item(row._mapping)

    def content(self, item_id: int) -> bytes | None:
        with read_transaction(self.engine) as connection:
            value = connection.scalar(
                select(report_items.c.content).where(report_items.c.id == item_id)
            )
        return None if value is None else bytes(value)

    def assess(
        self, item_id: int, classification: dict[str, Any], by: str, at: datetime,
        exposure_seconds: int,
    ) -> Item:
        with write_transaction(self.engine, lock=None) as connection:
            connection.execute(
                update(report_items)
                .where(report_items.c.id == item_id)
                .values(
                    state=ItemState.ASSESSED.value,
                    classification=classification,
                    assessed_by=by,
                    assessed_at=at,
                    exposure_seconds=exposure_seconds,
                    content=None,
                )
            )
        found = self.item(item_id)
        assert found is not None
        return found

    def state_counts(self, since: datetime) -> dict[str, int]:
        """Items fetched since ``since`` per state (``known``, ``unknown``, ``assessed``).

        Items of deleted reports count through their tallies, so the figures do not drop when
        a report's retention clock runs out.
        """
        live = (
            select(report_items.c.state, func.count())
            .where(report_items.c.fetched_at >= since)
            .group_by(report_items.c.state)
        )
        tallied = (
            select(report_tallies.c.state, func.sum(report_tallies.c.item_count))
            .where(report_tallies.c.fetched_at >= since)
            .group_by(report_tallies.c.state)
        )
        counts: dict[str, int] = {}
        with read_transaction(self.engine) as connection:
            for query in (live, tallied):
                for state, count in connection.execute(query):
                    counts[str(state)] = counts.get(str(state), 0) + int(count or 0)
        return counts

    def exposure_since(self, by: str, since: datetime) -> int:
        query = select(func.coalesce(func.sum(report_items.c.exposure_seconds), 0)).where(
            report_items.c.assessed_by == by, report_items.c.assessed_at >= since
        )
        with read_transaction(self.engine) as connection:
            return int(connection.scalar(query) or 0)


def _item(row: Any) -> Item:
    return Item(
        id=int(row["id"]),
        reference=str(row["reference"]),
        source_url=str(row["source_url"]),
        media_type=str(row["media_type"]),
        size=int(row["size"]),
        signals=dict(row["signals"] or {}),
        state=ItemState(row["state"]),
        fetched_at=row["fetched_at"],
        matched=row["matched"],
        classification=row["classification"],
        has_content=bool(row["kept"]),
        assessed_by=str(row["assessed_by"] or ""),
        assessed_at=row["assessed_at"],
        exposure_seconds=int(row["exposure_seconds"] or 0),
    )
