"""The places page of a case: places with coordinates, their items, and EXIF GPS suggestions.

No map tiles: case data must not reach a tile server (and the console has no network), so the
coordinates are text and a small SVG plane. A suggestion (items whose GPS fixes lie within
100 m) is accepted with one button: the place is created, or the existing one within reach is
used, and its items are linked to it (``taken_at``, provenance ``exif:gps``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from hashwarden.accounts.staff_models import StaffSession
from hashwarden.cases.graph_models import Entity, EntityKind, PlaceSuggestion
from hashwarden.cases.models import Case
from hashwarden.web.charts.geo import GeoPoint, geo_scatter
from hashwarden.web.console.case_access import audit_case, find_case, open_case
from hashwarden.web.console.case_graph_pages import (
    actor,
    graph_of,
    investigator_form,
    render,
)

router = APIRouter(prefix="/console/cases", include_in_schema=False)
GROUPS = ("place", "suggested place")
DONE = {"accepted": "Suggestion accepted: its items are linked to the place."}
REFUSED = "That suggestion is no longer there (the case changed): here are the current ones."


@dataclass(frozen=True, slots=True)
class PlaceRow:
    entity: Entity
    #: (path, item id or None when the item left the case), by path.
    items: tuple[tuple[str, int | None], ...]
    #: Other nodes linked to the place: ``victim:V1``, ``series:kitchen``...
    others: tuple[str, ...]


def suggestion_key(suggestion: PlaceSuggestion) -> str:
    """Names a suggestion by its items: stable while the items' fixes are."""
    return hashlib.sha256("\n".join(suggestion.paths).encode()).hexdigest()[:20]


def place_rows(places: Sequence[Entity], edges: Sequence[dict[str, object]],
               item_ids: dict[str, int]) -> list[PlaceRow]:  # fmt: skip
    rows = []
    for place in sorted(places, key=lambda p: p.label):
        node = f"place:{place.label}"
        linked = sorted({str(e["to"] if e["from"] == node else e["from"]) for e in edges
                         if node in (e["from"], e["to"])})
        items = tuple((ref[5:], item_ids.get(ref[5:])) for ref in linked
                      if ref.startswith("item:"))
        rows.append(PlaceRow(place, items, tuple(r for r in linked if not r.startswith("item:"))))
    return rows


def _chart(places: Sequence[Entity], suggestions: Sequence[PlaceSuggestion]) -> str:
    points = [GeoPoint(p.label, p.latitude, p.longitude, "place",
                       f"place {p.label}: {p.latitude:.6f}, {p.longitude:.6f}")
              for p in places if p.latitude is not None and p.longitude is not None]
    points += [GeoPoint(f"suggested ({len(s.paths)})", s.latitude, s.longitude, "suggested place",
                        f"suggested: {len(s.paths)} item(s) within {s.radius_m:.0f} m of "
                        f"{s.latitude:.6f}, {s.longitude:.6f}")
               for s in suggestions if s.place is None]
    return geo_scatter(points, groups=GROUPS, title="Places and suggested places")


def _places_page(request: Request, signed: StaffSession, case: Case, *, status_code: int = 200,
                 done: str = "", error: str = "") -> Response:  # fmt: skip
    graph = graph_of(request)
    places = graph.entities(case, EntityKind.PLACE)
    document = graph.graph(case)
    item_ids = {item.path: item.id for item in graph.cases.items(case)}
    suggestions = graph.place_suggestions(case)
    audit_case(request, signed, "cases.places.view", case.name, places=len(places),
               suggestions=len(suggestions))
    return render(
        "console/case_places.html", signed, status_code, case=case,
        chart=Markup(_chart(places, suggestions)),
        places=place_rows(places, document["edges"], item_ids),
        suggestions=[(suggestion_key(s), s, [(p, item_ids.get(p)) for p in s.paths])
                     for s in suggestions],
        done=DONE.get(done, ""), error=error,
    )  # fmt: skip


@router.get("/{name}/places", response_class=HTMLResponse)
def places_page(request: Request, name: str, done: str = "") -> Response:
    opened = open_case(request, name)
    if isinstance(opened, Response):
        return opened
    signed, case = opened
    return _places_page(request, signed, case, done=done)


def _accept(request: Request, signed: StaffSession, case: Case, key: str
            ) -> PlaceSuggestion | None:  # fmt: skip
    graph = graph_of(request)
    # Recomputed, not taken from the form: the browser names a suggestion, never its items.
    chosen = [s for s in graph.place_suggestions(case) if suggestion_key(s) == key]
    if not chosen:
        return None
    (accepted,) = graph.accept_places(case, chosen, actor(signed))
    return accepted


@router.post("/{name}/places/accept")
async def accept_suggestion(request: Request, name: str) -> Response:
    posted = await investigator_form(request)
    if not isinstance(posted, tuple):
        return posted
    signed, data = posted
    case = await run_in_threadpool(find_case, request, signed, name)
    if not isinstance(case, Case):
        return case
    accepted = await run_in_threadpool(_accept, request, signed, case,
                                       data.get("suggestion", ""))  # fmt: skip
    if accepted is None:
        return await run_in_threadpool(
            lambda: _places_page(request, signed, case, status_code=409, error=REFUSED)
        )  # fmt: skip
    audit_case(request, signed, "cases.graph.edit", case.name, change="place.accept",
               place=accepted.place, items=len(accepted.paths),
               latitude=round(accepted.latitude, 7), longitude=round(accepted.longitude, 7))
    return RedirectResponse(f"/console/cases/{case.name}/places?done=accepted", status_code=303)
