"""What a match's hits trigger, decided on the request path from a per-worker cache.

Each worker keeps every list's actions in memory and reloads them every ``interval`` seconds
(a revision on this worker applies at once), so a match never reads them from the database. A
match whose hits call for a review or a webhook makes one write, in the thread pool; every other
match, with or without hits, touches no database at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool

from hashwarden.core.matching.models import MatchOutcome
from hashwarden.core.periodic_worker import PeriodicWorker
from hashwarden.review.models import ListActions, MatchAction
from hashwarden.review.services import ReviewService

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ActionTaken:
    action: MatchAction = MatchAction.NONE
    review_ids: list[int] = field(default_factory=list)
    webhooks: int = 0


class HitActions:
    def __init__(
        self,
        review: ReviewService,
        interval: float = 0.5,
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self._review = review
        #: Called after deliveries were queued (wakes this worker's webhook sender).
        self._on_queued = on_queued
        self._actions: dict[str, ListActions] = {}
        self._worker = PeriodicWorker(
            "actions-follower",
            self.refresh,
            interval,
            log=log,
            # The last known actions stay in force through a database outage.
            failure=f"reloading list actions failed; retrying in {interval:.1f} s",
            join_timeout=10,
        )

    def start(self) -> None:
        self.refresh()
        self._worker.start()

    def stop(self) -> None:
        self._worker.stop()

    def refresh(self) -> None:
        # Swapped whole: readers on the event loop see the old or the new mapping, never half.
        self._actions = self._review.all_actions()

    def changed(self, settings: ListActions) -> None:
        """Apply a revision made on this worker now rather than at the next reload."""
        self._actions = {**self._actions, settings.list_name: settings}

    async def on_match(
        self, requester: str, outcome: MatchOutcome, reference: str = ""
    ) -> ActionTaken:
        """Act on the standing hits of one match; returns what the response should say."""
        if not outcome.hits:
            return ActionTaken()
        plan = self._review.plan(
            outcome, self._actions, requester=requester, reference=reference
        )
        if not plan.writes:
            return ActionTaken(plan.action)
        review_ids = await run_in_threadpool(self._review.record, plan)
        if plan.deliveries and self._on_queued is not None:
            self._on_queued()
        return ActionTaken(plan.action, review_ids, len(plan.deliveries))
