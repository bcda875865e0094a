"""The case graph page: victims, offenders, places, series and items with their edges.

Shown as a server-rendered SVG and as lists, with forms to add a victim, an offender, a place and
an edge. Every change goes through ``CaseGraphService`` (the CLI's rules: labels, coordinates,
edge kinds, confidence, ends that exist); every view and change is audit-logged on the case.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from hashwarden.accounts.staff_models import StaffSession
from hashwarden.cases.graph_models import EntityKind
from hashwarden.cases.interfaces import CaseError
from hashwarden.cases.models import Case
from hashwarden.web.console.case_access import audit_case, find_case, open_case
from hashwarden.web.console.case_graph_pages import (
    actor,
    graph_of,
    investigator_form,
    optional_number,
    render,
    sentence,
)
from hashwarden.web.console.case_graph_view import (
    GROUPS,
    MAX_DRAWN,
    edge_rows,
    graph_chart,
    node_rows,
)

router = APIRouter(prefix="/console/cases", include_in_schema=False)
#: Items offered in the edge form's suggestions; any other item can still be typed.
MAX_REFERENCES = 500
EDGE_KINDS = ("depicts", "identified_as", "taken_at", "same_place", "member_of", "related_to")
LABELS = {
    "victim-label": "Victim label", "offender-label": "Offender label",
    "place-label": "Place label", "place-latitude": "Latitude", "place-longitude": "Longitude",
    "edge-source": "From", "edge-kind": "Kind", "edge-target": "To",
    "edge-confidence": "Confidence",
}  # fmt: skip
#: What a redirect after a change says: a fixed key, so no text of the URL reaches the page.
DONE = {
    "victim": "Victim added.", "offender": "Offender added.", "place": "Place added.",
    "edge": "Edge added.",
}  # fmt: skip


def _graph_page(request: Request, signed: StaffSession, case: Case, *, status_code: int = 200,
                done: str = "", suggestions: bool = False, errors: dict[str, str] | None = None,
                values: dict[str, str] | None = None) -> Response:  # fmt: skip
    graph = graph_of(request)
    document = graph.graph(case, suggestions=suggestions)
    items = graph.cases.items(case)
    item_ids = {item.path: item.id for item in items}
    chart, left_out = graph_chart(document)
    nodes = node_rows(document, item_ids)
    references = [f"case:{case.name}"] + [
        row.id for row in nodes if row.type in ("victim", "offender", "place", "series")
    ] + [f"item:{item.path}" for item in items[:MAX_REFERENCES]]
    audit_case(request, signed, "cases.graph.view", case.name, nodes=len(document["nodes"]),
               edges=len(document["edges"]), suggestions=suggestions)
    return render(
        "console/case_graph.html", signed, status_code, case=case, chart=Markup(chart),
        left_out=left_out, max_drawn=MAX_DRAWN, nodes=nodes, edges=edge_rows(document),
        groups=GROUPS, references=references, edge_kinds=EDGE_KINDS, done=DONE.get(done, ""),
        suggestions=suggestions, errors=errors or {}, labels=LABELS, values=values or {},
        items_total=len(items),
    )  # fmt: skip


@router.get("/{name}/graph", response_class=HTMLResponse)
def graph_page(request: Request, name: str, done: str = "", suggestions: bool = False
               ) -> Response:  # fmt: skip
    opened = open_case(request, name)
    if isinstance(opened, Response):
        return opened
    signed, case = opened
    return _graph_page(request, signed, case, done=done, suggestions=suggestions)


def _add(request: Request, signed: StaffSession, case: Case, what: str,
         data: dict[str, str]) -> tuple[dict[str, str], dict[str, object]]:  # fmt: skip
    """Do the change; (errors by field id, audit details)."""
    graph = graph_of(request)
    errors: dict[str, str] = {}
    if what in ("victim", "offender"):
        label = data.get("label", "")
        try:
            entity = graph.add_entity(case, EntityKind(what), label, actor(signed),
                                      data.get("notes", ""))
        except CaseError as exc:
            return {f"{what}-label": sentence(exc)}, {}
        return errors, {"change": f"{what}.add", "label": entity.label}
    if what == "place":
        lat = optional_number(data.get("latitude", ""), "Latitude", errors, "place-latitude")
        lon = optional_number(data.get("longitude", ""), "Longitude", errors, "place-longitude")
        if errors:
            return errors, {}
        try:
            place = graph.add_entity(case, EntityKind.PLACE, data.get("label", ""), actor(signed),
                                     data.get("notes", ""), lat, lon)  # fmt: skip
        except CaseError as exc:
            field = "place-label"
            if "latitude" in str(exc):  # a coordinate rule: name the field that breaks it
                lat_fine = lat is not None and -90 <= lat <= 90
                field = "place-longitude" if lat_fine else "place-latitude"
            return {field: sentence(exc)}, {}
        return errors, {"change": "place.add", "label": place.label,
                        "latitude": place.latitude, "longitude": place.longitude}
    source, target = data.get("source", "").strip(), data.get("target", "").strip()
    kind = data.get("kind", "").strip()
    confidence = optional_number(data.get("confidence", ""), "Confidence", errors,
                                 "edge-confidence")  # fmt: skip
    # Each end on its own first, so the error stands next to the field that names no node.
    for field, reference in (("edge-source", source), ("edge-target", target)):
        try:
            graph.resolve(case, reference)
        except CaseError as exc:
            errors[field] = sentence(exc)
    if errors:
        return errors, {}
    try:
        edge = graph.link(case, source, target, kind, actor(signed),
                          1.0 if confidence is None else confidence)
    except CaseError as exc:
        text = str(exc)
        field = ("edge-kind" if text.startswith("edge kind") else "edge-confidence"
                 if "confidence" in text else "edge-target")
        return {field: sentence(exc)}, {}
    return errors, {"change": "edge.add", "source": source[:200], "target": target[:200],
                    "kind": edge.kind, "confidence": edge.confidence}


@router.post("/{name}/graph/{what}")
async def graph_change(request: Request, name: str, what: str) -> Response:
    posted = await investigator_form(request)
    if not isinstance(posted, tuple):
        return posted
    signed, data = posted
    case = await run_in_threadpool(find_case, request, signed, name)
    if not isinstance(case, Case):
        return case
    if what not in DONE:
        return render("console/error.html", signed, 404, heading="No such change",
                      message="That change does not exist.")  # fmt: skip
    errors, details = await run_in_threadpool(_add, request, signed, case, what, data)
    if errors:
        values = {f"{what}-{key}": value[:300] for key, value in data.items()
                  if key != "csrf_token"}
        return await run_in_threadpool(
            lambda: _graph_page(request, signed, case, status_code=400, errors=errors,
                                values=values)
        )  # fmt: skip
    audit_case(request, signed, "cases.graph.edit", case.name, **details)
    return RedirectResponse(f"/console/cases/{case.name}/graph?done={what}", status_code=303)
