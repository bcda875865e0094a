"""Media that triage fetched from a reported address, and what became of each item."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class ItemState(StrEnum):
    #: Matched a block list: classified automatically, never shown to an analyst.
    KNOWN = "known"
    #: Not on any list: an analyst must assess it.
    UNKNOWN = "unknown"
    ASSESSED = "assessed"


@dataclass(frozen=True, slots=True)
class NewItem:
    source_url: str
    media_type: str
    size: int
    #: Signal type -> value (md5, sha1, sha256, pdq, pdq_quality).
    signals: dict[str, Any]
    state: ItemState
    matched: dict[str, Any] | None = None
    #: The fetched bytes, kept only for unknown items.
    content: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    reference: str
    source_url: str
    media_type: str
    size: int
    signals: dict[str, Any]
    state: ItemState
    fetched_at: datetime
    matched: dict[str, Any] | None = None
    classification: dict[str, Any] | None = None
    has_content: bool = False
    assessed_by: str = ""
    assessed_at: datetime | None = None
    exposure_seconds: int = 0


class ItemStore(Protocol):
    def add_items(self, reference: str, items: list[NewItem], at: datetime) -> list[Item]: ...
    def items(self, reference: str) -> list[Item]: ...
    def item(self, item_id: int) -> Item | None: ...
    def content(self, item_id: int) -> bytes | None: ...

    def assess(
        self, item_id: int, classification: dict[str, Any], by: str, at: datetime,
        exposure_seconds: int,
    ) -> Item:
        """Record the decision and delete the item's content in the same transaction."""
        ...  # fmt: skip

    def state_counts(self, since: datetime) -> dict[str, int]: ...

    def exposure_since(self, by: str, since: datetime) -> int:
        """Seconds of exposure recorded for ``by`` on items assessed after ``since``."""
        ...
