"""``ReviewService``: list actions, what a match's hits trigger, and the review queue."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from hashwarden.core.errors import ReviewConflictError, ReviewError
from hashwarden.core.matching.models import Hit, MatchOutcome
from hashwarden.review import webhooks
from hashwarden.review.interfaces import ReviewStore, WebhookStore
from hashwarden.review.models import (
    Decision,
    DecisionCounts,
    HitAction,
    HitPlan,
    ListActions,
    MatchAction,
    NewDelivery,
    QueuedHit,
    ReviewItem,
    ReviewStatus,
    WebhookDelivery,
)

#: A claim nobody decides on returns to the queue after this long.
DEFAULT_CLAIM_SECONDS = 900.0
MAX_REASON = 2000
MAX_REFERENCE = 200
#: Decisions that must say why.
NEEDS_REASON = frozenset({Decision.FALSE_POSITIVE, Decision.ESCALATED})


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return uuid.uuid4().hex


def parse_actions(names: Iterable[str]) -> frozenset[HitAction]:
    found: set[HitAction] = set()
    for name in names:
        try:
            found.add(HitAction(name))
        except ValueError as exc:
            known = ", ".join(action.value for action in HitAction)
            raise ReviewError(f"unknown hit action {name!r}; one of {known}") from exc
    return frozenset(found)


def _closest_per_entry(hits: Sequence[Hit]) -> list[Hit]:
    """One hit per (list, entry): a photo matching by MD5 and PDQ is one thing to review."""
    best: dict[tuple[str, int], Hit] = {}
    for hit in hits:
        key = (hit.list_name, hit.entry_id)
        rank = (hit.distance, hit.signal_type, hit.variant)
        current = best.get(key)
        if current is None or rank < (current.distance, current.signal_type, current.variant):
            best[key] = hit
    return [best[key] for key in sorted(best)]


def _has_actions(actions: Mapping[str, ListActions], list_name: str) -> bool:
    found = actions.get(list_name)
    return found is not None and bool(found.actions)


class ReviewService:
    def __init__(
        self,
        store: ReviewStore,
        webhooks: WebhookStore,
        *,
        claim_seconds: float = DEFAULT_CLAIM_SECONDS,
        clock: Callable[[], datetime] = _utc_now,
        new_id: Callable[[], str] = _new_id,
    ) -> None:
        if claim_seconds <= 0:
            raise ReviewError(f"a claim must last some time, got {claim_seconds} s")
        self.store = store
        self.webhooks = webhooks
        self.claim_time = timedelta(seconds=claim_seconds)
        self._clock = clock
        self._new_id = new_id

    # -- list actions ----------------------------------------------------------------------

    def actions(self, list_name: str) -> ListActions:
        return self.store.get_actions(list_name)

    def all_actions(self) -> dict[str, ListActions]:
        return self.store.all_actions()

    def set_actions(
        self,
        list_name: str,
        actions: Iterable[str],
        *,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        actor: str,
    ) -> ListActions:
        """Replace the list's actions. A webhook needs a URL and a secret (or keeps its secret).

        Without the webhook action the URL and secret are dropped, not kept for later.
        """
        chosen = parse_actions(actions)
        if HitAction.WEBHOOK not in chosen:
            if webhook_url or webhook_secret:
                raise ReviewError("a webhook URL or secret needs the 'webhook' action")
            return self.store.set_actions(
                list_name, chosen, "", "", at=self._clock(), actor=actor
            )
        if not webhook_url:
            raise ReviewError("the 'webhook' action needs a webhook_url")
        url = webhooks.check_url(webhook_url)
        secret = None if webhook_secret is None else webhooks.check_secret(webhook_secret)
        if secret is None and not self.store.get_actions(list_name).webhook_secret:
            raise ReviewError("the 'webhook' action needs a webhook_secret (it signs requests)")
        return self.store.set_actions(list_name, chosen, url, secret, at=self._clock(), actor=actor)

    # -- hits ------------------------------------------------------------------------------

    def plan(
        self,
        outcome: MatchOutcome,
        actions: Mapping[str, ListActions],
        *,
        requester: str,
        reference: str = "",
    ) -> HitPlan:
        """What the standing hits call for; no storage access (``actions`` come from a cache)."""
        acting = [hit for hit in outcome.hits if _has_actions(actions, hit.list_name)]
        if not acting:
            return HitPlan()
        block = any(HitAction.BLOCK in actions[hit.list_name].actions for hit in acting)
        match_id = self._new_id()
        now = self._clock()
        items: list[QueuedHit] = []
        deliveries: list[NewDelivery] = []
        for hit in _closest_per_entry(acting):
            settings = actions[hit.list_name]
            queued = QueuedHit(
                match_id=match_id,
                list_name=hit.list_name,
                entry_id=hit.entry_id,
                category=hit.category,
                signal_type=hit.signal_type,
                distance=hit.distance,
                variant=hit.variant,
                query_value=hit.query_value,
                requester=requester,
                reference=reference[:MAX_REFERENCE],
            )
            if HitAction.REVIEW in settings.actions:
                items.append(queued)
            if HitAction.WEBHOOK in settings.actions and settings.webhook_url:
                event_id = self._new_id()
                deliveries.append(
                    NewDelivery(
                        event_id=event_id,
                        match_id=match_id,
                        list_name=hit.list_name,
                        entry_id=hit.entry_id,
                        url=settings.webhook_url,
                        body=webhooks.payload(event_id, now, queued),
                    )
                )
        action = MatchAction.BLOCK if block else MatchAction.REVIEW if items else MatchAction.NONE
        return HitPlan(action=action, items=tuple(items), deliveries=tuple(deliveries))

    def record(self, plan: HitPlan) -> list[int]:
        """Write what ``plan`` queues (one transaction); returns the new review item ids."""
        if not plan.writes:
            return []
        return self.store.record_hits(plan.items, plan.deliveries, self._clock())

    # -- the queue -------------------------------------------------------------------------

    def items(
        self, status: ReviewStatus = ReviewStatus.PENDING, after_id: int = 0, limit: int = 100
    ) -> list[ReviewItem]:
        now = self._clock()
        return [item.as_of(now) for item in self.store.items(status, now, after_id, limit)]

    def get(self, item_id: int) -> ReviewItem:
        return self.store.get_item(item_id).as_of(self._clock())

    def claim(self, item_id: int, actor: str) -> ReviewItem:
        """Take the item for ``claim_time``; only one reviewer holds it at a time."""
        now = self._clock()
        if self.store.claim(item_id, actor, now, now + self.claim_time):
            return self.store.get_item(item_id)
        current = self.store.get_item(item_id)  # 404 for an unknown item
        if current.decided_at is not None:
            raise ReviewConflictError(
                f"review item {item_id} is already decided ({current.status})"
            )
        until = current.claim_expires_at
        shown = f" until {until:%Y-%m-%dT%H:%M:%SZ}" if until is not None else ""
        raise ReviewConflictError(
            f"review item {item_id} is claimed by {current.claimed_by}{shown}"
        )

    def decide(self, item_id: int, actor: str, decision: str, reason: str = "") -> ReviewItem:
        """Record the claimer's decision; false positives and escalations need a reason."""
        try:
            chosen = Decision(decision)
        except ValueError as exc:
            known = ", ".join(value.value for value in Decision)
            raise ReviewError(f"unknown decision {decision!r}; one of {known}") from exc
        reason = reason.strip()
        if chosen in NEEDS_REASON and not reason:
            raise ReviewError(f"a {chosen} decision needs a reason")
        if len(reason) > MAX_REASON:
            raise ReviewError(f"a reason has at most {MAX_REASON} characters")
        now = self._clock()
        if self.store.decide(item_id, actor, chosen, reason, now):
            return self.store.get_item(item_id)
        current = self.store.get_item(item_id)
        if current.decided_at is not None:
            raise ReviewConflictError(
                f"review item {item_id} is already decided ({current.status})"
            )
        if current.claimed_by == actor:
            raise ReviewConflictError(
                f"your claim on review item {item_id} expired; claim it again to decide"
            )
        raise ReviewConflictError(f"claim review item {item_id} before deciding it")

    def decision_counts(self, entry_id: int) -> DecisionCounts:
        return self.store.decision_counts([entry_id]).get(entry_id, DecisionCounts())

    def most_disputed(self, list_name: str, limit: int = 100) -> list[tuple[int, DecisionCounts]]:
        return self.store.most_disputed(list_name, limit)

    # -- webhooks --------------------------------------------------------------------------

    def deliveries(
        self, list_name: str | None = None, after_id: int = 0, limit: int = 100
    ) -> list[WebhookDelivery]:
        """The delivery log, oldest first, each delivery with all its attempts."""
        return self.webhooks.deliveries(list_name, after_id, limit)
