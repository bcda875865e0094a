"""The background syncer in each ``serve`` worker process.

Every ``poll`` seconds it syncs the subscriptions that are due. The thread runs whether or not
subscriptions exist yet: looking for due ones is one indexed query, and a subscription added
with the CLI while the server runs is picked up at the next poll. Several worker processes
may poll at once: ``SqlSubscriptionStore.claim`` gives each due subscription to exactly one.

Settings (environment): ``HASHWARDEN_SYNC_INTERVAL`` (seconds between syncs of a healthy
subscription, default 60), ``HASHWARDEN_SYNC_POLL_INTERVAL`` (default 5),
``HASHWARDEN_SYNC_BACKOFF_BASE`` (seconds before the first retry, doubling per failure up to an
hour; default 5) and ``HASHWARDEN_SYNC_PAGE_SIZE`` (changes per page, default 1000).
"""

from __future__ import annotations

import logging
import os

from hashwarden.core.errors import ConfigError
from hashwarden.core.periodic_worker import PeriodicWorker
from hashwarden.federation.publisher import MAX_LIMIT
from hashwarden.federation.subscriber import SyncPolicy, SyncService

log = logging.getLogger(__name__)


def _env_seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be greater than 0, got {raw!r}")
    return value


def policy_from_env() -> SyncPolicy:
    defaults = SyncPolicy()
    page_size = _env_seconds("HASHWARDEN_SYNC_PAGE_SIZE", defaults.page_size)
    if page_size != int(page_size) or not 1 <= page_size <= MAX_LIMIT:
        raise ConfigError(f"HASHWARDEN_SYNC_PAGE_SIZE must be a whole number from 1 to {MAX_LIMIT}")
    return SyncPolicy(
        page_size=int(page_size),
        interval=_env_seconds("HASHWARDEN_SYNC_INTERVAL", defaults.interval),
        backoff_base=_env_seconds("HASHWARDEN_SYNC_BACKOFF_BASE", defaults.backoff_base),
    )


def poll_interval_from_env() -> float:
    return _env_seconds("HASHWARDEN_SYNC_POLL_INTERVAL", 5.0)


class SyncWorker:
    def __init__(self, sync: SyncService, poll_interval: float = 5.0) -> None:
        self._sync = sync
        self._worker = PeriodicWorker(
            "subscription-sync",
            self._sync_due,
            poll_interval,
            log=log,
            failure=f"syncing failed; retrying in {poll_interval:.1f} s",
            first_wait=0.0,
            # A page in flight may take up to the HTTP timeout; the daemon thread dies with us.
            join_timeout=sync.policy.timeout + 5,
        )

    def start(self) -> None:
        self._worker.start()

    def stop(self) -> None:
        self._worker.stop()

    def _sync_due(self) -> None:
        for result in self._sync.sync_due(cancel=self._worker.stopping):
            if result.ok and result.changes:
                log.info(
                    "subscription %s: %d change(s) applied, cursor %d",
                    result.subscription, result.changes, result.cursor,
                )  # fmt: skip
