"""Adding, listing and removing subscriptions (the subscriber's side of list exchange)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from hashwarden.core.errors import ListNotFoundError
from hashwarden.core.lists.services import ListService
from hashwarden.federation.envelope import decode_public_key
from hashwarden.federation.errors import FederationError
from hashwarden.federation.models import Subscription
from hashwarden.storage.subscription_store import SqlSubscriptionStore

_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SubscriptionService:
    def __init__(
        self,
        store: SqlSubscriptionStore,
        lists: ListService,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.store = store
        self._lists = lists
        self._clock = clock

    def add(
        self,
        name: str,
        *,
        publisher_url: str,
        remote_list: str,
        into: str,
        token: str,
        public_keys: Sequence[str],
    ) -> Subscription:
        """Subscribe local list ``into`` (created when missing; must be empty) to a publisher."""
        if not _NAME.fullmatch(name):
            raise FederationError(
                f"invalid subscription name {name!r}: use 1-100 letters, digits, '.', '_' or '-'"
            )
        url = _checked_url(publisher_url)
        if not remote_list.strip():
            raise FederationError("the remote list name is empty")
        token = token.strip()
        if not token or any(c.isspace() for c in token):
            raise FederationError("the token is empty or contains white space")
        _check_keys(public_keys)
        created = False
        try:
            self._lists.get_list(into)
        except ListNotFoundError:
            self._lists.create_list(into, description=f"mirror of {remote_list} at {url}")
            created = True
        try:
            return self.store.add(
                name=name,
                publisher_url=url,
                remote_list=remote_list,
                list_name=into,
                token=token,
                public_keys=[key.strip() for key in public_keys],
                now=self._clock(),
            )
        except Exception:
            if created:
                self._lists.delete_list(into)
            raise

    def pin(self, name: str, public_keys: Sequence[str]) -> Subscription:
        """Replace the pinned keys (after the publisher rotated its key); the cursor stays."""
        _check_keys(public_keys)
        return self.store.set_public_keys(name, [key.strip() for key in public_keys])

    def all(self) -> list[Subscription]:
        return self.store.all()

    def remove(self, name: str) -> Subscription:
        return self.store.remove(name)


def _check_keys(public_keys: Sequence[str]) -> None:
    if not public_keys:
        raise FederationError("pin at least one publisher public key")
    for key in public_keys:
        try:
            decode_public_key(key)
        except ValueError as exc:
            raise FederationError(f"public key {key[:20]!r}...: {exc}") from None


def _checked_url(raw: str) -> str:
    url = raw.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FederationError(f"the publisher URL must be http(s)://host[:port], got {raw!r}")
    if parts.query or parts.fragment:
        raise FederationError("the publisher URL must not carry a query or fragment")
    return url
