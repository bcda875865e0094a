"""``SqlTakedownStore``: hosting and notices of reports (notice-and-takedown)."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, delete, insert, select

from hashwarden.hotline.takedown import Hosting, Notice, NoticeKind
from hashwarden.storage.database import read_transaction, write_transaction
from hashwarden.storage.hotline_tables import report_hosting, report_notices, reports
from hashwarden.storage.migrate import ensure_schema
from hashwarden.storage.report_store import ReportNotFoundError


class SqlTakedownStore:
    def __init__(self, engine: Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate:
            ensure_schema(engine)

    def set_hosting(self, reference: str, hosting: Hosting) -> None:
        with write_transaction(self.engine, lock=None) as connection:
            report_id = self._id(connection, reference)
            connection.execute(
                delete(report_hosting).where(report_hosting.c.report_id == report_id)
            )
            connection.execute(insert(report_hosting).values(
                report_id=report_id, country=hosting.country, provider=hosting.provider,
            ))  # fmt: skip

    def hosting(self, reference: str) -> Hosting | None:
        query = (
            select(report_hosting.c.country, report_hosting.c.provider)
            .join(reports, reports.c.id == report_hosting.c.report_id)
            .where(reports.c.reference == reference)
        )
        with read_transaction(self.engine) as connection:
            row = connection.execute(query).one_or_none()
        return None if row is None else Hosting(row.country, row.provider)

    def add_notice(self, reference: str, notice: Notice) -> None:
        with write_transaction(self.engine, lock=None) as connection:
            connection.execute(insert(report_notices).values(
                report_id=self._id(connection, reference), kind=notice.kind.value,
                recipient=notice.recipient, note=notice.note, at=notice.at, by=notice.by,
            ))  # fmt: skip

    def notices(self, reference: str) -> list[Notice]:
        query = (
            select(report_notices)
            .join(reports, reports.c.id == report_notices.c.report_id)
            .where(reports.c.reference == reference)
            .order_by(report_notices.c.id)
        )
        with read_transaction(self.engine) as connection:
            return [
                Notice(NoticeKind(r.kind), r.recipient, r.note, r.at, r.by)
                for r in connection.execute(query)
            ]

    @staticmethod
    def _id(connection: Connection, reference: str) -> int:
        found = connection.scalar(select(reports.c.id).where(reports.c.reference == reference))
        if found is None:
            raise ReportNotFoundError(reference)
        return int(found)
