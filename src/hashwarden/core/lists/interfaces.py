"""What the core needs from a hash-list store (``hashwarden.storage`` implements it in SQL)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from hashwarden.core.lists.models import Change, Entry, EntryData, HashList, ListKind, Signal


@dataclass(frozen=True, slots=True)
class ListChanges:
    """A batch of changes applied to one list in one transaction."""

    add: Sequence[EntryData] = ()
    update: Sequence[tuple[int, EntryData]] = ()
    remove: Sequence[int] = ()
    actor: str = ""


@dataclass(frozen=True, slots=True)
class ListPatch:
    description: str | None = None
    kind: ListKind | None = None
    thresholds: dict[str, int] | None = None
    classification_scheme: str | None = None


@dataclass(frozen=True, slots=True)
class IndexedSignal:
    """One signal of one live entry, as the matcher indexes it."""

    #: Stable id of the (entry, signal) row; the index's label.
    signal_id: int
    list_name: str
    entry_id: int
    signal: Signal


@dataclass(slots=True)
class SignalDelta:
    """What changed in the indexable signals since a cursor."""

    added: list[IndexedSignal] = field(default_factory=list)
    removed_signal_ids: list[int] = field(default_factory=list)
    #: Pass back to ``signal_changes_since`` next time.
    cursor: int = 0


class ListWriter(Protocol):
    """Change batches to one list inside one open write transaction (see ``ListStore.writing``).

    Lookups see the batches applied earlier through the same writer.
    """

    @property
    def sequence(self) -> int:
        """The list's sequence number including the batches applied so far."""
        ...

    def find_live_entries(self, signals: Iterable[Signal]) -> list[Entry]: ...
    def find_live_by_external_id(self, external_ids: Iterable[str]) -> list[Entry]: ...
    def apply(self, changes: ListChanges) -> list[Change]: ...


class ListStore(Protocol):
    def create_list(self, hash_list: HashList) -> HashList: ...
    def get_list(self, name: str) -> HashList: ...
    def all_lists(self) -> list[HashList]: ...
    def update_list(self, name: str, patch: ListPatch) -> HashList: ...
    def delete_list(self, name: str) -> None: ...

    def apply(self, list_name: str, changes: ListChanges) -> list[Change]:
        """Apply every change atomically; each add/update/remove takes the next sequence number."""
        ...

    def writing(self, list_name: str) -> AbstractContextManager[ListWriter]:
        """A writer whose batches all commit when the block ends, or none if it raises."""
        ...

    def get_entry(self, list_name: str, entry_id: int) -> Entry: ...
    def entries(self, list_name: str, include_removed: bool = False) -> Iterator[Entry]: ...
    def count_entries(self, list_name: str) -> int: ...
    def find_live_entries(self, list_name: str, signals: Iterable[Signal]) -> list[Entry]:
        """Live entries of the list that carry any of ``signals`` exactly (for de-duplication)."""
        ...

    def find_live_by_external_id(self, list_name: str, external_ids: Iterable[str]) -> list[Entry]:
        """Live entries of the list whose ``external_id`` is one of ``external_ids``."""
        ...

    def changes_since(self, list_name: str, sequence: int, limit: int = 1000) -> list[Change]: ...

    def signal_changes_since(self, cursor: int) -> SignalDelta:
        """Every live signal added and every signal removed across all lists after ``cursor``.

        ``cursor`` 0 returns the full live set; the index loads with it at start and then follows.
        """
        ...

    def latest_signal_cursor(self) -> int:
        """The newest position of the signal feed (0 when nothing was ever indexed)."""
        ...

    def get_entries(self, entry_ids: Iterable[int]) -> dict[int, Entry]: ...
