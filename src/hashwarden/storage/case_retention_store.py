"""``SqlCaseRetentionStore``: retention dates, legal holds and case deletion over SQLAlchemy."""

from __future__ import annotations

from sqlalchemy import Engine, delete, insert, select, update

from hashwarden.cases.retention import CaseRetention
from hashwarden.storage.case_retention_tables import case_retention
from hashwarden.storage.case_tables import cases
from hashwarden.storage.database import read_transaction, write_transaction
from hashwarden.storage.migrate import ensure_schema


class SqlCaseRetentionStore:
    def __init__(self, engine: Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate:
            ensure_schema(engine)

    def retention(self, case_id: int) -> CaseRetention:
        with read_transaction(self.engine) as connection:
            row = connection.execute(
                select(case_retention).where(case_retention.c.case_id == case_id)
            ).one_or_none()
        if row is None:
            return CaseRetention()
        return CaseRetention(row.retain_until, row.hold_reason, row.hold_by, row.hold_at)

    def set_retention(self, case_id: int, retention: CaseRetention) -> None:
        values = {
            "retain_until": retention.retain_until, "hold_reason": retention.hold_reason,
            "hold_by": retention.hold_by, "hold_at": retention.hold_at,
        }
        with write_transaction(self.engine, lock=None) as connection:
            changed = connection.execute(
                update(case_retention).where(case_retention.c.case_id == case_id).values(values)
            ).rowcount
            if not changed:
                connection.execute(insert(case_retention).values(case_id=case_id, **values))

    def delete_case(self, case_id: int) -> bool:
        with write_transaction(self.engine, lock=None) as connection:
            # Checked again inside the deleting transaction: a hold placed a moment ago wins.
            held = connection.execute(
                select(case_retention.c.hold_reason).where(case_retention.c.case_id == case_id)
                .with_for_update()
            ).scalar_one_or_none()
            if held is not None:
                return False
            connection.execute(delete(cases).where(cases.c.id == case_id))
        return True
