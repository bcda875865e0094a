"""The buffered audit writer keeps order, retries storage failures and skips refused records."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from hashwarden.api.audit_buffer import BufferedAudit
from hashwarden.audit.models import AuditRecord
from hashwarden.core.errors import AuditError, StorageError


class FlakySink:
    def __init__(self) -> None:
        self.written: list[str] = []
        self.fail_next = 0

    def __call__(self, batch: Sequence[AuditRecord]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise StorageError("database is locked")
        if any(record.action == "bad" for record in batch):
            raise AuditError("refused")
        self.written += [record.object for record in batch]


def _record(n: int, action: str = "match") -> AuditRecord:
    return AuditRecord("token:1:t", action, f"item:{n}")


def test_a_storage_failure_keeps_the_batch_for_the_next_flush_in_order() -> None:
    sink = FlakySink()
    buffer = BufferedAudit(sink)
    for n in range(3):
        buffer.record(_record(n))
    sink.fail_next = 1
    with pytest.raises(StorageError):
        buffer.flush()
    buffer.record(_record(3))
    assert buffer.flush() == 4
    assert sink.written == ["item:0", "item:1", "item:2", "item:3"]


def test_a_refused_record_does_not_block_the_others() -> None:
    sink = FlakySink()
    buffer = BufferedAudit(sink)
    buffer.record(_record(0))
    buffer.record(_record(1, action="bad"))
    buffer.record(_record(2))
    assert buffer.flush() == 2
    assert sink.written == ["item:0", "item:2"]
    assert buffer.flush() == 0
