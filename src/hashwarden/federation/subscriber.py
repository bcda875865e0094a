"""The subscribing side: pull signed pages, verify them, apply them to the mirror list.

Each page is verified in full before anything is written, then applied with the cursor in one
transaction (``SqlSubscriptionStore.apply_page``), so a rejected or interrupted sync leaves the
list and the cursor exactly as the last good page left them; the next sync resumes there.
Failures are recorded on the subscription with an exponential backoff.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx

from hashwarden import __version__
from hashwarden.core.errors import HashwardenError
from hashwarden.core.signals.registry import SIGNALS, SignalRegistry
from hashwarden.federation.envelope import VerifiedPage, verify_page
from hashwarden.federation.errors import FeedError, UntrustedKeyError
from hashwarden.federation.feedback import MAX_ENTRIES
from hashwarden.federation.mirror import final_states
from hashwarden.federation.models import Subscription
from hashwarden.federation.rotation import follow, published_keys
from hashwarden.storage.entry_reads import batched
from hashwarden.storage.subscription_store import SqlSubscriptionStore

log = logging.getLogger(__name__)

#: Largest page accepted; 10,000 changes of ordinary entries are far below it.
MAX_PAGE_BYTES = 64 * 1024 * 1024
MAX_ERROR = 1000
#: Decisions this recent are sent again next time, in case one committed after we looked.
FEEDBACK_MARGIN = timedelta(minutes=5)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SyncPolicy:
    #: Changes asked for per page.
    page_size: int = 1000
    #: Seconds between syncs of a healthy subscription.
    interval: float = 60.0
    #: Seconds before the first retry after a failure; doubles per failure up to ``max_backoff``.
    backoff_base: float = 5.0
    max_backoff: float = 3600.0
    #: How long a claimed subscription stays with this syncer (renewed after every page).
    lease: float = 120.0
    #: Pages issued longer ago than this (or this far ahead) are refused as stale.
    max_page_age: float = 24 * 3600.0
    timeout: float = 30.0

    def backoff(self, failures: int) -> timedelta:
        seconds = self.backoff_base * 2 ** min(max(failures - 1, 0), 30)
        return timedelta(seconds=min(seconds, self.max_backoff))


@dataclass(frozen=True, slots=True)
class PageApplied:
    subscription: str
    since: int
    until: int
    changes: int
    added: int
    updated: int
    removed: int


@dataclass(frozen=True, slots=True)
class SyncResult:
    subscription: str
    #: False when another syncer holds the subscription (nothing was tried).
    attempted: bool
    pages: int = 0
    changes: int = 0
    cursor: int = 0
    error: str = ""
    #: Entries whose review verdicts were sent back to the publisher.
    feedback: int = 0

    @property
    def ok(self) -> bool:
        return self.attempted and not self.error


@dataclass
class _Progress:
    cursor: int
    pages: int = 0
    changes: int = 0


class FetchError(HashwardenError):
    """The publisher could not be reached or answered with an error."""


class SyncService:
    def __init__(
        self,
        store: SqlSubscriptionStore,
        policy: SyncPolicy | None = None,
        *,
        signals: SignalRegistry = SIGNALS,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.store = store
        self.policy = policy or SyncPolicy()
        self._signals = signals
        self._clock = clock
        #: Pinned keys per subscription id, once a rotation was followed during this service's
        #: life (the stored subscription objects passed around are immutable).
        self._pinned: dict[int, tuple[str, ...]] = {}

    def sync_due(self, cancel: Callable[[], bool] | None = None) -> list[SyncResult]:
        """Sync every subscription whose time has come and that no other syncer holds."""
        results = []
        for name in self.store.due(self._clock()):
            if cancel is not None and cancel():
                break
            result = self.sync(name, cancel=cancel)
            if result.attempted:
                results.append(result)
        return results

    def sync(
        self,
        name: str,
        *,
        force: bool = False,
        on_page: Callable[[PageApplied], None] | None = None,
        cancel: Callable[[], bool] | None = None,
    ) -> SyncResult:
        """Pull pages until caught up (or ``cancel`` says stop between pages).

        ``force`` ignores the schedule and any lease; that is safe because a page applies only
        onto the cursor it continues from.
        """
        now = self._clock()
        subscription = self.store.claim(name, now, self._lease_end(), force=force)
        if subscription is None:
            return SyncResult(name, attempted=False)
        progress = _Progress(subscription.cursor)
        try:
            with self._client(subscription) as client:
                caught_up = self._pull(client, subscription, progress, on_page, cancel)
                sent = self._send_feedback(client, subscription) if caught_up else 0
        except Exception as exc:  # a sync must record any failure and leave the worker running
            return self._failed(subscription, exc, progress)
        done = self._clock()
        # Not caught up (cancelled between pages): due again at once, for whoever runs next.
        next_at = done + timedelta(seconds=self.policy.interval) if caught_up else done
        self.store.record_success(subscription.id, done, next_at)
        return SyncResult(
            name, True, progress.pages, progress.changes, progress.cursor, feedback=sent
        )

    def _pull(
        self,
        client: httpx.Client,
        subscription: Subscription,
        progress: _Progress,
        on_page: Callable[[PageApplied], None] | None,
        cancel: Callable[[], bool] | None,
    ) -> bool:
        """Apply pages until one is short (caught up: True) or ``cancel`` (False)."""
        while True:
            applied = self._step(client, subscription, progress.cursor)
            progress.pages += 1
            progress.changes += applied.changes
            progress.cursor = applied.until
            if on_page is not None:
                on_page(applied)
            if applied.changes < self.policy.page_size:
                return True
            if cancel is not None and cancel():
                return False

    def _failed(
        self, subscription: Subscription, exc: Exception, progress: _Progress
    ) -> SyncResult:
        name = subscription.name
        if not isinstance(exc, FeedError | HashwardenError | httpx.HTTPError):
            log.exception("sync of subscription %s failed unexpectedly", name)
        error = _describe(exc)
        failures = subscription.failures + 1
        retry_at = self._clock() + self.policy.backoff(failures)
        self.store.record_failure(subscription.id, error, failures, retry_at)
        log.warning("sync of subscription %s failed (attempt %d): %s", name, failures, error)
        return SyncResult(
            name, True, progress.pages, progress.changes, progress.cursor, error
        )

    def _send_feedback(self, client: httpx.Client, subscription: Subscription) -> int:
        """POST the verdict totals of entries decided since the feedback cursor (less a margin
        for decisions committed late; a resend only repeats totals)."""
        started = self._clock()
        after = _EPOCH + timedelta(microseconds=subscription.feedback_cursor) - FEEDBACK_MARGIN
        totals = self.store.feedback_since(subscription.id, after)
        path = f"/v1/lists/{quote(subscription.remote_list, safe='')}/feedback"
        for chunk in batched(totals, MAX_ENTRIES):
            response = client.post(path, json={"entries": [t.as_json() for t in chunk]})
            if not response.is_success:
                raise FetchError(f"sending feedback: {_http_error(response)}")
        cursor = (started - _EPOCH) // timedelta(microseconds=1)
        self.store.set_feedback_cursor(subscription.id, cursor)
        return len(totals)

    def _step(self, client: httpx.Client, subscription: Subscription, cursor: int) -> PageApplied:
        page = self._verified(client, subscription, cursor)
        states = final_states(page.changes, self._signals)
        result = self.store.apply_page(
            subscription.id,
            since=cursor,
            until=page.manifest.until,
            states=states,
            actor=f"subscription:{subscription.name}",
            now=self._clock(),
            lease_until=self._lease_end(),
        )
        return PageApplied(
            subscription.name,
            cursor,
            page.manifest.until,
            len(page.changes),
            result.added,
            result.updated,
            result.removed,
        )

    def _verified(
        self, client: httpx.Client, subscription: Subscription, cursor: int
    ) -> VerifiedPage:
        path = f"/v1/lists/{quote(subscription.remote_list, safe='')}/feed"
        params = {"since": cursor, "limit": self.policy.page_size}
        with client.stream("GET", path, params=params) as response:
            if not response.is_success:
                response.read()
                raise FetchError(_http_error(response))
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_PAGE_BYTES:
                    raise FetchError(f"the page exceeds {MAX_PAGE_BYTES} bytes; refused")
        pinned = self._pinned.get(subscription.id, tuple(subscription.public_keys))
        try:
            return self._verify(bytes(body), subscription, pinned, cursor)
        except UntrustedKeyError as exc:
            if not exc.key_id:
                raise
            pinned = self._follow_rotation(client, subscription, pinned, exc)
            return self._verify(bytes(body), subscription, pinned, cursor)

    def _verify(
        self, body: bytes, subscription: Subscription, pinned: tuple[str, ...], cursor: int
    ) -> VerifiedPage:
        return verify_page(
            body,
            pinned_keys=pinned,
            list_name=subscription.remote_list,
            cursor=cursor,
            now=self._clock(),
            max_age=timedelta(seconds=self.policy.max_page_age),
        )

    def _follow_rotation(
        self,
        client: httpx.Client,
        subscription: Subscription,
        pinned: tuple[str, ...],
        refused: UntrustedKeyError,
    ) -> tuple[str, ...]:
        """Pin the page's key if the publisher's endorsements lead to it from a pinned key."""
        response = client.get("/v1/keys")
        if not response.is_success:
            raise UntrustedKeyError(f"{refused} (the publisher's keys: {_http_error(response)})")
        try:
            document = response.json()
        except ValueError:
            raise UntrustedKeyError(f"{refused} (the publisher's keys are not JSON)") from None
        try:
            added = follow(refused.key_id, pinned, published_keys(document))
        except UntrustedKeyError as exc:
            raise UntrustedKeyError(f"{refused}: {exc}") from None
        updated = (*pinned, *added)
        self.store.set_public_keys(subscription.name, list(updated))
        self._pinned[subscription.id] = updated
        log.warning(
            "subscription %s: the publisher rotated its signing key; now pinned: %s",
            subscription.name,
            refused.key_id,
        )
        return updated

    def _client(self, subscription: Subscription) -> httpx.Client:
        return httpx.Client(
            base_url=subscription.publisher_url,
            headers={
                "Authorization": f"Bearer {subscription.token}",
                "User-Agent": f"hashwarden/{__version__}",
                "Accept": "application/x-ndjson",
            },
            timeout=httpx.Timeout(self.policy.timeout, connect=min(10.0, self.policy.timeout)),
            follow_redirects=False,
        )

    def _lease_end(self) -> datetime:
        return self._clock() + timedelta(seconds=self.policy.lease)


def _http_error(response: httpx.Response) -> str:
    detail = ""
    try:
        body = response.json()
        if isinstance(body, dict):
            detail = str(body.get("detail", ""))[:300]
    except ValueError:
        pass
    if response.is_redirect:
        detail = "redirect not followed; configure the final URL"
    suffix = f": {detail}" if detail else ""
    return f"the publisher answered HTTP {response.status_code}{suffix}"


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, httpx.HTTPError):
        text = f"cannot reach the publisher ({type(exc).__name__}{': ' + text if text else ''})"
    elif not text or not isinstance(exc, HashwardenError):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if isinstance(exc, FeedError):
        text = f"page rejected: {text}"
    return text[:MAX_ERROR]
