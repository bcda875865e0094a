"""Fixtures for remote pulls: the fake NCMEC server, a list to fill, pulls wired to both."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from ncmec_fake import FakeNcmec
from pull_checks import GOOD, LIST, MakePull

from hashwarden.core.lists.services import ListService
from hashwarden.remote_pull.ncmec import NcmecPull
from hashwarden.remote_pull.ncmec_client import NcmecClient
from hashwarden.remote_pull.settings import NcmecCredentials
from hashwarden.storage.checkpoint_store import SqlCheckpointStore
from hashwarden.storage.list_store import SqlListStore


@pytest.fixture
def fake() -> Iterator[FakeNcmec]:
    server = FakeNcmec().start()
    yield server
    server.stop()


@pytest.fixture
def lists(store: SqlListStore) -> ListService:
    service = ListService(store)
    service.create_list(LIST)
    return service


@pytest.fixture
def checkpoints(store: SqlListStore) -> SqlCheckpointStore:
    return SqlCheckpointStore(store.engine, migrate=False)


@pytest.fixture
def make_pull(
    fake: FakeNcmec, lists: ListService, checkpoints: SqlCheckpointStore
) -> Iterator[MakePull]:
    """``make_pull(list_name=.., credentials=.., attempts=.., step=.., url=..)``."""
    clients: list[NcmecClient] = []

    def make(
        list_name: str = LIST,
        *,
        credentials: NcmecCredentials = GOOD,
        attempts: int = 3,
        step: timedelta = timedelta(days=30),
        url: str | None = None,
        **pull_options: Any,
    ) -> NcmecPull:
        # Retries wait next to nothing here; the waits themselves are tested on their own.
        client = NcmecClient(url or fake.url, credentials, attempts=attempts, backoff=0.001,
                             timeout=10.0)
        clients.append(client)
        return NcmecPull(lists, checkpoints, client, list_name, step=step, **pull_options)

    yield make
    for client in clients:
        client.close()
