"""``SqlReportStore``: the hotline's ``ReportStore`` over SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from hashwarden.core.errors import StorageError
from hashwarden.hotline.models import (
    FINAL,
    Author,
    Hold,
    Message,
    Report,
    ReportForm,
    ReportKind,
    ReportStatus,
    Timeline,
)
from hashwarden.hotline.services import DuplicateReferenceError
from hashwarden.storage.database import read_transaction, write_transaction
from hashwarden.storage.hotline_tables import report_messages, reports
from hashwarden.storage.migrate import ensure_schema

_DETAILS = ("content_type", "site_type", "country", "place", "when", "who")
#: Timeline columns ``mark`` may set.
TIMELINE_EVENTS = (
    "assessed_at", "police_notified_at", "notice_sent_at", "removed_at", "last_checked_at",
)  # fmt: skip


class ReportNotFoundError(StorageError):
    def __init__(self, reference: str) -> None:
        super().__init__(f"no report {reference!r}")


class SqlReportStore:
    def __init__(self, engine: Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate:
            ensure_schema(engine)

    def add(self, reference: str, form: ReportForm, follow_up_hash: str | None) -> Report:
        values = {
            "reference": reference,
            "kind": form.kind.value,
            "status": ReportStatus.NEW.value,
            "url": form.url,
            "details": {name: getattr(form, name) for name in _DETAILS if getattr(form, name)},
            "description": form.description,
            "contact_email": form.contact_email,
            "language": form.language,
            "follow_up_hash": follow_up_hash,
            "received_at": datetime.now(UTC),
        }
        try:
            # Reports are no part of the signal feed: no writers' lock to wait for.
            with write_transaction(self.engine, lock=None) as connection:
                connection.execute(insert(reports).values(**values))
        except StorageError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise DuplicateReferenceError(reference) from exc
            raise
        found = self.get(reference)
        assert found is not None
        return found

    def get(self, reference: str) -> Report | None:
        with read_transaction(self.engine) as connection:
            row = connection.execute(
                select(reports).where(reports.c.reference == reference)
            ).one_or_none()
            if row is None:
                return None
            messages = connection.execute(
                select(report_messages)
                .where(report_messages.c.report_id == row.id)
                .order_by(report_messages.c.id)
            ).all()
        return _report(row._mapping, [m._mapping for m in messages])

    def follow_up_hash(self, reference: str) -> str | None:
        with read_transaction(self.engine) as connection:
            value = connection.scalar(
                select(reports.c.follow_up_hash).where(reports.c.reference == reference)
            )
        return None if value is None else str(value)

    def add_message(self, reference: str, message: Message) -> None:
        with write_transaction(self.engine, lock=None) as connection:
            report_id = connection.scalar(
                select(reports.c.id).where(reports.c.reference == reference)
            )
            if report_id is None:
                raise ReportNotFoundError(reference)
            connection.execute(
                insert(report_messages).values(
                    report_id=report_id,
                    author=message.author.value,
                    body=message.body,
                    at=message.at,
                )
            )

    def set_status(
        self, reference: str, status: ReportStatus, at: datetime | None = None
    ) -> Report:
        with write_transaction(self.engine, lock=None) as connection:
            row = connection.execute(
                select(reports.c.status, reports.c.closed_at).where(
                    reports.c.reference == reference
                )
            ).one_or_none()
            if row is None:
                raise ReportNotFoundError(reference)
            closed_at = None
            if status in FINAL:
                # Any change of a closed report restarts its clocks; the same status again
                # does not, so a repeated click cannot keep data longer.
                unchanged = row.status == status.value and row.closed_at is not None
                closed_at = row.closed_at if unchanged else (at or datetime.now(UTC))
            connection.execute(
                update(reports)
                .where(reports.c.reference == reference)
                .values(status=status.value, closed_at=closed_at)
            )
        found = self.get(reference)
        assert found is not None
        return found

    def queue(self, statuses: Sequence[ReportStatus], limit: int = 200) -> list[Report]:
        query = (
            select(reports)
            .where(reports.c.status.in_([status.value for status in statuses]))
            .order_by(reports.c.received_at, reports.c.id)
            .limit(limit)
        )
        with read_transaction(self.engine) as connection:
            return [_report(row._mapping, []) for row in connection.execute(query)]

    def awaiting_removal(self) -> list[Report]:
        query = (
            select(reports)
            .where(
                reports.c.notice_sent_at.isnot(None),
                reports.c.removed_at.is_(None),
                reports.c.deleted_at.is_(None),
            )
            .order_by(reports.c.id)
        )
        with read_transaction(self.engine) as connection:
            return [_report(row._mapping, []) for row in connection.execute(query)]

    def received_since(self, since: datetime) -> list[Report]:
        query = select(reports).where(reports.c.received_at >= since).order_by(reports.c.id)
        with read_transaction(self.engine) as connection:
            return [_report(row._mapping, []) for row in connection.execute(query)]

    def mark(self, reference: str, event: str, at: datetime) -> Report:
        if event not in TIMELINE_EVENTS:
            raise ValueError(f"unknown timeline event {event!r}")
        with write_transaction(self.engine, lock=None) as connection:
            changed = connection.execute(
                update(reports).where(reports.c.reference == reference).values({event: at})
            )
            if changed.rowcount == 0:
                raise ReportNotFoundError(reference)
        found = self.get(reference)
        assert found is not None
        return found


def _report(row: Any, messages: list[Any]) -> Report:
    details = row["details"] or {}
    form = ReportForm(
        kind=ReportKind(row["kind"]),
        url=row["url"],
        description=row["description"],
        contact_email=row["contact_email"],
        language=row["language"],
        **{name: str(details.get(name, "")) for name in _DETAILS},
    )
    timeline = Timeline(
        received_at=row["received_at"],
        assessed_at=row["assessed_at"],
        police_notified_at=row["police_notified_at"],
        notice_sent_at=row["notice_sent_at"],
        removed_at=row["removed_at"],
        last_checked_at=row["last_checked_at"],
        closed_at=row["closed_at"],
    )
    hold = None
    if row["hold_reason"] is not None:
        hold = Hold(str(row["hold_reason"]), str(row["hold_by"] or ""), row["hold_at"])
    return Report(
        id=int(row["id"]),
        reference=str(row["reference"]),
        form=form,
        status=ReportStatus(row["status"]),
        timeline=timeline,
        follow_up=row["follow_up_hash"] is not None,
        messages=tuple(Message(Author(m["author"]), m["body"], m["at"]) for m in messages),
        hold=hold,
        contact_erased_at=row["contact_erased_at"],
        deleted_at=row["deleted_at"],
    )
