"""A list store that refuses local edits to mirror lists (see ``MirrorListError``).

The API's list service writes through it; sync writes through ``SqlSubscriptionStore``, which
this guard does not see.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from hashwarden.federation.errors import MirrorListError
from hashwarden.storage.list_store import SqlListStore
from hashwarden.storage.list_writer import SqlListWriter
from hashwarden.storage.subscription_store import SqlSubscriptionStore


class MirrorGuardedListStore(SqlListStore):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, migrate=False)
        self._subscriptions = SqlSubscriptionStore(engine, migrate=False)

    @contextmanager
    def writing(self, list_name: str) -> Iterator[SqlListWriter]:
        subscription = self._subscriptions.mirror_of(list_name)
        if subscription is not None:
            raise MirrorListError(list_name, subscription)
        with super().writing(list_name) as writer:
            yield writer
