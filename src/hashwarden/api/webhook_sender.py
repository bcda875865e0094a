"""Delivers queued webhooks from a background thread in each worker.

Every ``poll_interval`` seconds (or at once when this worker queued one) the sender takes the
deliveries that are due, race-free across workers (``SqlWebhookStore.take_due``), POSTs each
signed body, logs the attempt and either marks it delivered or schedules a retry with
exponential backoff, until ``RetryPolicy.max_attempts``. Redirects are not followed: a receiver
that moved must be reconfigured, not silently handed the event elsewhere.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

from hashwarden import __version__
from hashwarden.core.periodic_worker import PeriodicWorker
from hashwarden.review.interfaces import WebhookStore
from hashwarden.review.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from hashwarden.review.webhooks import EVENT_HEADER, SIGNATURE_HEADER, RetryPolicy, signature_header

log = logging.getLogger(__name__)

TIMEOUT = 5.0
#: Deliveries taken per round.
BATCH = 20
#: How long a taken delivery stays with this sender before another may retry it.
LEASE = timedelta(seconds=4 * TIMEOUT)
MAX_ERROR = 500


def _utc_now() -> datetime:
    return datetime.now(UTC)


class WebhookSender:
    def __init__(
        self,
        store: WebhookStore,
        policy: RetryPolicy,
        poll_interval: float = 1.0,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._store = store
        self._policy = policy
        self._clock = clock
        self._worker = PeriodicWorker(
            "webhook-sender",
            self.send_due,
            poll_interval,
            log=log,
            failure=f"sending webhooks failed; retrying in {poll_interval:.1f} s",
            first_wait=0.0,
            join_timeout=2 * TIMEOUT,
        )
        self._client: httpx.Client | None = None

    def start(self) -> None:
        self._client = httpx.Client(
            timeout=TIMEOUT,
            follow_redirects=False,
            headers={"User-Agent": f"hashwarden/{__version__}"},
        )
        self._worker.start()

    def stop(self) -> None:
        self._worker.stop()
        if self._client is not None:
            self._client.close()

    def wake(self) -> None:
        """Look for due deliveries now (one was just queued)."""
        self._worker.wake()

    def send_due(self) -> int:
        """Deliver what is due now; returns the number of attempts made."""
        made = 0
        while not self._worker.stopping():
            now = self._clock()
            taken = self._store.take_due(now, now + LEASE, BATCH)
            for delivery in taken:
                self._attempt(delivery)
                made += 1
            if len(taken) < BATCH:
                return made
        return made

    def _attempt(self, delivery: WebhookDelivery) -> None:
        number = delivery.attempts + 1
        started = time.monotonic()
        at = self._clock()
        secret = self._store.webhook_secret(delivery.list_name)
        if secret is None:
            status_code, error = None, "the list no longer has a webhook"
        else:
            status_code, error = self._post(delivery, secret, at)
        attempt = WebhookAttempt(
            attempt=number,
            at=at,
            status_code=status_code,
            error=error[:MAX_ERROR],
            duration_ms=round((time.monotonic() - started) * 1000),
        )
        if attempt.succeeded:
            self._store.record_attempt(delivery.id, attempt, DeliveryStatus.DELIVERED, None)
            return
        retry_at = None if secret is None else self._policy.retry_at(number, self._clock())
        if retry_at is None:
            log.warning(
                "webhook delivery %d for list %s failed after %d attempt(s), giving up: %s",
                delivery.id, delivery.list_name, number, error,
            )  # fmt: skip
            self._store.record_attempt(delivery.id, attempt, DeliveryStatus.FAILED, None)
            return
        self._store.record_attempt(delivery.id, attempt, DeliveryStatus.PENDING, retry_at)

    def _post(
        self, delivery: WebhookDelivery, secret: str, at: datetime
    ) -> tuple[int | None, str]:
        assert self._client is not None, "start() the sender first"
        body = delivery.body.encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature_header(secret, body, int(at.timestamp())),
            EVENT_HEADER: delivery.event_id,
        }
        try:
            response = self._client.post(delivery.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            detail = str(exc)
            return None, f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
        if response.is_success:
            return response.status_code, ""
        if response.is_redirect:
            return response.status_code, "redirect not followed; configure the final URL"
        return response.status_code, f"HTTP {response.status_code}"
