"""What lists do with their hits, the review queue's items and the webhook delivery log."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class HitAction(StrEnum):
    #: The match response tells the caller to block the upload.
    BLOCK = "block"
    #: A review item is queued for a human.
    REVIEW = "review"
    #: A signed POST goes to the list's webhook URL.
    WEBHOOK = "webhook"


class MatchAction(StrEnum):
    """What a match response tells the caller, strongest first."""

    BLOCK = "block"
    REVIEW = "review"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class ListActions:
    """A list's hit actions; a list without any just reports its hits."""

    list_name: str
    actions: frozenset[HitAction] = frozenset()
    webhook_url: str = ""
    #: Signs webhook bodies. Write-only: never returned by the API, never logged.
    webhook_secret: str = field(default="", repr=False)
    updated_at: datetime | None = None
    updated_by: str = ""


class ReviewStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    CONFIRMED = "confirmed"
    FALSE_POSITIVE = "false_positive"
    ESCALATED = "escalated"


class Decision(StrEnum):
    CONFIRMED = "confirmed"
    FALSE_POSITIVE = "false_positive"
    ESCALATED = "escalated"


@dataclass(frozen=True, slots=True)
class QueuedHit:
    """One hit worth acting on: the closest hit of one entry in one match.

    Holds the query's hash, never media; the listed value is not kept (the entry id finds it).
    """

    #: Shared by everything one match request queued.
    match_id: str
    list_name: str
    entry_id: int
    category: str | None
    signal_type: str
    distance: int
    variant: str
    #: The queried hash that matched (shown only to roles that may read lists).
    query_value: str
    #: The audit actor of the caller that matched.
    requester: str
    #: The caller's own reference for the upload, if it gave one.
    reference: str = ""


@dataclass(frozen=True, slots=True)
class ReviewItem:
    id: int
    created_at: datetime
    hit: QueuedHit
    status: ReviewStatus = ReviewStatus.PENDING
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    claim_expires_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None

    def as_of(self, now: datetime) -> ReviewItem:
        """The item as the queue sees it at ``now``: an expired claim is pending again."""
        expired = self.claim_expires_at is not None and self.claim_expires_at <= now
        if self.status is ReviewStatus.CLAIMED and expired:
            return dataclasses.replace(
                self,
                status=ReviewStatus.PENDING,
                claimed_by=None,
                claimed_at=None,
                claim_expires_at=None,
            )
        return self


@dataclass(frozen=True, slots=True)
class DecisionCounts:
    """How reviewers judged the hits on one entry; many false positives mark a bad entry."""

    confirmed: int = 0
    false_positive: int = 0
    escalated: int = 0

    def as_json(self) -> dict[str, int]:
        return {
            "confirmed": self.confirmed,
            "false_positive": self.false_positive,
            "escalated": self.escalated,
        }


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    #: Every attempt failed; no more are made.
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class NewDelivery:
    event_id: str
    match_id: str
    list_name: str
    entry_id: int
    url: str
    #: The exact JSON body sent (and signed) on every attempt.
    body: str


@dataclass(frozen=True, slots=True)
class WebhookAttempt:
    attempt: int
    at: datetime
    #: The receiver's HTTP status; ``None`` when no response came.
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    id: int
    event_id: str
    match_id: str
    list_name: str
    entry_id: int
    url: str
    body: str
    status: DeliveryStatus
    #: Attempts made so far.
    attempts: int
    created_at: datetime
    #: When the next attempt is due (pending deliveries only).
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    #: Every attempt, oldest first (filled when the log is read).
    log: tuple[WebhookAttempt, ...] = ()


@dataclass(frozen=True, slots=True)
class HitPlan:
    """What one match's hits call for; ``items`` and ``deliveries`` are written in one go."""

    action: MatchAction = MatchAction.NONE
    items: tuple[QueuedHit, ...] = ()
    deliveries: tuple[NewDelivery, ...] = ()

    @property
    def writes(self) -> bool:
        return bool(self.items or self.deliveries)
