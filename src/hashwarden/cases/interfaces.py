"""What the case service needs from storage."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from hashwarden.cases.models import Case, CaseItem, ScannedItem, Series
from hashwarden.core.errors import HashwardenError


class CaseError(HashwardenError):
    """A case request that cannot be done (unknown case, duplicate name); the message says why."""


class CaseStore(Protocol):
    def create_case(self, name: str, description: str, at: datetime) -> Case: ...
    def get_case(self, name: str) -> Case | None: ...
    def cases(self) -> list[Case]: ...
    def save_items(self, case_id: int, items: Sequence[ScannedItem], at: datetime) -> None:
        """Insert or replace items by path: a resumed scan may hand in an item again."""

    def items(self, case_id: int) -> Iterator[CaseItem]: ...
    def set_stacks(self, case_id: int, stacks: Mapping[int, int]) -> None:
        """Item id -> stack id for every item of the case (the others get no stack)."""

    def create_series(self, case_id: int, name: str, created_by: str, at: datetime,
                      item_ids: Sequence[int]) -> Series: ...
    def add_to_series(self, series_id: int, item_ids: Sequence[int]) -> None: ...
    def series(self, case_id: int | None = None) -> list[Series]:
        """The series of one case, or of every case (``None``)."""
