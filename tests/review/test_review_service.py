"""ReviewService over the SQL review and webhook stores, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from hashwarden.core.errors import (
    ListNotFoundError,
    ReviewConflictError,
    ReviewError,
    ReviewItemNotFoundError,
)
from hashwarden.core.lists.models import EntryData, ListKind, Signal
from hashwarden.core.lists.services import ListService
from hashwarden.core.matching.models import Hit, MatchOutcome
from hashwarden.review.models import (
    DecisionCounts,
    DeliveryStatus,
    HitAction,
    MatchAction,
    ReviewStatus,
)
from hashwarden.review.services import ReviewService
from hashwarden.storage.list_store import SqlListStore
from hashwarden.storage.review_store import SqlReviewStore
from hashwarden.storage.webhook_store import SqlWebhookStore

SECRET = "a-webhook-secret-of-some-length"
ANA, BEN = "token:1:ana", "token:2:ben"


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def lists(store: SqlListStore) -> ListService:
    return ListService(store)


@pytest.fixture
def review(engine: Engine, store: SqlListStore, clock: Clock) -> ReviewService:
    return ReviewService(
        SqlReviewStore(engine), SqlWebhookStore(engine), claim_seconds=60, clock=clock
    )


def _md5(n: int) -> str:
    return hashlib.md5(f"sample-{n}".encode()).hexdigest()


def _entries(lists: ListService, name: str, count: int) -> list[int]:
    lists.create_list(name)
    data = [EntryData(signals=(Signal("md5", _md5(n)),)) for n in range(count)]
    lists.add_entries(name, data)
    return [entry.id for entry in lists.entries(name)]


def _hit(list_name: str, entry_id: int, signal_type: str = "md5", distance: int = 0) -> Hit:
    value = _md5(entry_id)
    return Hit(
        list_name, ListKind.BLOCK, entry_id, signal_type, value, value, distance,
        "iwf:A", "hotline", "X-1", "original",
    )  # fmt: skip


def _queue(review: ReviewService, *hits: Hit, requester: str = "token:9:platform") -> list[int]:
    plan = review.plan(MatchOutcome(hits=list(hits)), review.all_actions(), requester=requester)
    return review.record(plan)


def test_actions_are_validated_kept_and_dropped(review: ReviewService, lists: ListService) -> None:
    lists.create_list("known")
    assert review.actions("known").actions == frozenset()
    with pytest.raises(ListNotFoundError):
        review.actions("absent")
    with pytest.raises(ReviewError, match="unknown hit action"):
        review.set_actions("known", ["delete"], actor=ANA)
    with pytest.raises(ReviewError, match="webhook_url"):
        review.set_actions("known", ["webhook"], actor=ANA)
    with pytest.raises(ReviewError, match="webhook_secret"):
        review.set_actions("known", ["webhook"], webhook_url="https://h.example/x", actor=ANA)
    with pytest.raises(ReviewError, match="needs the 'webhook' action"):
        review.set_actions("known", ["block"], webhook_url="https://h.example/x", actor=ANA)

    review.set_actions(
        "known", ["webhook", "block"], webhook_url="https://h.example/x",
        webhook_secret=SECRET, actor=ANA,
    )  # fmt: skip
    moved = review.set_actions(
        "known", ["webhook", "block"], webhook_url="https://h.example/y", actor=BEN
    )
    assert moved.actions == {HitAction.WEBHOOK, HitAction.BLOCK}
    assert (moved.webhook_url, moved.webhook_secret, moved.updated_by) == (
        "https://h.example/y", SECRET, BEN,
    )  # fmt: skip
    assert review.webhooks.webhook_secret("known") == SECRET
    dropped = review.set_actions("known", ["review"], actor=ANA)
    assert (dropped.webhook_url, dropped.webhook_secret) == ("", "")
    assert review.webhooks.webhook_secret("known") is None
    assert set(review.all_actions()) == {"known"}
    lists.delete_list("known")
    assert review.all_actions() == {}


def test_a_plan_acts_once_per_entry_and_block_wins(
    review: ReviewService, lists: ListService
) -> None:
    [first, second] = _entries(lists, "known", 2)
    [other] = _entries(lists, "quiet", 1)
    outcome = MatchOutcome(
        hits=[
            _hit("known", first, "pdq", 9),
            _hit("known", first, "md5", 0),
            _hit("known", second, "pdq", 20),
            _hit("quiet", other),
        ]
    )
    assert review.plan(outcome, review.all_actions(), requester="p").writes is False
    review.set_actions("known", ["review"], actor=ANA)
    plan = review.plan(outcome, review.all_actions(), requester="token:9:p", reference="up-1")
    assert plan.action is MatchAction.REVIEW
    assert [(i.entry_id, i.signal_type, i.distance) for i in plan.items] == [
        (first, "md5", 0), (second, "pdq", 20),
    ]  # fmt: skip
    assert {i.match_id for i in plan.items} == {plan.items[0].match_id}
    assert {(i.requester, i.reference) for i in plan.items} == {("token:9:p", "up-1")}
    assert plan.deliveries == ()

    review.set_actions("quiet", ["block"], actor=ANA)
    review.set_actions(
        "known", ["review", "webhook"], webhook_url="https://h.example/x",
        webhook_secret=SECRET, actor=ANA,
    )  # fmt: skip
    plan = review.plan(outcome, review.all_actions(), requester="p")
    assert plan.action is MatchAction.BLOCK
    assert len(plan.items) == len(plan.deliveries) == 2
    assert all(_md5(first) not in d.body for d in plan.deliveries)
    # Suppressed hits (an allow list matched too) trigger nothing.
    suppressed = MatchOutcome(suppressed=outcome.hits, allowed=[_hit("quiet", other)])
    assert review.plan(suppressed, review.all_actions(), requester="p").writes is False


def test_record_writes_items_and_deliveries_together(
    review: ReviewService, lists: ListService, clock: Clock
) -> None:
    [entry] = _entries(lists, "known", 1)
    review.set_actions(
        "known", ["review", "webhook"], webhook_url="https://h.example/x",
        webhook_secret=SECRET, actor=ANA,
    )  # fmt: skip
    [item_id] = _queue(review, _hit("known", entry))
    item = review.get(item_id)
    assert (item.status, item.hit.entry_id, item.hit.query_value) == (
        ReviewStatus.PENDING, entry, _md5(entry),
    )  # fmt: skip
    assert item.created_at == clock.now
    [delivery] = review.deliveries("known")
    assert (delivery.status, delivery.attempts, delivery.entry_id) == (
        DeliveryStatus.PENDING, 0, entry,
    )  # fmt: skip
    assert delivery.match_id == item.hit.match_id
    assert review.deliveries("other") == []
    assert review.record(review.plan(MatchOutcome(), {}, requester="p")) == []


def test_claim_then_decide_with_the_rules(
    review: ReviewService, lists: ListService, clock: Clock
) -> None:
    [entry] = _entries(lists, "known", 1)
    review.set_actions("known", ["review"], actor=ANA)
    [a, b, c] = [_queue(review, _hit("known", entry))[0] for _ in range(3)]
    with pytest.raises(ReviewConflictError, match="claim"):
        review.decide(a, ANA, "confirmed")
    claimed = review.claim(a, ANA)
    assert (claimed.status, claimed.claimed_by) == (ReviewStatus.CLAIMED, ANA)
    assert claimed.claim_expires_at == clock.now + timedelta(seconds=60)
    assert review.claim(a, ANA).claimed_by == ANA  # claiming again just renews
    with pytest.raises(ReviewConflictError, match=f"claimed by {ANA}"):
        review.claim(a, BEN)
    with pytest.raises(ReviewConflictError):
        review.decide(a, BEN, "confirmed")
    with pytest.raises(ReviewError, match="needs a reason"):
        review.decide(a, ANA, "false_positive", "  ")
    with pytest.raises(ReviewError, match="unknown decision"):
        review.decide(a, ANA, "maybe", "r")
    decided = review.decide(a, ANA, "false_positive", "a landscape, not the listed item")
    assert (decided.status, decided.decided_by, decided.reason) == (
        ReviewStatus.FALSE_POSITIVE, ANA, "a landscape, not the listed item",
    )  # fmt: skip
    with pytest.raises(ReviewConflictError, match="already decided"):
        review.claim(a, BEN)
    with pytest.raises(ReviewConflictError, match="already decided"):
        review.decide(a, ANA, "confirmed")

    review.claim(b, BEN)
    review.decide(b, BEN, "confirmed")
    review.claim(c, BEN)
    review.decide(c, BEN, "escalated", "unsure about the category")
    assert review.decision_counts(entry) == DecisionCounts(1, 1, 1)
    assert review.decision_counts(entry + 1000) == DecisionCounts()
    with pytest.raises(ReviewItemNotFoundError):
        review.claim(99999, ANA)


def test_an_expired_claim_returns_to_the_queue(
    review: ReviewService, lists: ListService, clock: Clock
) -> None:
    [entry] = _entries(lists, "known", 1)
    review.set_actions("known", ["review"], actor=ANA)
    [item_id] = _queue(review, _hit("known", entry))
    review.claim(item_id, ANA)
    assert [i.id for i in review.items(ReviewStatus.CLAIMED)] == [item_id]
    assert review.items(ReviewStatus.PENDING) == []
    clock.advance(seconds=61)
    assert review.items(ReviewStatus.CLAIMED) == []
    [back] = review.items(ReviewStatus.PENDING)
    assert (back.id, back.status, back.claimed_by) == (item_id, ReviewStatus.PENDING, None)
    assert review.get(item_id).status is ReviewStatus.PENDING
    with pytest.raises(ReviewConflictError, match="expired"):
        review.decide(item_id, ANA, "confirmed")
    assert review.claim(item_id, BEN).claimed_by == BEN
    assert review.decide(item_id, BEN, "confirmed").status is ReviewStatus.CONFIRMED
    assert [i.id for i in review.items(ReviewStatus.CONFIRMED)] == [item_id]


def test_queue_pages_in_id_order(review: ReviewService, lists: ListService) -> None:
    entries = _entries(lists, "known", 5)
    review.set_actions("known", ["review"], actor=ANA)
    ids = _queue(review, *(_hit("known", e) for e in entries))
    assert ids == sorted(ids) and len(ids) == 5
    first = review.items(limit=2)
    rest = review.items(after_id=first[-1].id)
    assert [i.id for i in first + rest] == ids


def test_most_disputed_entries_come_first(review: ReviewService, lists: ListService) -> None:
    [good, bad] = _entries(lists, "known", 2)
    review.set_actions("known", ["review"], actor=ANA)
    for entry, decision, times in ((good, "confirmed", 2), (bad, "false_positive", 3)):
        for _ in range(times):
            [item_id] = _queue(review, _hit("known", entry))
            review.claim(item_id, ANA)
            review.decide(item_id, ANA, decision, "why")
    ranked = review.most_disputed("known")
    assert ranked == [(bad, DecisionCounts(false_positive=3)), (good, DecisionCounts(2, 0, 0))]
    with pytest.raises(ListNotFoundError):
        review.most_disputed("absent")
    # A new list under an old name starts without the old list's reviews.
    lists.delete_list("known")
    lists.create_list("known")
    assert review.most_disputed("known") == []
