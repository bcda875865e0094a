"""What the review service and the webhook sender need from storage.

``hashwarden.storage.review_store`` and ``hashwarden.storage.webhook_store`` implement them.
Conditional writes (claim, decide, taking a due delivery) report whether they won, so two
workers or reviewers racing for the same row never both succeed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from hashwarden.review.models import (
    Decision,
    DecisionCounts,
    DeliveryStatus,
    HitAction,
    ListActions,
    NewDelivery,
    QueuedHit,
    ReviewItem,
    ReviewStatus,
    WebhookAttempt,
    WebhookDelivery,
)


class ReviewStore(Protocol):
    def get_actions(self, list_name: str) -> ListActions:
        """The list's actions (none configured: an empty set); ``ListNotFoundError`` if unknown."""
        ...

    def all_actions(self) -> dict[str, ListActions]: ...

    def set_actions(
        self,
        list_name: str,
        actions: frozenset[HitAction],
        webhook_url: str,
        webhook_secret: str | None,
        *,
        at: datetime,
        actor: str,
    ) -> ListActions:
        """Replace the list's actions; ``webhook_secret`` ``None`` keeps the stored one."""
        ...

    def record_hits(
        self, items: Sequence[QueuedHit], deliveries: Sequence[NewDelivery], at: datetime
    ) -> list[int]:
        """Queue review items and webhook deliveries in one transaction; returns the item ids."""
        ...

    def get_item(self, item_id: int) -> ReviewItem: ...

    def items(
        self, status: ReviewStatus, now: datetime, after_id: int, limit: int
    ) -> list[ReviewItem]:
        """Items in id order; ``pending`` includes claims expired by ``now``."""
        ...

    def claim(self, item_id: int, actor: str, now: datetime, expires_at: datetime) -> bool:
        """Claim a pending item (or one whose claim expired, or ``actor``'s own): won or not."""
        ...

    def decide(
        self, item_id: int, actor: str, decision: Decision, reason: str, now: datetime
    ) -> bool:
        """Decide an item ``actor`` holds an unexpired claim on: done or not."""
        ...

    def decision_counts(self, entry_ids: Sequence[int]) -> dict[int, DecisionCounts]: ...

    def most_disputed(self, list_name: str, limit: int) -> list[tuple[int, DecisionCounts]]:
        """Entries of the list with decided reviews, most false positives first."""
        ...


class WebhookStore(Protocol):
    def take_due(self, now: datetime, lease_until: datetime, limit: int) -> list[WebhookDelivery]:
        """Deliveries due by ``now``, each taken by this caller alone until ``lease_until``."""
        ...

    def record_attempt(
        self,
        delivery_id: int,
        attempt: WebhookAttempt,
        status: DeliveryStatus,
        next_attempt_at: datetime | None,
    ) -> None: ...

    def webhook_secret(self, list_name: str) -> str | None:
        """The list's current secret; ``None`` once it has no webhook (or no longer exists)."""
        ...

    def deliveries(
        self, list_name: str | None, after_id: int, limit: int
    ) -> list[WebhookDelivery]:
        """Deliveries in id order with their attempt logs."""
        ...
