"""The composition root for CLI commands: one engine, store, list service and matcher."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy import Engine

from hashwarden.core.lists.services import ListService
from hashwarden.core.matching.matcher import Matcher
from hashwarden.storage.database import create_engine
from hashwarden.storage.list_store import SqlListStore


class Runtime:
    def __init__(self, database_url: str | None = None) -> None:
        self._url = database_url

    @cached_property
    def engine(self) -> Engine:
        return create_engine(self._url)

    @cached_property
    def store(self) -> SqlListStore:
        return SqlListStore(self.engine)

    @cached_property
    def lists(self) -> ListService:
        return ListService(self.store)

    @cached_property
    def matcher(self) -> Matcher:
        return Matcher(self.store)
