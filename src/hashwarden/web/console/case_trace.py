"""Trace an object from the console: pick a region of one picture, find it in every case.

The investigator gives the region as four numbers in the upright picture's own pixels (the
form works without script); ``static/trace.js`` only lets them drag the rectangle instead. The
page starts blurred like every case picture: revealing it, needed to see the object, is a
separate, logged view. Hits are shown blurred, each linked to its item page. The export is the
censored PNG of ``tracing.censored``: grey everywhere but the object, for a public appeal.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from hashwarden.accounts.staff_models import StaffSession
from hashwarden.cases.interfaces import CaseError
from hashwarden.cases.media import CaseMediaMissingError
from hashwarden.cases.models import Case, CaseItem
from hashwarden.cases.tracing import (
    MIN_REGION_SIDE,
    TRACE_INLIERS,
    Box,
    TraceHit,
    censored,
    load_picture,
    region_of,
)
from hashwarden.config import decode_limits
from hashwarden.core.errors import MediaError
from hashwarden.core.robust.features import QUERY_KEYPOINTS, extract
from hashwarden.web.console.case_access import audit_case, find_case, investigator
from hashwarden.web.console.case_graph_pages import investigator_form, sentence
from hashwarden.web.console.case_pictures import (
    PICTURE_HEADERS,
    Frame,
    View,
    frame_of,
    media_bytes,
)
from hashwarden.web.console.cases import case_service, find_item, render
from hashwarden.web.templating import SCRIPT_SECURITY_HEADERS

router = APIRouter(prefix="/console", include_in_schema=False)
FIELDS = (("left", "Left"), ("top", "Top"), ("width", "Width"), ("height", "Height"))
NOT_A_PICTURE = "Only pictures can be traced: this item is not one."
UNDECODABLE = "The picture of this item cannot be decoded, so no region of it can be traced."


@dataclass(frozen=True, slots=True)
class HitSide:
    """A hit as the ``case_picture.html`` macro draws it (blurred, no overlay)."""

    item: CaseItem
    frame: Frame | None
    missing: str = ""
    region: None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.frame.upright if self.frame is not None else (1, 1)


@dataclass(frozen=True, slots=True)
class HitView:
    hit: TraceHit
    case: Case
    side: HitSide


@dataclass(frozen=True, slots=True)
class TraceForm:
    values: dict[str, str]
    errors: dict[str, str]
    box: Box | None


def parse_region(data: dict[str, str]) -> TraceForm:
    """The four numbers of the form; per-field errors, or the ``Box`` they make."""
    values = {name: data.get(name, "").strip()[:12] for name, _ in FIELDS}
    errors: dict[str, str] = {}
    numbers: dict[str, int] = {}
    for name, label in FIELDS:
        try:
            numbers[name] = int(values[name])
        except ValueError:
            errors[name] = f"{label} must be a whole number of pixels."
            continue
        least = MIN_REGION_SIDE if name in ("width", "height") else 0
        if numbers[name] < least:
            errors[name] = (f"{label} must be at least {MIN_REGION_SIDE} pixels: a smaller "
                            "object has too few details to trace." if least
                            else f"{label} cannot be negative.")  # fmt: skip
    if errors:
        return TraceForm(values, errors, None)
    return TraceForm(values, {}, Box(numbers["left"], numbers["top"], numbers["width"],
                                     numbers["height"]))  # fmt: skip


def _target(request: Request, signed: StaffSession, name: str, item_id: int
            ) -> tuple[Case, CaseItem] | Response:  # fmt: skip
    case = find_case(request, signed, name)
    if not isinstance(case, Case):
        return case
    item = find_item(request, signed, case, item_id)
    if not isinstance(item, CaseItem):
        return item
    if item.item.media_type != "image":
        return render(signed, "console/error.html", 400, heading="Not a picture",
                      message=NOT_A_PICTURE)  # fmt: skip
    return case, item


def _page(request: Request, signed: StaffSession, case: Case, item: CaseItem, view: View, *,
          status_code: int = 200, form: TraceForm | None = None, error: str = "",
          hits: list[HitView] | None = None, note: str = "") -> Response:  # fmt: skip
    missing = ""
    frame = None
    try:
        frame = frame_of(media_bytes(request, case, item))
    except CaseMediaMissingError as exc:
        missing = str(exc)
    if not missing and frame is None:
        error = error or UNDECODABLE
    shown = form or TraceForm({}, {}, None)
    html = render(signed, "console/case_trace.html", status_code, case=case, item=item,
                  view=view.value, frame=frame, size=frame.upright if frame else (1, 1),
                  missing=missing, fields=FIELDS, values=shown.values, errors=shown.errors,
                  box=shown.box, error=error, hits=hits, note=note,
                  min_side=MIN_REGION_SIDE)  # fmt: skip
    # The drag script: the site's own file, under Trusted Types (``templating``).
    html.headers.update(SCRIPT_SECURITY_HEADERS)
    return html


@router.get("/cases/{name}/items/{item_id}/trace", response_class=HTMLResponse)
def trace_page(request: Request, name: str, item_id: int, view: str = "blurred") -> Response:
    signed = investigator(request)
    if not isinstance(signed, StaffSession):
        return signed
    target = _target(request, signed, name, item_id)
    if not isinstance(target, tuple):
        return target
    case, item = target
    # The picture itself is logged as ``cases.media.view`` by the picture route it loads from.
    return _page(request, signed, case, item, View.parse(view))


def _hit_view(request: Request, hit: TraceHit) -> HitView | None:
    service = case_service(request)
    try:
        case = service.get(hit.case_name)
    except CaseError:
        return None  # the case was deleted since the trace began
    item = service.item(case, hit.path)
    if item is None:
        return None
    try:
        frame = frame_of(media_bytes(request, case, item))
    except CaseMediaMissingError as exc:
        return HitView(hit, case, HitSide(item, None, str(exc)))
    return HitView(hit, case, HitSide(item, frame))


def _trace(request: Request, case: Case, item: CaseItem, box: Box
           ) -> tuple[list[HitView], int | None]:  # fmt: skip
    """The hits, and when there are none the region's keypoint count (to say why)."""
    data = media_bytes(request, case, item)
    hits = case_service(request).trace(case, item.path, box, data)
    views = [v for v in (_hit_view(request, hit) for hit in hits) if v is not None]
    if views:
        return views, None
    region = region_of(load_picture(data, item.path, decode_limits()), box)
    return [], len(extract(region, QUERY_KEYPOINTS))


@router.post("/cases/{name}/items/{item_id}/trace", response_class=HTMLResponse)
async def trace_object(request: Request, name: str, item_id: int) -> Response:
    posted = await investigator_form(request)
    if not isinstance(posted, tuple):
        return posted
    signed, data = posted
    target = await run_in_threadpool(_target, request, signed, name, item_id)
    if not isinstance(target, tuple):
        return target
    case, item = target
    view = View.parse(data.get("view", ""))
    form = parse_region(data)

    def page(status_code: int, error: str = "", hits: list[HitView] | None = None,
             note: str = "") -> Response:  # fmt: skip
        return _page(request, signed, case, item, view, status_code=status_code, form=form,
                     error=error, hits=hits, note=note)  # fmt: skip

    if form.box is None:
        return await run_in_threadpool(page, 400, error="Give the region as four numbers.")
    box = form.box
    try:
        hits, keypoints = await run_in_threadpool(_trace, request, case, item, box)
    except CaseMediaMissingError:
        return await run_in_threadpool(page, 404, error="The media of this item is not "
                                       "available: nothing can be traced.")  # fmt: skip
    except CaseError as exc:  # the region lies outside the picture
        return await run_in_threadpool(page, 400, error=sentence(exc))
    except MediaError:
        return await run_in_threadpool(page, 415, error=UNDECODABLE)
    audit_case(request, signed, "cases.trace", case.name, item=item.id, path=item.path,
               region=[box.left, box.top, box.width, box.height], found=len(hits),
               hits=[f"{h.case.name}:{h.hit.path}" for h in hits])  # fmt: skip
    if keypoints is not None and keypoints < TRACE_INLIERS:
        return await run_in_threadpool(
            page, 400,
            error=f"The region has {keypoints} distinctive point{'s' * (keypoints != 1)}, "
            f"fewer than the {TRACE_INLIERS} a trace needs: choose an object with more detail "
            "(edges, corners, texture) or a larger region.",
        )  # fmt: skip
    note = "" if hits else (f"No other picture in any case shows this object (the region has "
                            f"{keypoints} distinctive points).")  # fmt: skip
    return await run_in_threadpool(page, 200, hits=hits, note=note)


def _export(request: Request, case: Case, item: CaseItem, box: Box) -> bytes:
    picture = load_picture(media_bytes(request, case, item), item.path, decode_limits())
    region_of(picture, box)  # refuses a region outside the picture
    out = io.BytesIO()
    censored(picture, box).save(out, format="PNG")
    return out.getvalue()


@router.post("/cases/{name}/items/{item_id}/trace/export")
async def export_object(request: Request, name: str, item_id: int) -> Response:
    posted = await investigator_form(request)
    if not isinstance(posted, tuple):
        return posted
    signed, data = posted
    target = await run_in_threadpool(_target, request, signed, name, item_id)
    if not isinstance(target, tuple):
        return target
    case, item = target
    view = View.parse(data.get("view", ""))
    form = parse_region(data)

    def page(status_code: int, error: str) -> Response:
        return _page(request, signed, case, item, view, status_code=status_code, form=form,
                     error=error)  # fmt: skip

    if form.box is None:
        return await run_in_threadpool(page, 400, "Give the region as four numbers.")
    box = form.box
    try:
        png = await run_in_threadpool(_export, request, case, item, box)
    except CaseMediaMissingError:
        return await run_in_threadpool(page, 404, "The media of this item is not available: "
                                       "nothing can be exported.")  # fmt: skip
    except CaseError as exc:
        return await run_in_threadpool(page, 400, sentence(exc))
    except MediaError:
        return await run_in_threadpool(page, 415, UNDECODABLE)
    audit_case(request, signed, "cases.trace.export", case.name, item=item.id, path=item.path,
               region=[box.left, box.top, box.width, box.height], bytes=len(png))  # fmt: skip
    filename = f"appeal-{case.name}-item-{item.id}.png"
    return Response(png, media_type="image/png", headers={
        **PICTURE_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"',
    })  # fmt: skip
