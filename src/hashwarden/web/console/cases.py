"""Investigators' case pages: the cases, one case new-first and paged, one item, its picture.

Only investigators get in (``case_access``). Every view of items or media is audit-logged under
the investigator's name; pictures open blurred, and revealing one is an explicit, logged step.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hashwarden.accounts.staff_models import StaffSession
from hashwarden.cases.browsing import Section, item_page
from hashwarden.cases.media import CaseMediaMissingError
from hashwarden.cases.models import Case, CaseItem
from hashwarden.cases.services import CaseService
from hashwarden.core.errors import InvalidSignalError, MediaError
from hashwarden.core.signals.vpdq import frames_of
from hashwarden.storage.case_browsing_store import SqlCaseBrowsing
from hashwarden.web.console.case_access import audit_case, investigator, open_case
from hashwarden.web.console.case_pictures import (
    PICTURE_HEADERS,
    View,
    media_bytes,
    picture,
)
from hashwarden.web.templating import SECURITY_HEADERS, environment

router = APIRouter(prefix="/console", include_in_schema=False)
SECTIONS = {Section.NEW: "New", Section.STACKS: "Stacks of near-duplicates",
            Section.KNOWN: "Known to the lists", Section.OTHER: "Other files"}  # fmt: skip
EXIF_LABELS = {"make": "Camera make", "model": "Camera model", "serial": "Camera serial",
               "lens": "Lens", "software": "Software", "taken_at": "Taken",
               "digitized_at": "Digitised"}  # fmt: skip


def case_service(request: Request) -> CaseService:
    service: CaseService = request.app.state.services.cases
    return service


def browsing(request: Request) -> SqlCaseBrowsing:
    return SqlCaseBrowsing(request.app.state.services.engine)


def render(signed: StaffSession, template: str, status_code: int = 200, **context: Any
           ) -> Response:  # fmt: skip
    html = environment("en").get_template(template).render(session=signed, **context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def not_found(signed: StaffSession, heading: str, message: str) -> Response:
    return render(signed, "console/error.html", 404, heading=heading, message=message)


def find_item(request: Request, signed: StaffSession, case: Case, item_id: int
              ) -> CaseItem | Response:  # fmt: skip
    item = browsing(request).item(case.id, item_id)
    if item is None:
        return not_found(signed, "No such item", "The case has no item of that number.")
    return item


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request) -> Response:
    signed = investigator(request)
    if not isinstance(signed, StaffSession):
        return signed
    # From light rows: a case of 100,000 items would otherwise load every hash and feature.
    store = browsing(request)
    summaries = [store.summary(case) for case in case_service(request).cases()]
    return render(signed, "console/cases.html", summaries=summaries)


@router.get("/cases/{name}", response_class=HTMLResponse)
def case_page(request: Request, name: str, show: str = "new", page: int = 1) -> Response:
    opened = open_case(request, name)
    if isinstance(opened, Response):
        return opened
    signed, case = opened
    section = Section(show) if show in {s.value for s in Section} else Section.NEW
    store = browsing(request)
    listing = item_page(store, case.id, section, page)
    audit_case(request, signed, "cases.view", case.name, section=section.value,
               page=listing.page, rows=len(listing.rows))  # fmt: skip
    return render(signed, "console/case.html", case=case, listing=listing,
                  counts=store.section_counts(case.id), sections=SECTIONS)  # fmt: skip


@router.get("/cases/{name}/items/{item_id}", response_class=HTMLResponse)
def item_view(request: Request, name: str, item_id: int, view: str = "blurred") -> Response:
    opened = open_case(request, name)
    if isinstance(opened, Response):
        return opened
    signed, case = opened
    item = find_item(request, signed, case, item_id)
    if not isinstance(item, CaseItem):
        return item
    shown = View.parse(view)
    missing = ""
    if item.item.media_type != "other":
        try:
            media_bytes(request, case, item)
        except CaseMediaMissingError as exc:
            missing = str(exc)
    service = case_service(request)
    store = browsing(request)
    members = store.stack_members(case.id, item.stack_id) if item.stack_id is not None else []
    series = [s.name for s in service.series(case) if item.id in s.item_ids]
    # Stored links, found from either end, and only the partners' rows: no case-wide load.
    links = service.item_links(case, item.path)
    partners = {end for link in links for end in (link.a, link.b)} - {item.path}
    by_path = {path: found.id for path in partners
               if (found := service.item(case, path)) is not None}  # fmt: skip
    audit_case(request, signed, "cases.item.view", case.name, item=item.id, path=item.path,
               view=shown.value)  # fmt: skip
    return render(signed, "console/case_item.html", case=case, item=item, view=shown.value,
                  missing=missing, members=[m for m in members if m.id != item.id],
                  series=series, links=links, by_path=by_path, exif_labels=EXIF_LABELS,
                  vpdq_frames=_frames(item))  # fmt: skip


def _frames(item: CaseItem) -> int:
    try:
        return len(frames_of(item.item.vpdq)) if item.item.vpdq else 0
    except InvalidSignalError:
        return 0


@router.get("/cases/{name}/items/{item_id}/picture")
def item_picture(request: Request, name: str, item_id: int, view: str = "blurred") -> Response:
    opened = open_case(request, name)
    if isinstance(opened, Response):
        return opened
    signed, case = opened
    item = find_item(request, signed, case, item_id)
    if not isinstance(item, CaseItem):
        return item
    shown = View.parse(view)
    # Logged before the bytes are read: an attempt on missing media is a view attempt too.
    audit_case(request, signed, "cases.media.view", case.name, item=item.id, path=item.path,
               view=shown.value)  # fmt: skip
    if item.item.media_type == "other":
        return Response("not a picture", status_code=404, headers=PICTURE_HEADERS)
    try:
        body = picture(media_bytes(request, case, item), item, shown)
    except CaseMediaMissingError:
        return Response("the media of this item is not available", status_code=404,
                        media_type="text/plain", headers=PICTURE_HEADERS)  # fmt: skip
    except MediaError:
        return Response("the media of this item cannot be decoded", status_code=415,
                        media_type="text/plain", headers=PICTURE_HEADERS)  # fmt: skip
    return Response(body, media_type="image/jpeg", headers=PICTURE_HEADERS)
