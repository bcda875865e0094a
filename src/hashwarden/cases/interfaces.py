"""What the case service needs from storage."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hashwarden.cases.graph_models import Edge, Entity, EntityKind, ImportedItem, ImportResult
from hashwarden.cases.models import Case, CaseItem, Link, LinkKind, ScannedItem, Series
from hashwarden.core.errors import HashwardenError


class CaseError(HashwardenError):
    """A case request that cannot be done (unknown case, duplicate name); the message says why."""


@dataclass(frozen=True, slots=True)
class PictureHash:
    """An item's PDQ without the rest of the item: what comparisons across cases read."""

    item_id: int
    path: str
    pdq: str
    pdq_quality: int


@dataclass(frozen=True, slots=True)
class SeriesPicture:
    """A picture of a series, with the names a sighting reports."""

    case_name: str
    series_id: int
    series_name: str
    picture: PictureHash


class CaseStore(Protocol):
    def create_case(self, name: str, description: str, at: datetime) -> Case: ...
    def get_case(self, name: str) -> Case | None: ...
    def cases(self) -> list[Case]: ...
    def save_items(self, case_id: int, items: Sequence[ScannedItem], at: datetime) -> None:
        """Insert or replace items by path: a resumed scan may hand in an item again."""

    def items(self, case_id: int) -> Iterator[CaseItem]: ...
    def item(self, case_id: int, path: str) -> CaseItem | None: ...
    def count_items(self, case_id: int) -> int: ...
    def pictures(self, case_id: int) -> list[PictureHash]:
        """The case's items that have a PDQ, in item order."""

    def series_pictures(self, other_than: int) -> list[SeriesPicture]:
        """Members with a PDQ of every series of every case but ``other_than``, in the order
        of ``series(None)`` and by item within a series."""

    def set_stacks(self, case_id: int, stacks: Mapping[int, int]) -> None:
        """Item id -> stack id for every item of the case (the others get no stack)."""

    def create_series(self, case_id: int, name: str, created_by: str, at: datetime,
                      item_ids: Sequence[int]) -> Series: ...
    def add_to_series(self, series_id: int, item_ids: Sequence[int]) -> None: ...
    def series(self, case_id: int | None = None) -> list[Series]:
        """The series of one case, or of every case (``None``)."""

    def unlinked(self, case_id: int) -> list[int]:
        """Ids of the items whose links are not stored yet (new or replaced rows), in order."""

    def save_links(self, case_id: int, linked: Sequence[int], links: Sequence[Link],
                   at: datetime) -> None:
        """Store ``links`` (replacing those with the same ends and kind) and mark the items
        ``linked`` as linked, together. A replaced item row loses its links (``save_items``)."""

    def forget_links(self, case_id: int) -> None:
        """Drop the case's links and mark every item unlinked."""

    def links(self, case_id: int, kind: LinkKind, *, paths: Sequence[str] | None = None,
              offset: int = 0, limit: int | None = None, apart: bool = True) -> list[Link]:
        """Stored links of ``kind`` whose ends are items, best first, ties in item order, each
        oriented by item order; only those touching ``paths`` when given. ``apart`` leaves out
        same-place links between items of one stack."""

    def count_links(self, case_id: int, kind: LinkKind) -> int:
        """How many ``links(case_id, kind)`` gives."""


class CaseGraphStore(Protocol):
    """Victims, offenders, places and edges of a case, and VICS imports (one transaction)."""

    def add_entity(self, case_id: int, kind: EntityKind, label: str, notes: str,
                   created_by: str, at: datetime, latitude: float | None = None,
                   longitude: float | None = None) -> Entity:
        """``CaseError`` when the case has an entity of that kind and label already."""

    def entities(self, case_id: int, kind: EntityKind | None = None) -> list[Entity]: ...
    def save_edges(self, case_id: int, edges: Sequence[Edge]) -> None:
        """Insert edges; one with the same ends and kind is replaced (the latest word counts)."""

    def edges(self, case_id: int) -> list[Edge]:
        """The case's edges; item ends by path (an item no longer in the case: ``?<key>``)."""

    def other_hashes(self, case_id: int) -> dict[str, dict[str, str]]:
        """Path -> {VICS hash name: value} for hashes only an import brought."""

    def import_items(self, case_id: int | None, new_case: tuple[str, str] | None,
                     items: Sequence[ImportedItem], actor: str, provenance: str,
                     at: datetime) -> ImportResult:
        """Save a VICS file's items, series and flags, creating ``new_case`` (name,
        description) first when ``case_id`` is ``None``; all or nothing."""
