"""Cases, the media items scanned into them, and the links found between items."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class LinkKind(enum.StrEnum):
    #: The same picture (PDQ within threshold, or the vPDQ rule for videos).
    NEAR_DUPLICATE = "near-duplicate"
    #: Different pictures sharing a verified background (local features, RANSAC).
    SAME_PLACE = "same-place"


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    name: str
    created_at: datetime
    description: str = ""


@dataclass(frozen=True, slots=True)
class KnownMatch:
    """The list entry an item matched: it is categorised from the list, not by a person."""

    list_name: str
    entry_id: int
    signal_type: str
    distance: int
    category: str | None = None


@dataclass(frozen=True, slots=True)
class ScannedItem:
    """What a scan found for one file or archive member, before it has an id."""

    path: str
    media_type: str
    size: int
    md5: str
    sha1: str
    sha256: str
    pdq: str | None = None
    pdq_quality: int = 0
    #: vPDQ value (``signals.vpdq`` serialisation) of a video.
    vpdq: str | None = None
    #: ORB features (``signals.orb`` value) for same-place linking; never leave the case.
    features: str | None = None
    exif: dict[str, Any] = field(default_factory=dict, hash=False)
    known: KnownMatch | None = None


@dataclass(frozen=True, slots=True)
class CaseItem:
    id: int
    case_id: int
    item: ScannedItem
    scanned_at: datetime
    #: Items whose pictures are near-duplicates share a stack (the smallest item id in it).
    stack_id: int | None = None

    @property
    def path(self) -> str:
        return self.item.path


@dataclass(frozen=True, slots=True)
class Link:
    a: str
    b: str
    kind: LinkKind
    #: near-duplicate: PDQ bits (lower is closer); same-place: verified keypoint pairs.
    score: float

    def as_json(self) -> dict[str, object]:
        return {"a": self.a, "b": self.b, "kind": self.kind.value, "score": self.score}


@dataclass(frozen=True, slots=True)
class Series:
    """Pictures of one abuse situation, grouped by an investigator within one case."""

    id: int
    case_id: int
    name: str
    created_by: str
    created_at: datetime
    item_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Sighting:
    """A series of an earlier case that items of this case belong to."""

    case_name: str
    series_name: str
    #: (this case's path, the earlier case's path, PDQ bits).
    matches: tuple[tuple[str, str, int], ...]

    def as_json(self) -> dict[str, object]:
        return {
            "case": self.case_name,
            "series": self.series_name,
            "items": [{"here": a, "there": b, "distance": d} for a, b, d in self.matches],
        }


@dataclass(frozen=True, slots=True)
class CaseSummary:
    case: Case
    items: int
    images: int
    videos: int
    other: int
    known: int
    stacks: int
    #: Items neither known nor near-duplicates of a known item: where the investigator starts.
    new: int
    with_gps: int
    cameras: dict[str, int]

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.case.name,
            "created_at": self.case.created_at.isoformat(),
            "description": self.case.description,
            "items": self.items,
            "images": self.images,
            "videos": self.videos,
            "other": self.other,
            "known": self.known,
            "new": self.new,
            "stacks": self.stacks,
            "with_gps": self.with_gps,
            "cameras": self.cameras,
        }
