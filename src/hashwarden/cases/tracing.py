"""Trace an object: find every case picture that shows a region of one picture, and make a
censored copy that shows nothing but that region for a public appeal (as Europol's "Trace an
Object" does with background objects).

The region's local features are verified geometrically against every case item's features, so
the object is found at another size, angle or position and behind partial occlusion. The bar is
lower than for a whole picture (an object offers fewer keypoints) and still far above what
unrelated pictures share.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageFilter

from hashwarden.cases.interfaces import CaseError
from hashwarden.cases.models import CaseItem
from hashwarden.core.media.decode import open_image
from hashwarden.core.media.limits import DEFAULT_LIMITS, DecodeLimits
from hashwarden.core.robust.feature_index import FeatureIndex
from hashwarden.core.robust.features import QUERY_KEYPOINTS, SCENE, deserialise, extract

#: Verified keypoint pairs for "this picture shows the object", under the perspective model:
#: the object may be photographed from another side of the room.
TRACE_INLIERS = 12
#: Pictures verified per trace: the best-voted ones among every case.
TRACE_CANDIDATES = 50
#: An object smaller than this (pixels a side) has too few keypoints to trace.
MIN_REGION_SIDE = 24


@dataclass(frozen=True, slots=True)
class Box:
    left: int
    top: int
    width: int
    height: int

    @classmethod
    def parse(cls, text: str) -> Box:
        try:
            left, top, width, height = (int(part) for part in text.split(","))
        except ValueError:
            raise CaseError(f"region {text[:40]!r}: give LEFT,TOP,WIDTH,HEIGHT in pixels") from None
        if min(width, height) < MIN_REGION_SIDE or left < 0 or top < 0:
            raise CaseError(f"region {text[:40]!r}: at least {MIN_REGION_SIDE} pixels a side")
        return cls(left, top, width, height)

    def corners(self) -> tuple[int, int, int, int]:
        return self.left, self.top, self.left + self.width, self.top + self.height


@dataclass(frozen=True, slots=True)
class TraceHit:
    case_name: str
    path: str
    inliers: int

    def as_json(self) -> dict[str, object]:
        return {"case": self.case_name, "path": self.path, "inliers": self.inliers}


def load_picture(data: bytes, path: str, limits: DecodeLimits = DEFAULT_LIMITS) -> Image.Image:
    """A case picture from its bytes (``CaseMediaStore.read``), upright, in RGB."""
    decoded = open_image(data, path, limits)
    return decoded.upright().convert("RGB")


def region_of(picture: Image.Image, box: Box) -> Image.Image:
    if box.left + box.width > picture.width or box.top + box.height > picture.height:
        raise CaseError(
            f"region {box.corners()} lies outside the {picture.width}x{picture.height} picture"
        )
    return picture.crop(box.corners())


def trace(region: Image.Image, items: list[tuple[str, CaseItem]]) -> list[TraceHit]:
    """(case name, item) pairs whose features verify against the region's, most pairs first."""
    query = extract(region, QUERY_KEYPOINTS)
    index = FeatureIndex()
    owners: dict[int, tuple[str, CaseItem]] = {}
    for label, (case_name, item) in enumerate(items):
        if item.item.features is not None:
            index.add(label, deserialise(item.item.features))
            owners[label] = (case_name, item)
    hits = [
        TraceHit(owners[label][0], owners[label][1].path, matched)
        for label, matched in index.verified(query, candidates=TRACE_CANDIDATES, verification=SCENE)
        if matched >= TRACE_INLIERS
    ]
    return sorted(hits, key=lambda hit: (-hit.inliers, hit.case_name, hit.path))


def censored(picture: Image.Image, box: Box) -> Image.Image:
    """The picture with everything outside ``box`` blanked: only the object can be published.

    Outside the box is filled with flat grey rather than blurred, because a blur of a person
    can still be recognised and a published appeal must show no one.
    """
    out = Image.new("RGB", picture.size, (128, 128, 128))
    out.paste(picture.crop(box.corners()).filter(ImageFilter.SMOOTH), (box.left, box.top))
    return out
