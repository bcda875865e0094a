"""``SqlSubscriptionStore``: subscriptions, their remote->local entry map, and applying pages.

``apply_page`` writes a verified page to the mirror list, the entry map and the cursor in one
write transaction, and only if the cursor is still where the page starts: a page is applied
whole or not at all, and never twice, whoever else syncs the same subscription meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, update

from hashwarden.core.errors import ListNotFoundError
from hashwarden.core.lists.interfaces import ListChanges
from hashwarden.core.lists.models import ChangeOp, EntryData
from hashwarden.federation.errors import (
    CursorMovedError,
    FederationError,
    SubscriptionNotFoundError,
)
from hashwarden.federation.feedback import VERDICTS, FeedbackTotal
from hashwarden.federation.mirror import FinalStates
from hashwarden.federation.models import MirrorResult, Subscription
from hashwarden.storage.bulk import bulk_insert
from hashwarden.storage.database import read_transaction, write_transaction
from hashwarden.storage.entry_reads import batched
from hashwarden.storage.federation_tables import subscription_entries, subscriptions
from hashwarden.storage.list_writes import apply_changes
from hashwarden.storage.migrate import ensure_schema
from hashwarden.storage.review_store import queue_transaction
from hashwarden.storage.review_tables import review_items
from hashwarden.storage.tables import hash_lists

_subs = subscriptions.c
_map = subscription_entries.c


class SqlSubscriptionStore:
    def __init__(self, engine: Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate:
            ensure_schema(engine)

    def add(
        self,
        *,
        name: str,
        publisher_url: str,
        remote_list: str,
        list_name: str,
        token: str,
        public_keys: Sequence[str],
        now: datetime,
    ) -> Subscription:
        """Subscribe the (empty) local list ``list_name`` to a publisher's list."""
        with write_transaction(self.engine) as connection:
            list_row = connection.execute(
                select(hash_lists.c.id, hash_lists.c.sequence).where(hash_lists.c.name == list_name)
            ).one_or_none()
            if list_row is None:
                raise ListNotFoundError(list_name)
            if int(list_row.sequence) != 0:
                raise FederationError(
                    f"list {list_name!r} has entries or history of its own; "
                    "a mirror must start from an empty list"
                )
            clash = connection.execute(
                select(_subs.name).where(or_(_subs.name == name, _subs.list_id == list_row.id))
            ).first()
            if clash is not None:
                raise FederationError(
                    f"subscription {clash.name!r} exists already or mirrors into {list_name!r}"
                )
            connection.execute(
                insert(subscriptions).values(
                    name=name,
                    publisher_url=publisher_url,
                    remote_list=remote_list,
                    list_id=list_row.id,
                    token=token,
                    public_keys=list(public_keys),
                    cursor=0,
                    created_at=now,
                    last_error="",
                    failures=0,
                    next_attempt_at=None,
                    feedback_cursor=0,
                )
            )
            return _require(connection, name)

    def get(self, name: str) -> Subscription:
        with read_transaction(self.engine) as connection:
            return _require(connection, name)

    def all(self) -> list[Subscription]:
        with read_transaction(self.engine) as connection:
            rows = connection.execute(_select().order_by(_subs.name))
            return [_subscription(row._mapping) for row in rows]

    def remove(self, name: str) -> Subscription:
        """Drop the subscription; its mirror list stays, as an ordinary local list."""
        with write_transaction(self.engine) as connection:
            found = _require(connection, name)
            connection.execute(delete(subscriptions).where(_subs.id == found.id))
            return found

    def set_public_keys(self, name: str, public_keys: Sequence[str]) -> Subscription:
        with write_transaction(self.engine) as connection:
            found = _require(connection, name)
            connection.execute(
                update(subscriptions)
                .where(_subs.id == found.id)
                .values(public_keys=list(public_keys))
            )
            return _require(connection, name)

    def mirror_of(self, list_name: str) -> str | None:
        """The subscription that mirrors into ``list_name``, if any."""
        query = (
            select(_subs.name)
            .select_from(subscriptions.join(hash_lists, hash_lists.c.id == _subs.list_id))
            .where(hash_lists.c.name == list_name)
        )
        with read_transaction(self.engine) as connection:
            found = connection.scalar(query)
        return None if found is None else str(found)

    def due(self, now: datetime) -> list[str]:
        query = select(_subs.name).where(_is_due(now)).order_by(_subs.next_attempt_at, _subs.id)
        with read_transaction(self.engine) as connection:
            return [str(name) for name in connection.scalars(query)]

    def claim(
        self, name: str, now: datetime, lease_until: datetime, *, force: bool = False
    ) -> Subscription | None:
        """Take the subscription until ``lease_until`` if it is due (or ``force``); else None.

        The conditional ``UPDATE`` lets exactly one of several workers win a due subscription.
        """
        condition = [_subs.name == name]
        if not force:
            condition.append(_is_due(now))
        claim = (
            update(subscriptions)
            .where(*condition)
            .values(next_attempt_at=lease_until, last_attempt_at=now)
        )
        with queue_transaction(self.engine) as connection:
            if connection.execute(claim).rowcount != 1:
                return None
            return _require(connection, name)

    def record_success(self, subscription_id: int, now: datetime, next_at: datetime) -> None:
        self._record(
            subscription_id, last_success_at=now, last_error="", failures=0, next_attempt_at=next_at
        )

    def record_failure(
        self, subscription_id: int, error: str, failures: int, next_at: datetime
    ) -> None:
        self._record(
            subscription_id, last_error=error, failures=failures, next_attempt_at=next_at
        )

    def _record(self, subscription_id: int, **values: Any) -> None:
        with queue_transaction(self.engine) as connection:
            connection.execute(
                update(subscriptions).where(_subs.id == subscription_id).values(**values)
            )

    def apply_page(
        self,
        subscription_id: int,
        *,
        since: int,
        until: int,
        states: FinalStates,
        actor: str,
        now: datetime,
        lease_until: datetime,
    ) -> MirrorResult:
        """Apply a verified page: mirror list, entry map and cursor, atomically.

        Raises ``CursorMovedError`` (and changes nothing) unless the cursor is still ``since``.
        """
        with write_transaction(self.engine) as connection:
            row = connection.execute(
                select(_subs.cursor, _subs.list_id, _subs.name)
                .where(_subs.id == subscription_id)
                .with_for_update()
            ).one_or_none()
            if row is None:
                raise SubscriptionNotFoundError(str(subscription_id))
            if int(row.cursor) != since:
                raise CursorMovedError(
                    f"subscription {row.name!r} is at sequence {row.cursor} now, not {since}: "
                    "another sync applied pages meanwhile"
                )
            list_row = connection.execute(
                select(hash_lists).where(hash_lists.c.id == row.list_id).with_for_update()
            ).one()
            result = _apply_states(connection, subscription_id, list_row, states, actor, now)
            connection.execute(
                update(subscriptions)
                .where(_subs.id == subscription_id)
                .values(cursor=until, next_attempt_at=lease_until)
            )
        return result

    def feedback_since(self, subscription_id: int, after: datetime) -> list[FeedbackTotal]:
        """Verdict totals of the mirrored entries that were decided on after ``after``."""
        recent = (
            select(_map.remote_entry_id, review_items.c.entry_id)
            .select_from(
                review_items.join(
                    subscription_entries, _map.local_entry_id == review_items.c.entry_id
                )
            )
            .where(
                _map.subscription_id == subscription_id,
                review_items.c.decided_at > after,
                review_items.c.status.in_(VERDICTS),
            )
        )
        with read_transaction(self.engine, snapshot=True) as connection:
            remote_of = {int(local): int(remote) for remote, local in connection.execute(recent)}
            counted: dict[int, dict[str, int]] = {}
            for ids in batched(remote_of):
                query = (
                    select(review_items.c.entry_id, review_items.c.status, func.count())
                    .where(review_items.c.entry_id.in_(ids), review_items.c.status.in_(VERDICTS))
                    .group_by(review_items.c.entry_id, review_items.c.status)
                )
                for local_id, status, count in connection.execute(query):
                    counted.setdefault(int(local_id), {})[str(status)] = int(count)
        return [
            FeedbackTotal(remote_of[local_id], **counts)
            for local_id, counts in sorted(counted.items())
        ]

    def set_feedback_cursor(self, subscription_id: int, cursor: int) -> None:
        self._record(subscription_id, feedback_cursor=cursor)

    def local_entry_ids(self, subscription_id: int) -> dict[int, int]:
        """Remote entry id -> local entry id, for every live mirrored entry."""
        query = select(_map.remote_entry_id, _map.local_entry_id).where(
            _map.subscription_id == subscription_id
        )
        with read_transaction(self.engine) as connection:
            return {int(remote): int(local) for remote, local in connection.execute(query)}


def _apply_states(
    connection: Connection,
    subscription_id: int,
    list_row: Any,
    states: FinalStates,
    actor: str,
    now: datetime,
) -> MirrorResult:
    mapped: dict[int, int] = {}
    for ids in batched(states):
        query = select(_map.remote_entry_id, _map.local_entry_id).where(
            _map.subscription_id == subscription_id, _map.remote_entry_id.in_(ids)
        )
        mapped.update((int(r), int(loc)) for r, loc in connection.execute(query))
    add: list[tuple[int, EntryData]] = []
    changed: list[tuple[int, EntryData]] = []
    removed: list[int] = []
    for remote_id, data in states.items():
        local_id = mapped.get(remote_id)
        if data is None:
            if local_id is not None:
                removed.append(remote_id)
        elif local_id is None:
            add.append((remote_id, data))
        else:
            changed.append((local_id, data))
    changes = ListChanges(
        add=[data for _, data in add],
        update=changed,
        remove=[mapped[remote_id] for remote_id in removed],
        actor=actor,
    )
    applied = apply_changes(connection, list_row, changes, now)
    # apply_changes writes adds first, in the order given.
    added_ids = [change.entry.id for change in applied if change.op is ChangeOp.ADD]
    bulk_insert(
        connection,
        subscription_entries,
        [
            {"subscription_id": subscription_id, "remote_entry_id": r, "local_entry_id": loc}
            for (r, _), loc in zip(add, added_ids, strict=True)
        ],
    )
    for ids in batched(removed):
        connection.execute(
            delete(subscription_entries).where(
                _map.subscription_id == subscription_id, _map.remote_entry_id.in_(ids)
            )
        )
    return MirrorResult(added=len(add), updated=len(changed), removed=len(removed))


def _is_due(now: datetime) -> Any:
    return or_(_subs.next_attempt_at.is_(None), _subs.next_attempt_at <= now)


def _select() -> Any:
    return select(subscriptions, hash_lists.c.name.label("list_name")).select_from(
        subscriptions.join(hash_lists, hash_lists.c.id == _subs.list_id)
    )


def _require(connection: Connection, name: str) -> Subscription:
    row = connection.execute(_select().where(_subs.name == name)).one_or_none()
    if row is None:
        raise SubscriptionNotFoundError(name)
    return _subscription(row._mapping)


def _subscription(row: Any) -> Subscription:
    return Subscription(
        id=int(row["id"]),
        name=str(row["name"]),
        publisher_url=str(row["publisher_url"]),
        remote_list=str(row["remote_list"]),
        list_name=str(row["list_name"]),
        public_keys=tuple(row["public_keys"]),
        cursor=int(row["cursor"]),
        created_at=row["created_at"],
        last_attempt_at=row["last_attempt_at"],
        last_success_at=row["last_success_at"],
        last_error=str(row["last_error"]),
        failures=int(row["failures"]),
        next_attempt_at=row["next_attempt_at"],
        feedback_cursor=int(row["feedback_cursor"]),
        token=str(row["token"]),
    )
