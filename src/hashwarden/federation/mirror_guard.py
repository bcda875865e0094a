"""A list store that refuses local edits to mirror lists (see ``MirrorListError``).

The API's list service writes through it; sync writes through ``SqlSubscriptionStore``, which
this guard does not see.
"""

from __future__ import annotations

from sqlalchemy import Engine

from hashwarden.core.lists.interfaces import ListChanges
from hashwarden.core.lists.models import Change
from hashwarden.federation.errors import MirrorListError
from hashwarden.storage.list_store import SqlListStore
from hashwarden.storage.subscription_store import SqlSubscriptionStore


class MirrorGuardedListStore(SqlListStore):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, migrate=False)
        self._subscriptions = SqlSubscriptionStore(engine, migrate=False)

    def apply(self, list_name: str, changes: ListChanges) -> list[Change]:
        subscription = self._subscriptions.mirror_of(list_name)
        if subscription is not None:
            raise MirrorListError(list_name, subscription)
        return super().apply(list_name, changes)
