"""What matching returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from hashwarden.core.lists.models import ListKind


@dataclass(frozen=True, slots=True)
class Hit:
    """One list entry that matched one signal of the queried item."""

    list_name: str
    list_kind: ListKind
    entry_id: int
    signal_type: str
    #: The value stored in the list.
    matched_value: str
    #: The queried value that matched (for PDQ: the variant's hash).
    query_value: str
    #: Integer distance (0 for exact types).
    distance: int
    category: str | None
    source: str
    external_id: str
    #: Which pixels of the queried media matched: ``original``, ``exif`` or the dihedral variant
    #: (``Variant``) that brings the upload back to the listed item (an upload rotated by 90
    #: degrees matches through ``rotate270``).
    variant: str

    def as_json(self) -> dict[str, object]:
        return {
            "list": self.list_name,
            "list_kind": str(self.list_kind),
            "entry_id": self.entry_id,
            "signal_type": self.signal_type,
            "matched_value": self.matched_value,
            "distance": self.distance,
            "category": self.category,
            "source": self.source,
            "external_id": self.external_id,
            "variant": self.variant,
        }


@dataclass(slots=True)
class MatchOutcome:
    """Hits for one item after allow lists have been applied."""

    #: Block-list hits that stand.
    hits: list[Hit] = field(default_factory=list)
    #: Allow-list hits; when any exist, block hits move to ``suppressed``.
    allowed: list[Hit] = field(default_factory=list)
    suppressed: list[Hit] = field(default_factory=list)
    #: Human-readable notes, e.g. why perceptual matching was skipped.
    notes: list[str] = field(default_factory=list)
    perceptual_checked: bool = False

    @property
    def matched(self) -> bool:
        return bool(self.hits)

    def as_json(self) -> dict[str, object]:
        record: dict[str, object] = {"matches": [hit.as_json() for hit in self.hits]}
        if self.allowed:
            record["allowed"] = [hit.as_json() for hit in self.allowed]
            record["suppressed"] = [hit.as_json() for hit in self.suppressed]
        if self.notes:
            record["notes"] = list(self.notes)
        return record
