"""Review verdicts on mirrored entries travel back to the publisher, aggregated per entry."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from federation_helpers import Publisher, entries_body, random_md5s

from hashwarden.accounts.models import Role
from hashwarden.core.lists.services import ListService
from hashwarden.federation.subscriber import SyncPolicy, SyncService
from hashwarden.federation.subscriptions import SubscriptionService
from hashwarden.review.models import QueuedHit
from hashwarden.review.services import ReviewService
from hashwarden.storage.list_store import SqlListStore
from hashwarden.storage.review_store import SqlReviewStore
from hashwarden.storage.subscription_store import SqlSubscriptionStore
from hashwarden.storage.webhook_store import SqlWebhookStore


def review(store: SqlListStore, entry_id: int, *verdicts: str) -> None:
    """Queue one hit per verdict on a local entry and decide it as a reviewer would."""
    reviews = ReviewService(
        SqlReviewStore(store.engine, migrate=False), SqlWebhookStore(store.engine, migrate=False)
    )
    hits = [
        QueuedHit(f"m{entry_id}{n}", "mirror", entry_id, None, "md5", 0, "", "00" * 16, "t")
        for n in range(len(verdicts))
    ]
    ids = reviews.store.record_hits(hits, [], datetime.now(UTC))
    for item_id, verdict in zip(ids, verdicts, strict=True):
        reviews.claim(item_id, "reviewer")
        reviews.decide(item_id, "reviewer", verdict, reason="benign test reason")


def test_verdicts_reach_the_publishers_curators(publisher: Publisher, store: SqlListStore) -> None:
    publisher.keys.create()
    curator = httpx.Client(
        base_url=publisher.base_url,
        headers={"Authorization": f"Bearer {publisher.token(Role.CURATOR)}"},
        timeout=30,
    )
    assert curator.post("/v1/lists", json={"name": "shared"}).status_code == 201
    curator.post("/v1/lists/shared/entries", json=entries_body(random_md5s(4, 41)))
    subscriptions = SqlSubscriptionStore(store.engine, migrate=False)
    SubscriptionService(subscriptions, ListService(store)).add(
        "feed", publisher_url=publisher.base_url, remote_list="shared", into="mirror",
        token=publisher.token(Role.SUBSCRIBER, "shared"),
        public_keys=[k.public_key for k in publisher.keys.public_keys()],
    )  # fmt: skip
    sync = SyncService(subscriptions, SyncPolicy(page_size=100))
    assert sync.sync("feed").ok

    local_of = subscriptions.local_entry_ids(subscriptions.get("feed").id)
    remote_a, remote_b = sorted(local_of)[:2]
    review(store, local_of[remote_a], "confirmed", "confirmed", "escalated")
    review(store, local_of[remote_b], "false_positive")

    result = sync.sync("feed", force=True)
    assert result.ok, result.error
    assert result.feedback == 2
    # Sent again (within the safety margin): totals replace, never add up.
    assert sync.sync("feed", force=True).feedback == 2

    shown = curator.get(f"/v1/lists/shared/entries/{remote_a}").json()["feedback"]
    assert (shown["confirmed"], shown["false_positive"]) == (2, 0)
    [reporter] = shown["reporters"]
    assert reporter["reporter"] == "t subscriber" and reporter["confirmed"] == 2
    other = curator.get(f"/v1/lists/shared/entries/{remote_b}").json()["feedback"]
    assert (other["confirmed"], other["false_positive"]) == (0, 1)
    untouched = sorted(local_of)[2]
    assert curator.get(f"/v1/lists/shared/entries/{untouched}").json()["feedback"] == {
        "confirmed": 0, "false_positive": 0, "reporters": []
    }  # fmt: skip


def test_feedback_is_refused_for_lists_not_granted_and_entries_of_other_lists(
    publisher: Publisher,
) -> None:
    admin = httpx.Client(
        base_url=publisher.base_url,
        headers={"Authorization": f"Bearer {publisher.token(Role.ADMIN)}"},
        timeout=30,
    )
    for name in ("shared", "other"):
        assert admin.post("/v1/lists", json={"name": name}).status_code == 201
    admin.post("/v1/lists/other/entries", json=entries_body(random_md5s(1, 42)))
    [foreign] = admin.get("/v1/lists/other/entries").json()["entries"]
    subscriber = httpx.Client(
        base_url=publisher.base_url,
        headers={"Authorization": f"Bearer {publisher.token(Role.SUBSCRIBER, 'shared')}"},
        timeout=30,
    )
    body = {"entries": [{"entry_id": foreign["id"], "confirmed": 1}]}
    assert subscriber.post("/v1/lists/other/feedback", json=body).status_code == 403
    wrong_list = subscriber.post("/v1/lists/shared/feedback", json=body)
    assert wrong_list.status_code == 404
    shown = admin.get(f"/v1/lists/other/entries/{foreign['id']}").json()["feedback"]
    assert shown["reporters"] == []
    negative = {"entries": [{"entry_id": foreign["id"], "confirmed": -1}]}
    assert subscriber.post("/v1/lists/shared/feedback", json=negative).status_code == 422
