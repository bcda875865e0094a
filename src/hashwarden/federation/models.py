"""Subscriptions as the subscriber keeps them (plain dataclasses, no storage concerns)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    name: str
    #: Base URL of the publishing instance.
    publisher_url: str
    remote_list: str
    #: The local list that mirrors ``remote_list``.
    list_name: str
    #: Pinned publisher keys (base64 of the raw Ed25519 keys).
    public_keys: tuple[str, ...]
    #: The publisher's list sequence applied so far.
    cursor: int
    created_at: datetime
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str = ""
    failures: int = 0
    next_attempt_at: datetime | None = None
    #: Review decisions up to this time (microseconds since the epoch) were sent back.
    feedback_cursor: int = 0
    #: The publisher's ``subscriber`` token; kept out of ``repr`` so it never lands in a log.
    token: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class MirrorResult:
    """What one applied page did to the mirror list."""

    added: int = 0
    updated: int = 0
    removed: int = 0
