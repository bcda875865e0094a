"""Audit events from the request path, written in batches by a background thread.

Writing one audit row per match request would put a database round trip (and the writers' lock)
on the hot path. Requests enqueue records instead; a thread writes them every ``interval`` seconds
in one transaction, and on shutdown. A hard kill loses at most the last interval's events; list
writes, review decisions and token changes are not buffered (they are logged synchronously).

Matches without hits are counted rather than logged one by one: each flush writes one
``match.summary`` event per caller with the number of requests and signals in that interval
(and its time span). Every match with a hit gets an event of its own. At thousands of requests
per second a row per miss would make the audit log the busiest table and cost a third of the CPU.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from hashwarden.audit.models import AuditRecord
from hashwarden.core.errors import AuditError
from hashwarden.core.periodic_worker import PeriodicWorker

log = logging.getLogger(__name__)

#: Most records written in one transaction.
BATCH = 1000


@dataclass(slots=True)
class _Misses:
    requests: int
    signals: int
    first: datetime
    last: datetime


class BufferedAudit:
    def __init__(
        self, sink: Callable[[Sequence[AuditRecord]], object], interval: float = 0.2
    ) -> None:
        self._sink = sink
        self._queue: queue.SimpleQueue[AuditRecord] = queue.SimpleQueue()
        self._worker = PeriodicWorker(
            "audit-writer",
            self.flush,
            interval,
            log=log,
            # A failed batch is kept for the next attempt; the database may be back by then.
            failure="writing audit events failed; retrying",
            join_timeout=10,
        )
        # A batch the database refused, written again (first, to keep the order) next time.
        self._retry: list[AuditRecord] = []
        self._flush_lock = threading.Lock()
        self._misses: dict[str, _Misses] = {}
        self._misses_lock = threading.Lock()

    def start(self) -> None:
        self._worker.start()

    def record(self, record: AuditRecord) -> None:
        self._queue.put(record)

    def record_miss(self, actor: str, signals: int) -> None:
        """Count a match request without hits; summarised per actor at the next flush."""
        now = datetime.now(UTC)
        with self._misses_lock:
            found = self._misses.get(actor)
            if found is None:
                self._misses[actor] = _Misses(1, signals, now, now)
            else:
                found.requests += 1
                found.signals += signals
                found.last = now

    def _drain_misses(self) -> None:
        with self._misses_lock:
            misses, self._misses = self._misses, {}
        for actor, counted in misses.items():
            details = {
                "requests": counted.requests,
                "signals": counted.signals,
                "hits": 0,
                "first_at": counted.first.isoformat(),
                "last_at": counted.last.isoformat(),
            }
            self._queue.put(AuditRecord(actor, "match.summary", "", details))

    def flush(self) -> int:
        """Write everything queued so far; returns how many records were written."""
        written = 0
        self._drain_misses()
        with self._flush_lock:
            while True:
                batch, self._retry = self._retry, []
                while len(batch) < BATCH:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                if not batch:
                    return written
                try:
                    self._sink(batch)
                except AuditError:
                    # A record the log refuses would block the buffer forever: log the others.
                    written += self._write_valid(batch)
                    continue
                except Exception:
                    self._retry = batch
                    raise
                written += len(batch)

    def _write_valid(self, batch: list[AuditRecord]) -> int:
        written = 0
        for record in batch:
            try:
                self._sink([record])
                written += 1
            except AuditError as exc:
                log.error("dropped an audit record the log refuses (%s): %s", record.action, exc)
        return written

    def stop(self) -> None:
        self._worker.stop()
        self.flush()
