"""The audit log's hash chain: canonical event text, digests and verification (pure).

Each event's digest is SHA-256 over its canonical JSON, which includes the previous event's digest,
so changing, removing or reordering any stored event breaks the chain from that point on. Ids may
have gaps (a PostgreSQL sequence skips the ids of rolled-back inserts): only the digests link
events. Removing the newest events cannot be seen from the chain alone; compare ``head_digest``
with a copy kept elsewhere for that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hashwarden.audit.models import AuditEvent, AuditRecord

#: ``prev_digest`` of the first event.
GENESIS = "0" * 64


def utc_text(at: datetime) -> str:
    """ISO-8601 in UTC with microseconds, e.g. ``2026-11-30T08:15:00.000000Z`` (naive means UTC)."""
    moment = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """``details`` as they read back from a JSON column (tuples become lists, and so on).

    Raises ``ValueError``/``TypeError`` for anything JSON cannot carry exactly (NaN, sets, ...).
    """
    loaded = json.loads(_dumps(dict(details)))
    assert isinstance(loaded, dict)
    return loaded


def canonical_json(
    *,
    id: int,
    at: datetime,
    actor: str,
    action: str,
    object: str,
    details: Mapping[str, Any],
    prev_digest: str,
) -> bytes:
    document = {
        "id": id,
        "at": utc_text(at),
        "actor": actor,
        "action": action,
        "object": object,
        "details": dict(details),
        "prev_digest": prev_digest,
    }
    return _dumps(document).encode("ascii")


def digest(
    prev_digest: str,
    *,
    id: int,
    at: datetime,
    actor: str,
    action: str,
    object: str,
    details: Mapping[str, Any],
) -> str:
    """SHA-256 hex of the event's canonical JSON (which carries ``prev_digest``)."""
    text = canonical_json(
        id=id,
        at=at,
        actor=actor,
        action=action,
        object=object,
        details=details,
        prev_digest=prev_digest,
    )
    return hashlib.sha256(text).hexdigest()


def seal(record: AuditRecord, *, id: int, at: datetime, prev_digest: str) -> AuditEvent:
    """The stored form of ``record`` as event ``id``, chained to ``prev_digest``."""
    details = canonical_details(record.details)
    return AuditEvent(
        id=id,
        at=at,
        actor=record.actor,
        action=record.action,
        object=record.object,
        details=details,
        prev_digest=prev_digest,
        digest=digest(
            prev_digest,
            id=id,
            at=at,
            actor=record.actor,
            action=record.action,
            object=record.object,
            details=details,
        ),
    )


def event_digest(event: AuditEvent) -> str:
    """What ``event.digest`` must be, recomputed from its content."""
    return digest(
        event.prev_digest,
        id=event.id,
        at=event.at,
        actor=event.actor,
        action=event.action,
        object=event.object,
        details=event.details,
    )


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The outcome of walking the chain; ``broken_id`` is the first event that does not fit."""

    checked: int
    last_id: int | None
    #: Digest of the last intact event (``GENESIS`` for an empty log).
    head_digest: str
    broken_id: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None


REASON_ORDER = "id not above the previous event's: events were reordered or duplicated"
REASON_LINK = "prev_digest does not match the previous event: an event was removed or reordered"
REASON_CONTENT = "digest mismatch: the event's content was altered"


def verify(events: Iterable[AuditEvent]) -> VerifyResult:
    """Check events in the order given (the store's id order) and stop at the first broken one."""
    checked = 0
    last_id: int | None = None
    head = GENESIS
    for event in events:
        reason = None
        if last_id is not None and event.id <= last_id:
            reason = REASON_ORDER
        elif event.prev_digest != head:
            reason = REASON_LINK
        elif not _content_matches(event):
            reason = REASON_CONTENT
        if reason is not None:
            return VerifyResult(checked, last_id, head, broken_id=event.id, reason=reason)
        checked += 1
        last_id = event.id
        head = event.digest
    return VerifyResult(checked, last_id, head)


def _content_matches(event: AuditEvent) -> bool:
    try:
        return event_digest(event) == event.digest
    except (TypeError, ValueError):  # details no longer JSON-able: certainly not what was sealed
        return False


def _dumps(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
