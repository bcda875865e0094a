"""``SqlAuditStore``: the audit log's ``AuditStore`` protocol over SQLAlchemy.

Appends run under the audit lock (``write_transaction(..., AUDIT_LOCK)``) and read the newest
digest inside it, so processes appending at once still build one chain, with ids ascending in
commit order; on PostgreSQL they do not wait for list writers.
Opening a store migrates its database to the newest schema first, like ``SqlListStore``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, bindparam, insert, select, update

from hashwarden.audit.chain import GENESIS, canonical_details, seal
from hashwarden.audit.models import AuditEvent, AuditRecord
from hashwarden.storage.account_tables import audit_events
from hashwarden.storage.database import AUDIT_LOCK, read_transaction, write_transaction
from hashwarden.storage.migrate import ensure_schema

#: Events fetched per round trip while streaming the log.
PAGE = 1000


class SqlAuditStore:
    def __init__(self, engine: Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate:
            ensure_schema(engine)

    def append(self, record: AuditRecord) -> AuditEvent:
        return self.append_many([record])[0]

    def append_many(self, records: Sequence[AuditRecord]) -> list[AuditEvent]:
        if not records:
            return []
        at = datetime.now(UTC)
        with write_transaction(self.engine, AUDIT_LOCK) as connection:
            newest = select(audit_events.c.digest).order_by(audit_events.c.id.desc()).limit(1)
            prev_digest = connection.scalar(newest) or GENESIS
            # The digest covers the id, which the database assigns: insert first, then seal.
            inserted = connection.execute(
                insert(audit_events).returning(audit_events.c.id, sort_by_parameter_order=True),
                [
                    {
                        "at": _when(record, at),
                        "actor": record.actor,
                        "action": record.action,
                        "object": record.object,
                        "details": canonical_details(record.details),
                        "prev_digest": "",
                        "digest": "",
                    }
                    for record in records
                ],
            )
            ids = [int(event_id) for event_id in inserted.scalars()]
            events: list[AuditEvent] = []
            for record, event_id in zip(records, ids, strict=True):
                event = seal(record, id=event_id, at=_when(record, at), prev_digest=prev_digest)
                events.append(event)
                prev_digest = event.digest
            connection.execute(
                update(audit_events)
                .where(audit_events.c.id == bindparam("event_id"))
                .values(prev_digest=bindparam("prev"), digest=bindparam("own")),
                [{"event_id": e.id, "prev": e.prev_digest, "own": e.digest} for e in events],
            )
        return events

    def events(
        self, after_id: int = 0, limit: int | None = None, *, actor: str | None = None
    ) -> Iterator[AuditEvent]:
        """Events in id order after ``after_id``, read a page per short transaction."""
        remaining = limit
        while remaining is None or remaining > 0:
            page_size = PAGE if remaining is None else min(PAGE, remaining)
            query = select(audit_events).where(audit_events.c.id > after_id)
            if actor is not None:
                query = query.where(audit_events.c.actor == actor)
            query = query.order_by(audit_events.c.id).limit(page_size)
            with read_transaction(self.engine) as connection:
                page = [_event(row._mapping) for row in connection.execute(query)]
            yield from page
            if len(page) < page_size:
                return
            after_id = page[-1].id
            if remaining is not None:
                remaining -= len(page)


def _event(row: Any) -> AuditEvent:
    return AuditEvent(
        id=int(row["id"]),
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        object=row["object"],
        details=row["details"],
        prev_digest=row["prev_digest"],
        digest=row["digest"],
    )


def _when(record: AuditRecord, written: datetime) -> datetime:
    """The event's time in UTC, whole microseconds, so it reads back exactly as it was sealed."""
    return record.at.astimezone(UTC) if record.at is not None else written
