"""``SqlWebhookStore``: the webhook delivery log and its due queue over SQLAlchemy.

Senders in every worker take due deliveries with a conditional ``UPDATE`` that pushes the due
time ahead by a lease: exactly one sender wins each row (see ``review_store``), and a sender that
dies mid-delivery only delays it until the lease runs out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from hashwarden.review.models import (
    DeliveryStatus,
    HitAction,
    WebhookAttempt,
    WebhookDelivery,
)
from hashwarden.storage.database import read_transaction
from hashwarden.storage.migrate import ensure_schema
from hashwarden.storage.review_store import queue_transaction
from hashwarden.storage.review_tables import list_actions, webhook_attempts, webhook_deliveries
from hashwarden.storage.tables import hash_lists

_deliveries = webhook_deliveries.c


class SqlWebhookStore:
    def __init__(self, engine: Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate:
            ensure_schema(engine)

    def take_due(self, now: datetime, lease_until: datetime, limit: int) -> list[WebhookDelivery]:
        due = (
            _deliveries.status == DeliveryStatus.PENDING.value,
            _deliveries.next_attempt_at <= now,
        )
        candidates = (
            select(_deliveries.id)
            .where(*due)
            .order_by(_deliveries.next_attempt_at, _deliveries.id)
            .limit(limit)
        )
        with read_transaction(self.engine) as connection:
            found = [int(delivery_id) for delivery_id in connection.scalars(candidates)]
        taken: list[int] = []
        for delivery_id in found:
            # A transaction per row: no sender ever holds two row locks, so none can deadlock.
            claim = (
                update(webhook_deliveries)
                .where(_deliveries.id == delivery_id, *due)
                .values(next_attempt_at=lease_until)
            )
            with queue_transaction(self.engine) as connection:
                if connection.execute(claim).rowcount == 1:
                    taken.append(delivery_id)
        if not taken:
            return []
        with read_transaction(self.engine) as connection:
            rows = connection.execute(
                select(webhook_deliveries).where(_deliveries.id.in_(taken)).order_by(_deliveries.id)
            )
            return [_delivery(row._mapping) for row in rows]

    def record_attempt(
        self,
        delivery_id: int,
        attempt: WebhookAttempt,
        status: DeliveryStatus,
        next_attempt_at: datetime | None,
    ) -> None:
        with queue_transaction(self.engine) as connection:
            connection.execute(
                insert(webhook_attempts).values(
                    delivery_id=delivery_id,
                    attempt=attempt.attempt,
                    at=attempt.at,
                    status_code=attempt.status_code,
                    error=attempt.error,
                    duration_ms=attempt.duration_ms,
                )
            )
            connection.execute(
                update(webhook_deliveries)
                .where(_deliveries.id == delivery_id)
                .values(
                    status=status.value,
                    attempts=attempt.attempt,
                    next_attempt_at=next_attempt_at,
                    delivered_at=attempt.at if status is DeliveryStatus.DELIVERED else None,
                )
            )

    def webhook_secret(self, list_name: str) -> str | None:
        query = (
            select(list_actions.c.actions, list_actions.c.webhook_secret)
            .select_from(hash_lists.join(list_actions))
            .where(hash_lists.c.name == list_name)
        )
        with read_transaction(self.engine) as connection:
            row = connection.execute(query).one_or_none()
        if row is None or HitAction.WEBHOOK.value not in row.actions or not row.webhook_secret:
            return None
        return str(row.webhook_secret)

    def deliveries(
        self, list_name: str | None, after_id: int, limit: int
    ) -> list[WebhookDelivery]:
        query = select(webhook_deliveries).where(_deliveries.id > after_id)
        if list_name is not None:
            query = query.where(_deliveries.list_name == list_name)
        query = query.order_by(_deliveries.id).limit(max(0, limit))
        with read_transaction(self.engine) as connection:
            found = [_delivery(row._mapping) for row in connection.execute(query)]
            if not found:
                return []
            logs: dict[int, list[WebhookAttempt]] = {}
            attempts = (
                select(webhook_attempts)
                .where(webhook_attempts.c.delivery_id.in_([d.id for d in found]))
                .order_by(webhook_attempts.c.delivery_id, webhook_attempts.c.attempt)
            )
            for row in connection.execute(attempts):
                logs.setdefault(int(row.delivery_id), []).append(_attempt(row._mapping))
        return [replace(delivery, log=tuple(logs.get(delivery.id, ()))) for delivery in found]


def _delivery(row: Any) -> WebhookDelivery:
    return WebhookDelivery(
        id=int(row["id"]),
        event_id=row["event_id"],
        match_id=row["match_id"],
        list_name=row["list_name"],
        entry_id=int(row["entry_id"]),
        url=row["url"],
        body=row["body"],
        status=DeliveryStatus(row["status"]),
        attempts=int(row["attempts"]),
        created_at=row["created_at"],
        next_attempt_at=row["next_attempt_at"],
        delivered_at=row["delivered_at"],
    )


def _attempt(row: Any) -> WebhookAttempt:
    return WebhookAttempt(
        attempt=int(row["attempt"]),
        at=row["at"],
        status_code=None if row["status_code"] is None else int(row["status_code"]),
        error=row["error"],
        duration_ms=int(row["duration_ms"]),
    )
