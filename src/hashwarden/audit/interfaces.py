"""What the audit log needs from storage (``hashwarden.storage.audit_store`` implements it)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from hashwarden.audit.models import AuditEvent, AuditRecord


class AuditStore(Protocol):
    def append(self, record: AuditRecord) -> AuditEvent:
        """Append under the writers' lock, chaining to the latest event."""
        ...

    def append_many(self, records: Sequence[AuditRecord]) -> list[AuditEvent]:
        """Append all in one transaction, in order, as consecutive links of the chain."""
        ...

    def events(
        self, after_id: int = 0, limit: int | None = None, *, actor: str | None = None
    ) -> Iterator[AuditEvent]:
        """Events in id order, starting after ``after_id``."""
        ...
