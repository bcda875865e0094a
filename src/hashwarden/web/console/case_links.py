"""The links page: near-duplicate and same-place links with both pictures side by side.

For a same-place link the keypoints RANSAC verified are drawn over each picture (an SVG overlay
rendered on the server, no script), with their hull and bounding box: the investigator sees which
background details carried the link. Pictures are blurred until one link is revealed.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hashwarden.cases.media import CaseMediaMissingError
from hashwarden.cases.models import Case, CaseItem, Link, LinkKind
from hashwarden.core.errors import InvalidSignalError
from hashwarden.core.robust.features import deserialise
from hashwarden.core.robust.matched_regions import MatchedRegions, Region, matched_regions
from hashwarden.web.console.case_access import audit_case, open_case
from hashwarden.web.console.case_pictures import Frame, View, frame_of, media_bytes
from hashwarden.web.console.cases import case_service, render

router = APIRouter(prefix="/console", include_in_schema=False)
#: Links per page: each shows two pictures, so a page stays short (and its exposure small).
PER_PAGE = 10
KINDS = {LinkKind.SAME_PLACE.value: "Same place", LinkKind.NEAR_DUPLICATE.value: "Near-duplicate"}


@dataclass(frozen=True, slots=True)
class Side:
    item: CaseItem
    #: Upright size of the picture; None when its media are missing or not a picture.
    frame: Frame | None
    missing: str = ""
    region: Region | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.frame.upright if self.frame is not None else (1, 1)

    @property
    def marker(self) -> float:
        """Radius of a keypoint's circle, in the picture's pixels: visible at any size."""
        return max(self.size) / 100


@dataclass(frozen=True, slots=True)
class LinkView:
    number: int
    link: Link
    a: Side
    b: Side
    revealed: bool
    #: Verified pairs drawn (may differ slightly from the score, which counts the best direction).
    drawn: int = 0


def _side(request: Request, case: Case, item: CaseItem) -> tuple[Side, bytes | None]:
    try:
        data = media_bytes(request, case, item)
    except CaseMediaMissingError as exc:
        return Side(item, None, str(exc)), None
    frame = frame_of(data) if item.item.media_type == "image" else None
    return Side(item, frame), data


def _regions(a: Side, b: Side) -> MatchedRegions | None:
    if a.frame is None or b.frame is None or not a.item.item.features or not b.item.item.features:
        return None
    try:
        features_a = deserialise(a.item.item.features)
        features_b = deserialise(b.item.item.features)
    except InvalidSignalError:
        return None
    return matched_regions(features_a, (a.frame.width, a.frame.height), features_b,
                           (b.frame.width, b.frame.height), a.frame.orientation,
                           b.frame.orientation)  # fmt: skip


def link_view(request: Request, case: Case, number: int, link: Link,
              items: dict[str, CaseItem], revealed: bool) -> LinkView:  # fmt: skip
    a, _ = _side(request, case, items[link.a])
    b, _ = _side(request, case, items[link.b])
    if link.kind is not LinkKind.SAME_PLACE:
        return LinkView(number, link, a, b, revealed)
    regions = _regions(a, b)
    if regions is None:
        return LinkView(number, link, a, b, revealed)
    return LinkView(number, link, Side(a.item, a.frame, region=regions.a),
                    Side(b.item, b.frame, region=regions.b), revealed, len(regions))  # fmt: skip


@router.get("/cases/{name}/links", response_class=HTMLResponse)
def links_page(request: Request, name: str, kind: str = "", page: int = 1,
               reveal: int = 0) -> Response:  # fmt: skip
    opened = open_case(request, name)
    if isinstance(opened, Response):
        return opened
    signed, case = opened
    service = case_service(request)
    kinds = [LinkKind(kind)] if kind in KINDS else list(LinkKind)
    # Read a page of the links stored after the scans: nothing is matched per request.
    total = service.link_count(case, kinds)
    pages = max(1, -(-total // PER_PAGE))
    page = max(1, min(page, pages))
    first = (page - 1) * PER_PAGE
    _, found = service.link_page(case, kinds, first, PER_PAGE)
    items = {path: item for link in found for path in (link.a, link.b)
             if (item := service.item(case, path)) is not None}  # fmt: skip
    views = [
        link_view(request, case, first + offset + 1, link, items, reveal == first + offset + 1)
        for offset, link in enumerate(found)
    ]
    shown = next((v for v in views if v.revealed), None)
    audit_case(request, signed, "cases.links.view", case.name, kind=kind or "all", page=page,
               links=len(views), view=View.REVEALED.value if shown else View.BLURRED.value,
               **({"revealed": [shown.link.a, shown.link.b]} if shown else {}))  # fmt: skip
    return render(signed, "console/case_links.html", case=case, views=views, kinds=KINDS,
                  kind=kind if kind in KINDS else "", page=page, pages=pages,
                  total=total)  # fmt: skip
