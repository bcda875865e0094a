"""``SqlReviewStore``: list actions and the review queue over SQLAlchemy (SQLite or PostgreSQL).

Claims and decisions are single conditional ``UPDATE`` statements whose row count says whether
they won: on PostgreSQL a concurrent update of the same row waits for the first to commit and
then re-checks the condition against the new row, on SQLite writers are serialised, so two
reviewers can never both claim or decide one item.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from hashwarden.core.errors import ListNotFoundError, ReviewItemNotFoundError
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
)
from hashwarden.storage.database import read_transaction, write_transaction
from hashwarden.storage.entry_reads import batched
from hashwarden.storage.migrate import ensure_schema
from hashwarden.storage.review_tables import list_actions, review_items, webhook_deliveries
from hashwarden.storage.tables import entries, hash_lists

_DECIDED = tuple(decision.value for decision in Decision)


@contextmanager
def queue_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction for the queue tables.

    On PostgreSQL it skips the writers' lock: that lock orders the signal feed, which these
    tables are no part of, and a match with hits must not wait for an import holding it.
    """
    with write_transaction(engine, lock=None) as connection:
        yield connection


class SqlReviewStore:
    def __init__(self, engine: Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate:
            ensure_schema(engine)

    # -- list actions ----------------------------------------------------------------------

    def get_actions(self, list_name: str) -> ListActions:
        with read_transaction(self.engine) as connection:
            query = (
                select(hash_lists.c.name, list_actions)
                .select_from(hash_lists.outerjoin(list_actions))
                .where(hash_lists.c.name == list_name)
            )
            row = connection.execute(query).one_or_none()
        if row is None:
            raise ListNotFoundError(list_name)
        return _actions(row._mapping)

    def all_actions(self) -> dict[str, ListActions]:
        with read_transaction(self.engine) as connection:
            query = select(hash_lists.c.name, list_actions).select_from(
                hash_lists.join(list_actions)
            )
            found = [_actions(row._mapping) for row in connection.execute(query)]
        return {settings.list_name: settings for settings in found}

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
        with queue_transaction(self.engine) as connection:
            # Locks the list row, so two curators setting actions at once take turns.
            query = select(hash_lists.c.id).where(hash_lists.c.name == list_name)
            list_id = connection.scalar(query.with_for_update())
            if list_id is None:
                raise ListNotFoundError(list_name)
            current = select(list_actions.c.webhook_secret).where(
                list_actions.c.list_id == list_id
            )
            secret = webhook_secret
            if secret is None:
                secret = connection.scalar(current) or ""
            connection.execute(delete(list_actions).where(list_actions.c.list_id == list_id))
            connection.execute(
                insert(list_actions).values(
                    list_id=list_id,
                    actions=sorted(action.value for action in actions),
                    webhook_url=webhook_url,
                    webhook_secret=secret,
                    updated_at=at,
                    updated_by=actor,
                )
            )
        return self.get_actions(list_name)

    # -- hits ------------------------------------------------------------------------------

    def record_hits(
        self, items: Sequence[QueuedHit], deliveries: Sequence[NewDelivery], at: datetime
    ) -> list[int]:
        with queue_transaction(self.engine) as connection:
            ids: list[int] = []
            if items:
                inserted = connection.execute(
                    insert(review_items).returning(
                        review_items.c.id, sort_by_parameter_order=True
                    ),
                    [_item_row(item, at) for item in items],
                )
                ids = [int(item_id) for item_id in inserted.scalars()]
            if deliveries:
                connection.execute(
                    insert(webhook_deliveries), [_delivery_row(d, at) for d in deliveries]
                )
        return ids

    # -- the queue -------------------------------------------------------------------------

    def get_item(self, item_id: int) -> ReviewItem:
        with read_transaction(self.engine) as connection:
            query = select(review_items).where(review_items.c.id == item_id)
            row = connection.execute(query).one_or_none()
        if row is None:
            raise ReviewItemNotFoundError(item_id)
        return _item(row._mapping)

    def items(
        self, status: ReviewStatus, now: datetime, after_id: int, limit: int
    ) -> list[ReviewItem]:
        query = (
            select(review_items)
            .where(_in_status(status, now), review_items.c.id > after_id)
            .order_by(review_items.c.id)
            .limit(max(0, limit))
        )
        with read_transaction(self.engine) as connection:
            return [_item(row._mapping) for row in connection.execute(query)]

    def claim(self, item_id: int, actor: str, now: datetime, expires_at: datetime) -> bool:
        claimable = or_(
            review_items.c.status == ReviewStatus.PENDING.value,
            and_(
                review_items.c.status == ReviewStatus.CLAIMED.value,
                or_(review_items.c.claim_expires_at <= now, review_items.c.claimed_by == actor),
            ),
        )
        statement = (
            update(review_items)
            .where(review_items.c.id == item_id, claimable)
            .values(
                status=ReviewStatus.CLAIMED.value,
                claimed_by=actor,
                claimed_at=now,
                claim_expires_at=expires_at,
            )
        )
        with queue_transaction(self.engine) as connection:
            return connection.execute(statement).rowcount == 1

    def decide(
        self, item_id: int, actor: str, decision: Decision, reason: str, now: datetime
    ) -> bool:
        statement = (
            update(review_items)
            .where(
                review_items.c.id == item_id,
                review_items.c.status == ReviewStatus.CLAIMED.value,
                review_items.c.claimed_by == actor,
                review_items.c.claim_expires_at > now,
            )
            .values(status=decision.value, decided_by=actor, decided_at=now, reason=reason)
        )
        with queue_transaction(self.engine) as connection:
            return connection.execute(statement).rowcount == 1

    def decision_counts(self, entry_ids: Sequence[int]) -> dict[int, DecisionCounts]:
        counted: dict[int, dict[str, int]] = {}
        with read_transaction(self.engine) as connection:
            for chunk in batched(dict.fromkeys(entry_ids)):
                query = (
                    select(review_items.c.entry_id, review_items.c.status, func.count())
                    .where(
                        review_items.c.entry_id.in_(chunk),
                        review_items.c.status.in_(_DECIDED),
                    )
                    .group_by(review_items.c.entry_id, review_items.c.status)
                )
                for entry_id, status, count in connection.execute(query):
                    counted.setdefault(int(entry_id), {})[status] = int(count)
        return {entry_id: DecisionCounts(**counts) for entry_id, counts in counted.items()}

    def most_disputed(self, list_name: str, limit: int) -> list[tuple[int, DecisionCounts]]:
        def counting(decision: Decision) -> Any:
            hit = case((review_items.c.status == decision.value, 1), else_=0)
            return func.sum(hit).label(decision.value)

        false_positives = counting(Decision.FALSE_POSITIVE)
        query = (
            select(
                review_items.c.entry_id,
                counting(Decision.CONFIRMED),
                false_positives,
                counting(Decision.ESCALATED),
            )
            # Through ``entries``: a list deleted and created again under the same name must
            # not inherit the old list's reviews.
            .select_from(review_items.join(entries, entries.c.id == review_items.c.entry_id))
            .join(hash_lists, hash_lists.c.id == entries.c.list_id)
            .where(hash_lists.c.name == list_name, review_items.c.status.in_(_DECIDED))
            .group_by(review_items.c.entry_id)
            .order_by(false_positives.desc(), review_items.c.entry_id)
            .limit(max(0, limit))
        )
        with read_transaction(self.engine) as connection:
            known = select(hash_lists.c.id).where(hash_lists.c.name == list_name)
            if connection.scalar(known) is None:
                raise ListNotFoundError(list_name)
            return [
                (
                    int(row.entry_id),
                    DecisionCounts(
                        confirmed=int(row.confirmed),
                        false_positive=int(row.false_positive),
                        escalated=int(row.escalated),
                    ),
                )
                for row in connection.execute(query)
            ]


def _in_status(status: ReviewStatus, now: datetime) -> ColumnElement[bool]:
    """Rows in ``status`` as the queue sees it at ``now`` (an expired claim is pending)."""
    claimed = review_items.c.status == ReviewStatus.CLAIMED.value
    if status is ReviewStatus.PENDING:
        return or_(
            review_items.c.status == ReviewStatus.PENDING.value,
            and_(claimed, review_items.c.claim_expires_at <= now),
        )
    if status is ReviewStatus.CLAIMED:
        return and_(claimed, review_items.c.claim_expires_at > now)
    return review_items.c.status == status.value


def _actions(row: Any) -> ListActions:
    if row["list_id"] is None:
        return ListActions(row["name"])
    return ListActions(
        list_name=row["name"],
        actions=frozenset(HitAction(name) for name in row["actions"]),
        webhook_url=row["webhook_url"],
        webhook_secret=row["webhook_secret"],
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
    )


def _item_row(item: QueuedHit, at: datetime) -> dict[str, Any]:
    return {
        "match_id": item.match_id,
        "created_at": at,
        "list_name": item.list_name,
        "entry_id": item.entry_id,
        "category": item.category,
        "signal_type": item.signal_type,
        "distance": item.distance,
        "variant": item.variant,
        "query_value": item.query_value,
        "requester": item.requester,
        "reference": item.reference,
        "status": ReviewStatus.PENDING.value,
    }


def _delivery_row(delivery: NewDelivery, at: datetime) -> dict[str, Any]:
    return {
        "event_id": delivery.event_id,
        "match_id": delivery.match_id,
        "list_name": delivery.list_name,
        "entry_id": delivery.entry_id,
        "url": delivery.url,
        "body": delivery.body,
        "status": DeliveryStatus.PENDING.value,
        "attempts": 0,
        "created_at": at,
        "next_attempt_at": at,
    }


def _item(row: Any) -> ReviewItem:
    return ReviewItem(
        id=int(row["id"]),
        created_at=row["created_at"],
        hit=QueuedHit(
            match_id=row["match_id"],
            list_name=row["list_name"],
            entry_id=int(row["entry_id"]),
            category=row["category"],
            signal_type=row["signal_type"],
            distance=int(row["distance"]),
            variant=row["variant"],
            query_value=row["query_value"],
            requester=row["requester"],
            reference=row["reference"],
        ),
        status=ReviewStatus(row["status"]),
        claimed_by=row["claimed_by"],
        claimed_at=row["claimed_at"],
        claim_expires_at=row["claim_expires_at"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        reason=row["reason"],
    )
