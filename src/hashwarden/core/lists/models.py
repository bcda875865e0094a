"""Hash lists, their entries and the change log, as plain dataclasses (no storage concerns)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class ListKind(StrEnum):
    #: Hits are reported (and acted on by the service).
    BLOCK = "block"
    #: Hits suppress hits from block lists on the same item (known false positives, own content).
    ALLOW = "allow"


class ChangeOp(StrEnum):
    ADD = "add"
    UPDATE = "update"
    REMOVE = "remove"


@dataclass(frozen=True, slots=True, order=True)
class Signal:
    """One hash value of one registered type, in canonical form."""

    type: str
    value: str


@dataclass(frozen=True, slots=True)
class Category:
    """A classification under a named scheme, e.g. ``Category("iwf", "A")``.

    Schemes are configuration (IWF A/B/C, industry A1..B2, VICS numbers under a regional profile),
    so the core stores scheme and value as given and never interprets them.
    """

    scheme: str
    value: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"

    @classmethod
    def parse(cls, text: str, default_scheme: str = "") -> Category:
        scheme, sep, value = text.partition(":")
        if not sep:
            return cls(default_scheme, text.strip())
        return cls(scheme.strip(), value.strip())


@dataclass(frozen=True, slots=True)
class HashList:
    name: str
    description: str = ""
    kind: ListKind = ListKind.BLOCK
    #: Per-signal-type match thresholds that override the type's default.
    thresholds: dict[str, int] = field(default_factory=dict)
    #: Classification scheme entries are categorised under by default (``iwf``, ``industry`` ...).
    classification_scheme: str = ""
    #: Sequence number of the latest change; 0 for a new list.
    sequence: int = 0
    created_at: datetime | None = None
    id: int | None = None

    def threshold_for(self, signal_type: str, default: int) -> int:
        return self.thresholds.get(signal_type, default)


@dataclass(frozen=True, slots=True)
class EntryData:
    """What a curator supplies for an entry; the store adds ids, times and sequence numbers."""

    signals: tuple[Signal, ...]
    category: Category | None = None
    source: str = ""
    external_id: str = ""
    notes: str = ""
    added_by: str = ""
    #: When the source organisation added it, if the import carries that; else the import time.
    added_at: datetime | None = None
    #: Format-specific fields hashwarden does not interpret but must hand back unchanged on
    #: export, keyed by format (``{"vics": {"Series": "...", "Tags": [...]}}``); JSON values.
    attributes: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def merged_with(self, other: EntryData) -> EntryData:
        """Combine two descriptions of the same item: union of signals, first non-empty fields."""
        signals = tuple(sorted(set(self.signals) | set(other.signals)))
        return EntryData(
            signals=signals,
            category=self.category or other.category,
            source=self.source or other.source,
            external_id=self.external_id or other.external_id,
            notes=_join_notes(self.notes, other.notes),
            added_by=self.added_by or other.added_by,
            added_at=self.added_at or other.added_at,
            attributes={**other.attributes, **self.attributes},
        )


@dataclass(frozen=True, slots=True)
class Entry:
    """A live (or tombstoned) entry of a list."""

    id: int
    list_name: str
    data: EntryData
    added_at: datetime
    #: Sequence number of the change that last touched the entry.
    sequence: int
    removed_at: datetime | None = None

    @property
    def signals(self) -> tuple[Signal, ...]:
        return self.data.signals

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


@dataclass(frozen=True, slots=True)
class Change:
    """One step of a list's history; ``entry`` holds the state after the change."""

    sequence: int
    op: ChangeOp
    entry: Entry
    at: datetime


def _join_notes(a: str, b: str) -> str:
    if not a:
        return b
    if not b or a == b:
        return a
    return f"{a}\n{b}"
