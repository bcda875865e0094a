"""Request and response bodies (pydantic), i.e. the OpenAPI schema of ``/v1``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hashwarden.core.matching.models import Hit, MatchOutcome
from hashwarden.review.models import ListActions, MatchAction, ReviewItem, WebhookDelivery


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatchRequest(Strict):
    signals: dict[str, list[str]] = Field(
        description="Signal type -> values, e.g. {\"pdq\": [\"<64 hex>\"], \"md5\": [\"...\"]}",
        examples=[{"pdq": ["f" * 64], "md5": ["d41d8cd98f00b204e9800998ecf8427e"]}],
    )
    lists: list[str] | None = Field(
        default=None, description="Only these block lists (default: all). Allow lists always apply."
    )
    reference: str | None = Field(
        default=None,
        max_length=200,
        description="Your own id for the upload; review items and webhooks carry it.",
    )


class HitOut(BaseModel):
    list: str
    list_kind: str
    entry_id: int
    signal_type: str
    #: Withheld from platform tokens: they learn that and how closely they matched, not the list.
    matched_value: str | None = None
    distance: int
    category: str | None
    source: str
    external_id: str
    variant: str

    @classmethod
    def of(cls, hit: Hit, *, reveal_value: bool) -> HitOut:
        return cls(
            list=hit.list_name,
            list_kind=str(hit.list_kind),
            entry_id=hit.entry_id,
            signal_type=hit.signal_type,
            matched_value=hit.matched_value if reveal_value else None,
            distance=hit.distance,
            category=hit.category,
            source=hit.source,
            external_id=hit.external_id,
            variant=hit.variant,
        )


class MatchResponse(BaseModel):
    matches: list[HitOut]
    allowed: list[HitOut] = []
    suppressed: list[HitOut] = []
    notes: list[str] = []
    #: ``block`` when a standing hit's list blocks, ``review`` when a review was queued.
    action: MatchAction = MatchAction.NONE
    #: Review items queued by this match; shown to roles that may read lists only.
    review_ids: list[int] | None = None

    @classmethod
    def of(
        cls,
        outcome: MatchOutcome,
        *,
        reveal_values: bool,
        action: MatchAction = MatchAction.NONE,
        review_ids: list[int] | None = None,
    ) -> MatchResponse:
        def convert(hits: list[Hit]) -> list[HitOut]:
            return [HitOut.of(hit, reveal_value=reveal_values) for hit in hits]

        return cls(
            matches=convert(outcome.hits),
            allowed=convert(outcome.allowed),
            suppressed=convert(outcome.suppressed),
            notes=list(outcome.notes),
            action=action,
            review_ids=review_ids,
        )


class PdqOut(BaseModel):
    hash: str
    quality: int


class VideoFrameOut(BaseModel):
    frame: int
    quality: int
    hash: str
    timestamp: float


class MediaSignalsOut(BaseModel):
    media_type: str
    size: int
    md5: str
    sha1: str
    sha256: str
    pdq: PdqOut | None = None
    pdq_exif: PdqOut | None = None
    #: Frame hashes of a video (one per second).
    vpdq: list[VideoFrameOut] | None = None


class MediaMatchResponse(MatchResponse):
    signals: MediaSignalsOut


class ListIn(Strict):
    name: str
    description: str = ""
    kind: str = Field(default="block", pattern="^(block|allow)$")
    thresholds: dict[str, int] = {}
    classification_scheme: str = ""


class ListPatchIn(Strict):
    description: str | None = None
    kind: str | None = Field(default=None, pattern="^(block|allow)$")
    thresholds: dict[str, int] | None = None
    classification_scheme: str | None = None


class ListOut(BaseModel):
    name: str
    description: str
    kind: str
    thresholds: dict[str, int]
    classification_scheme: str
    sequence: int
    entries: int
    created_at: datetime | None


class EntriesIn(Strict):
    entries: list[dict[str, Any]] = Field(
        description="Entries in the JSON Lines export shape: signals, category, source, ...",
        max_length=100_000,
    )


class ImportSummaryOut(BaseModel):
    added: int
    merged: int
    unchanged: int
    records: int
    sequence: int
    #: Entries removed by deletion notices in the file (NCMEC ``deletedImage``).
    removed: int = 0


class RemoveIn(Strict):
    ids: list[int] = Field(max_length=100_000)


class ChangeOut(BaseModel):
    sequence: int
    op: str
    at: datetime
    entry: dict[str, Any]


class ChangesOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    list_name: str = Field(alias="list")
    changes: list[ChangeOut]
    #: Pass as ``since`` for the next page; equal to ``since`` when there was nothing new.
    next_since: int
    #: The list's newest sequence number.
    sequence: int


class TokenIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    role: str
    lists: list[str] = []
    expires_in_seconds: int | None = Field(default=None, gt=0)


class TokenOut(BaseModel):
    id: int
    name: str
    role: str
    lists: list[str]
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class IssuedTokenOut(TokenOut):
    #: Shown once; store it now.
    token: str


class ListActionsIn(Strict):
    actions: list[Literal["block", "review", "webhook"]] = Field(
        max_length=3, description="What hits on this list do; an empty list: just report them."
    )
    webhook_url: str | None = Field(default=None, max_length=2000)
    #: Write-only. Omit it to keep the current secret when changing the URL.
    webhook_secret: str | None = Field(default=None, max_length=200)


class ListActionsOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    list_name: str = Field(alias="list")
    actions: list[str]
    webhook_url: str | None = None
    #: Whether a secret is stored; the secret itself is never returned.
    webhook_secret_set: bool
    updated_at: datetime | None
    updated_by: str

    @classmethod
    def of(cls, settings: ListActions) -> ListActionsOut:
        return cls(
            list=settings.list_name,
            actions=sorted(action.value for action in settings.actions),
            webhook_url=settings.webhook_url or None,
            webhook_secret_set=bool(settings.webhook_secret),
            updated_at=settings.updated_at,
            updated_by=settings.updated_by,
        )


class ReviewItemOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    match_id: str
    created_at: datetime
    list_name: str = Field(alias="list")
    entry_id: int
    category: str | None
    signal_type: str
    distance: int
    variant: str
    #: The queried hash; only for roles that may read lists (for exact types it is the listed
    #: value itself).
    query_value: str | None = None
    requester: str
    reference: str
    status: str
    claimed_by: str | None
    claimed_at: datetime | None
    claim_expires_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None

    @classmethod
    def of(cls, item: ReviewItem, *, reveal_value: bool) -> ReviewItemOut:
        hit = item.hit
        return cls(
            id=item.id,
            match_id=hit.match_id,
            created_at=item.created_at,
            list=hit.list_name,
            entry_id=hit.entry_id,
            category=hit.category,
            signal_type=hit.signal_type,
            distance=hit.distance,
            variant=hit.variant,
            query_value=hit.query_value if reveal_value else None,
            requester=hit.requester,
            reference=hit.reference,
            status=str(item.status),
            claimed_by=item.claimed_by,
            claimed_at=item.claimed_at,
            claim_expires_at=item.claim_expires_at,
            decided_by=item.decided_by,
            decided_at=item.decided_at,
            reason=item.reason,
        )


class ReviewItemsOut(BaseModel):
    items: list[ReviewItemOut]
    #: Pass as ``after_id`` for the next page; ``None`` on the last page.
    next_after_id: int | None


class DecisionIn(Strict):
    decision: Literal["confirmed", "false_positive", "escalated"]
    reason: str = Field(default="", max_length=2000, description="Required unless confirmed.")


class DisputedEntryOut(BaseModel):
    entry_id: int
    reviews: dict[str, int]


class WebhookAttemptOut(BaseModel):
    attempt: int
    at: datetime
    status_code: int | None
    error: str
    duration_ms: int


class WebhookDeliveryOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    event_id: str
    match_id: str
    list_name: str = Field(alias="list")
    entry_id: int
    url: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    log: list[WebhookAttemptOut]

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> WebhookDeliveryOut:
        return cls(
            id=delivery.id,
            event_id=delivery.event_id,
            match_id=delivery.match_id,
            list=delivery.list_name,
            entry_id=delivery.entry_id,
            url=delivery.url,
            status=str(delivery.status),
            attempts=delivery.attempts,
            created_at=delivery.created_at,
            next_attempt_at=delivery.next_attempt_at,
            delivered_at=delivery.delivered_at,
            log=[
                WebhookAttemptOut(
                    attempt=attempt.attempt,
                    at=attempt.at,
                    status_code=attempt.status_code,
                    error=attempt.error,
                    duration_ms=attempt.duration_ms,
                )
                for attempt in delivery.log
            ],
        )


class DeliveriesOut(BaseModel):
    deliveries: list[WebhookDeliveryOut]
    next_after_id: int | None
