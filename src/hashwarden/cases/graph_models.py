"""The case graph: victims, offenders and places of a case, and edges between any two nodes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from hashwarden.cases.models import ScannedItem
from hashwarden.core.lists.models import Category


class EntityKind(enum.StrEnum):
    VICTIM = "victim"
    OFFENDER = "offender"
    PLACE = "place"


class NodeType(enum.StrEnum):
    ITEM = "item"
    SERIES = "series"
    VICTIM = "victim"
    OFFENDER = "offender"
    PLACE = "place"
    CASE = "case"


#: Edge kinds that VICS import writes (item -> case): the file says the person is identified,
#: not who, so no victim or offender node is invented for it.
VICTIM_IDENTIFIED = "victim-identified"
OFFENDER_IDENTIFIED = "offender-identified"
#: An investigator's statement that the person shown is this victim or offender.
IDENTIFIED_AS = "identified_as"
#: Provenance prefix of edges a machine proposed and nobody confirmed.
SUGGESTED = "suggested:"


@dataclass(frozen=True, slots=True, order=True)
class NodeRef:
    """One end of an edge. ``key``: an item's path, else the row id of the series, entity or case
    (labels can be renamed one day; ids cannot)."""

    type: NodeType
    key: str


@dataclass(frozen=True, slots=True)
class Entity:
    id: int
    case_id: int
    kind: EntityKind
    label: str
    notes: str
    created_by: str
    created_at: datetime
    latitude: float | None = None
    longitude: float | None = None

    @property
    def node(self) -> NodeRef:
        return NodeRef(NodeType(self.kind.value), str(self.id))


@dataclass(frozen=True, slots=True)
class Edge:
    source: NodeRef
    target: NodeRef
    kind: str
    #: Who or what said so: ``cli:<user>``, ``exif:gps``, ``suggested:same-place``, ``vics:<file>``.
    provenance: str
    confidence: float
    created_at: datetime

    @property
    def suggested(self) -> bool:
        return self.provenance.startswith(SUGGESTED)


@dataclass(frozen=True, slots=True)
class PlaceSuggestion:
    """Items whose EXIF GPS fixes lie close together: one candidate place."""

    latitude: float
    longitude: float
    #: Farthest item from the centre, in metres.
    radius_m: float
    paths: tuple[str, ...]
    #: An existing place of the case within reach of the centre, if any.
    place: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "place": self.place, "latitude": round(self.latitude, 7),
            "longitude": round(self.longitude, 7), "radius_m": round(self.radius_m, 1),
            "items": list(self.paths),
        }


@dataclass(frozen=True, slots=True)
class ImportedItem:
    """One file of a VICS Media record, ready to be saved into a case."""

    item: ScannedItem
    #: The file named no path: ``item.path`` is made up from a hash, and an item of the case
    #: with the same hash stands for it.
    synthetic: bool = False
    series: tuple[str, ...] = ()
    victim_identified: bool = False
    offender_identified: bool = False
    #: Hashes hashwarden cannot compute (PhotoDNA, TMK+PDQF, unknown names): VICS name -> value.
    other_hashes: dict[str, str] = field(default_factory=dict, hash=False)
    #: ``Category`` under the file's profile (``vics-us:2``); ``None`` when the file has none.
    category: Category | None = None


@dataclass(frozen=True, slots=True)
class ImportResult:
    case_id: int
    created_case: bool
    added: int
    existing: int
    series: int
    flags: int
    categories: int = 0
    #: Imported items that matched a list (known material, categorised from the list).
    known: int = 0

    def as_json(self) -> dict[str, object]:
        return {"created_case": self.created_case, "items_added": self.added,
                "items_existing": self.existing, "series": self.series, "flags": self.flags,
                "categories": self.categories, "known": self.known}
