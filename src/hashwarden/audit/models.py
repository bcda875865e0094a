"""Audit events and their hash chain (pure domain)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """What a caller asks to be logged."""

    actor: str
    #: Dotted verb, e.g. ``lists.read``, ``entries.add``, ``match``, ``review.decide``,
    #: ``tokens.create``.
    action: str
    #: What it acted on, e.g. ``list:known`` or ``token:7``; empty when nothing in particular.
    object: str = ""
    #: Small JSON-able details (counts, outcome). Never hash values or list contents.
    details: dict[str, Any] = field(default_factory=dict)
    #: When it happened; default: when it is written. Buffered events pass the request's time.
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """A stored event: the record, its position, time and chain digests."""

    id: int
    at: datetime
    actor: str
    action: str
    object: str
    details: dict[str, Any]
    #: Digest of the previous event (64 zeros for the first).
    prev_digest: str
    #: SHA-256 over ``prev_digest`` and this event's canonical JSON.
    digest: str
