"""``SqlRetentionStore``: the SQL behind retention clocks, tombstones and legal holds.

Every erasure is one transaction that starts with a guarded ``UPDATE`` of the report row: the
clock, the final status and the absence of a hold are checked by the database in that statement,
which also locks the row (PostgreSQL) or the database (SQLite). A hold placed a moment earlier,
a report reopened, or a second purge that got there first all make it change nothing.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, and_, delete, insert, or_, select, update

from hashwarden.hotline.items import ItemState
from hashwarden.hotline.models import FINAL, Hold
from hashwarden.hotline.retention import Category, Due
from hashwarden.storage.database import read_transaction, write_transaction
from hashwarden.storage.hotline_tables import (
    report_hosting,
    report_items,
    report_messages,
    report_notices,
    report_tallies,
    reports,
)
from hashwarden.storage.migrate import ensure_schema

#: What a tombstone keeps of these columns: nothing. Reference, theme, status and timeline stay.
_TOMBSTONE: dict[str, Any] = {
    "url": "", "details": {}, "description": "", "contact_email": "", "language": "",
    "follow_up_hash": None,
}  # fmt: skip
#: Tables whose rows of a report go entirely when it is deleted (items are tallied first).
_CHILDREN = (report_items, report_messages, report_hosting, report_notices)


def _closed_before(before: datetime) -> ColumnElement[bool]:
    return and_(
        reports.c.deleted_at.is_(None),
        reports.c.status.in_([status.value for status in FINAL]),
        reports.c.closed_at <= before,
    )


def _unheld() -> ColumnElement[bool]:
    return reports.c.hold_reason.is_(None)


def _has_contact() -> ColumnElement[bool]:
    return and_(
        reports.c.contact_erased_at.is_(None),
        or_(reports.c.contact_email != "", reports.c.follow_up_hash.isnot(None)),
    )


class SqlRetentionStore:
    def __init__(self, engine: Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate:
            ensure_schema(engine)

    def due(self, contact_before: datetime, report_before: datetime) -> list[Due]:
        report_due = _closed_before(report_before)
        query = (
            select(
                reports.c.reference,
                reports.c.closed_at,
                reports.c.hold_reason.isnot(None).label("held"),
                report_due.label("whole"),
            )
            .where(or_(report_due, and_(_closed_before(contact_before), _has_contact())))
            .order_by(reports.c.closed_at, reports.c.id)
        )
        with read_transaction(self.engine) as connection:
            return [
                Due(
                    str(row.reference),
                    Category.REPORT if row.whole else Category.CONTACT,
                    row.closed_at,
                    bool(row.held),
                )
                for row in connection.execute(query)
            ]

    def erase_contact(self, reference: str, closed_before: datetime, at: datetime) -> bool:
        with write_transaction(self.engine, lock=None) as connection:
            changed = connection.execute(
                update(reports)
                .where(
                    reports.c.reference == reference,
                    _closed_before(closed_before),
                    _unheld(),
                    _has_contact(),
                )
                .values(contact_email="", follow_up_hash=None, contact_erased_at=at)
            )
            return changed.rowcount == 1

    def delete_report(self, reference: str, closed_before: datetime, at: datetime) -> bool:
        with write_transaction(self.engine, lock=None) as connection:
            report_id = connection.scalar(
                select(reports.c.id).where(reports.c.reference == reference)
            )
            if report_id is None:
                return False
            changed = connection.execute(
                update(reports)
                .where(reports.c.id == report_id, _closed_before(closed_before), _unheld())
                .values({**_TOMBSTONE, "deleted_at": at})
            )
            if changed.rowcount != 1:
                return False
            _tally(connection, int(report_id))
            for table in _CHILDREN:
                connection.execute(delete(table).where(table.c.report_id == report_id))
            return True

    def place_hold(self, reference: str, hold: Hold) -> bool:
        with write_transaction(self.engine, lock=None) as connection:
            changed = connection.execute(
                update(reports)
                .where(reports.c.reference == reference, reports.c.deleted_at.is_(None))
                .values(hold_reason=hold.reason, hold_by=hold.by, hold_at=hold.at)
            )
            return changed.rowcount == 1

    def lift_hold(self, reference: str) -> Hold | None:
        with write_transaction(self.engine, lock=None) as connection:
            row = connection.execute(
                select(reports.c.hold_reason, reports.c.hold_by, reports.c.hold_at).where(
                    reports.c.reference == reference, reports.c.hold_reason.isnot(None)
                )
            ).one_or_none()
            if row is None:
                return None
            connection.execute(
                update(reports)
                .where(reports.c.reference == reference)
                .values(hold_reason=None, hold_by=None, hold_at=None)
            )
        return Hold(str(row.hold_reason), str(row.hold_by or ""), row.hold_at)


def _tally(connection: Connection, report_id: int) -> None:
    """Count the report's items by state, verdict and fetch time, before they are deleted."""
    rows = connection.execute(
        select(report_items.c.state, report_items.c.classification, report_items.c.fetched_at)
        .where(report_items.c.report_id == report_id)
    )  # fmt: skip
    counts = Counter((row.state, _verdict(row.state, row.classification), row.fetched_at)
                     for row in rows)  # fmt: skip
    for (state, verdict, fetched_at), items in sorted(counts.items(), key=_by_time):
        connection.execute(insert(report_tallies).values(
            report_id=report_id, state=state, verdict=verdict, fetched_at=fetched_at,
            item_count=items,
        ))  # fmt: skip


def _by_time(pair: tuple[tuple[str, str, datetime], int]) -> tuple[datetime, str, str]:
    (state, verdict, fetched_at), _ = pair
    return fetched_at, state, verdict


def _verdict(state: str, classification: Any) -> str:
    if state == ItemState.KNOWN.value:
        return "listed"
    if state == ItemState.ASSESSED.value and isinstance(classification, dict):
        return "illegal" if classification.get("illegal") else "not_illegal"
    return ""
