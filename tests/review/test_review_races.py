"""Racing reviewers and webhook senders: each item and delivery has exactly one winner."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from hashwarden.core.errors import ReviewConflictError
from hashwarden.core.lists.models import EntryData, ListKind, Signal
from hashwarden.core.lists.services import ListService
from hashwarden.core.matching.models import Hit, MatchOutcome
from hashwarden.review.services import ReviewService
from hashwarden.storage.database import create_engine
from hashwarden.storage.list_store import SqlListStore
from hashwarden.storage.review_store import SqlReviewStore
from hashwarden.storage.webhook_store import SqlWebhookStore

THREADS = 6
ITEMS = 12


def _setup(store: SqlListStore, engine: Engine, actions: list[str]) -> tuple[ReviewService, Hit]:
    lists = ListService(store)
    lists.create_list("known")
    lists.add_entries("known", [EntryData(signals=(Signal("md5", "a" * 32),))])
    [entry] = lists.entries("known")
    review = ReviewService(SqlReviewStore(engine), SqlWebhookStore(engine))
    review.set_actions(
        "known", actions, webhook_url="http://127.0.0.1:9/hook" if "webhook" in actions else None,
        webhook_secret="a-secret-long-enough" if "webhook" in actions else None, actor="t",
    )  # fmt: skip
    hit = Hit(
        "known", ListKind.BLOCK, entry.id, "md5", "a" * 32, "a" * 32, 0, None, "", "", "original"
    )
    return review, hit


def _run(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive()


def test_two_reviewers_never_claim_the_same_item(
    store: SqlListStore, engine: Engine, database_url: str
) -> None:
    review, hit = _setup(store, engine, ["review"])
    item_ids = [
        review.record(review.plan(MatchOutcome(hits=[hit]), review.all_actions(), requester="p"))[0]
        for _ in range(ITEMS)
    ]
    barrier = threading.Barrier(THREADS)
    won: list[tuple[int, str]] = []
    refused: list[int] = []
    errors: list[BaseException] = []

    def reviewer(number: int) -> None:
        # Own engine and connections: as separate workers would be.
        own = create_engine(database_url)
        service = ReviewService(SqlReviewStore(own, migrate=False), SqlWebhookStore(own))
        actor = f"token:{number}:reviewer"
        try:
            barrier.wait()
            for item_id in item_ids:
                try:
                    service.claim(item_id, actor)
                    won.append((item_id, actor))
                except ReviewConflictError:
                    refused.append(item_id)
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.dispose()

    _run([threading.Thread(target=reviewer, args=(n,)) for n in range(THREADS)])
    assert not errors, errors
    assert sorted(item_id for item_id, _ in won) == item_ids
    assert Counter(refused) == dict.fromkeys(item_ids, THREADS - 1)
    for item_id, actor in won:
        assert review.get(item_id).claimed_by == actor


def test_senders_in_several_workers_take_each_delivery_once(
    store: SqlListStore, engine: Engine, database_url: str
) -> None:
    review, hit = _setup(store, engine, ["webhook"])
    for _ in range(ITEMS):
        review.record(review.plan(MatchOutcome(hits=[hit]), review.all_actions(), requester="p"))
    barrier = threading.Barrier(THREADS)
    taken: list[int] = []
    errors: list[BaseException] = []
    now = datetime.now(UTC) + timedelta(seconds=1)

    def sender() -> None:
        own = create_engine(database_url)
        try:
            webhooks = SqlWebhookStore(own, migrate=False)
            barrier.wait()
            while True:
                batch = webhooks.take_due(now, now + timedelta(minutes=1), limit=3)
                if not batch:
                    return
                taken.extend(delivery.id for delivery in batch)
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.dispose()

    _run([threading.Thread(target=sender) for _ in range(THREADS)])
    assert not errors, errors
    assert len(taken) == len(set(taken)) == ITEMS
    # Taken deliveries are leased: not due again until the lease runs out.
    webhooks = SqlWebhookStore(engine)
    assert webhooks.take_due(now, now, limit=100) == []
    assert len(webhooks.take_due(now + timedelta(minutes=2), now, limit=100)) == ITEMS
