"""Appends audit events from a separate process (run by the concurrency test)."""

from __future__ import annotations

import time
from typing import Any

from hashwarden.audit.models import AuditRecord
from hashwarden.audit.services import AuditLog
from hashwarden.storage.audit_store import SqlAuditStore
from hashwarden.storage.database import create_engine


def append_events(url: str, actor: str, count: int, start: Any) -> None:
    """Append ``count`` events once every worker is ready (``start`` is a shared barrier)."""
    engine = create_engine(url)
    try:
        log = AuditLog(SqlAuditStore(engine, migrate=False))
        start.wait(timeout=60)
        for n in range(count):
            log.record(AuditRecord(actor, "match", f"upload:{n}", {"n": n}))
            # Like a server between requests; without a pause SQLite hands the lock straight
            # back to the same process and the workers hardly interleave.
            time.sleep(0.002)
    finally:
        engine.dispose()
