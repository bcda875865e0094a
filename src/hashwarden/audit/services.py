"""``AuditLog``: what the rest of hashwarden calls to log actions and to check the log."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from hashwarden.audit.chain import VerifyResult, canonical_details, verify
from hashwarden.audit.interfaces import AuditStore
from hashwarden.audit.models import AuditEvent, AuditRecord
from hashwarden.core.errors import AuditError

#: Column sizes of the store; longer values are refused rather than cut.
MAX_ACTOR = 200
MAX_ACTION = 100
MAX_OBJECT = 500


class AuditLog:
    def __init__(self, store: AuditStore) -> None:
        self.store = store

    def record(self, record: AuditRecord) -> AuditEvent:
        _check(record)
        return self.store.append(record)

    def record_many(self, records: Sequence[AuditRecord]) -> list[AuditEvent]:
        """Log a batch in one transaction; one invalid record refuses the whole batch."""
        for record in records:
            _check(record)
        if not records:
            return []
        return self.store.append_many(records)

    def events(
        self, after_id: int = 0, limit: int | None = None, *, actor: str | None = None
    ) -> Iterator[AuditEvent]:
        if limit is not None and limit < 0:
            raise AuditError(f"limit must not be negative, got {limit}")
        return self.store.events(after_id, limit, actor=actor)

    def verify(self) -> VerifyResult:
        """Walk the whole log, oldest first, and report the first event that breaks the chain."""
        return verify(self.store.events())


def _check(record: AuditRecord) -> None:
    if not record.actor or len(record.actor) > MAX_ACTOR:
        raise AuditError(f"audit actor must have 1-{MAX_ACTOR} characters, got {record.actor!r}")
    if not record.action or len(record.action) > MAX_ACTION:
        raise AuditError(f"audit action must have 1-{MAX_ACTION} characters, got {record.action!r}")
    if len(record.object) > MAX_OBJECT:
        raise AuditError(f"audit object must have at most {MAX_OBJECT} characters")
    try:
        canonical_details(record.details)
    except (TypeError, ValueError) as exc:
        raise AuditError(f"audit details of {record.action!r} are not plain JSON: {exc}") from exc
