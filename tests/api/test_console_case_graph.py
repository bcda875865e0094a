"""The case graph page through the real server: SVG and lists, forms, validation, audit, roles."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from api_helpers import ApiServer, console_sign_in, form_token
from case_graph_samples import PASSWORD, scan_case, write_seized

from hashwarden.accounts.staff_models import StaffRole
from hashwarden.cases.graph_models import EntityKind, NodeRef, NodeType
from hashwarden.cases.models import Case, ScannedItem
from hashwarden.web.console.case_graph_view import MAX_DRAWN


@contextmanager
def _console(server: ApiServer, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        console_sign_in(client, username, PASSWORD)
        yield client


@pytest.fixture
def seized(server: ApiServer, tmp_path: Path) -> tuple[Case, dict[str, str]]:
    server.api.staff.create("ivy", PASSWORD, StaffRole.INVESTIGATOR)
    paths = write_seized(tmp_path / "seized")
    return scan_case(server.api, "nightjar", [tmp_path / "seized"], tmp_path / "scan.jsonl"), paths


def _svg(page: httpx.Response) -> str:
    found = re.search(r'<svg [^>]*class="hw-chart".*?</svg>', page.text, re.S)
    assert found, "the page has the graph picture"
    return found.group(0)


def _case_events(server: ApiServer, action: str) -> list[tuple[str, str, dict[str, object]]]:
    return [(e.actor, e.object, e.details) for e in server.api.audit_log.events()
            if e.action == action]  # fmt: skip


def test_an_investigator_builds_the_graph_through_the_forms(
    server: ApiServer, seized: tuple[Case, dict[str, str]]
) -> None:
    case, paths = seized
    api = server.api
    api.cases.create_series(case, "kitchen", [paths["kitchen"]], "cli:someone")
    with _console(server, "ivy") as console:
        page = console.get("/console/cases/nightjar/graph")
        assert page.status_code == 200, page.text
        assert page.headers["content-security-policy"].startswith("default-src 'none'")
        svg = _svg(page)
        assert 'data-node="case:nightjar"' in svg and 'data-node="series:kitchen"' in svg
        # The series holds kitchen.jpg, so it is drawn (by file name) with its member_of edge.
        assert f'data-node="item:{paths["kitchen"]}"' in svg and ">kitchen.jpg</text>" in svg
        assert 'data-kind="member_of"' in svg
        token = form_token(page)

        added = console.post("/console/cases/nightjar/graph/victim", data={
            "csrf_token": token, "label": "V1", "notes": "girl, about 8"})  # fmt: skip
        assert added.status_code == 303
        assert added.headers["location"] == "/console/cases/nightjar/graph?done=victim"
        for what, fields in (
            ("offender", {"label": "O1"}),
            ("place", {"label": "bedroom-1", "latitude": "-33,8688", "longitude": "151.2093"}),
            ("edge", {"source": "series:kitchen", "target": "victim:V1", "kind": "identified_as",
                      "confidence": "0.9"}),
            ("edge", {"source": f"item:{paths['launch']}", "target": "offender:O1",
                      "kind": "depicts", "confidence": ""}),
        ):  # fmt: skip
            done = console.post(f"/console/cases/nightjar/graph/{what}",
                                data={"csrf_token": token, **fields})  # fmt: skip
            assert done.status_code == 303, done.text
        suggested = console.get("/console/cases/nightjar/graph?suggestions=true")
        assert suggested.status_code == 200 and "Hide same-place suggestions" in suggested.text
        page = console.get("/console/cases/nightjar/graph?done=edge")

    assert "Edge added." in page.text
    svg = _svg(page)
    for node in ("victim:V1", "offender:O1", "place:bedroom-1", f"item:{paths['launch']}"):
        assert f'data-node="{html.escape(node)}"' in svg
    assert 'data-kind="identified_as"' in svg and 'data-kind="depicts"' in svg
    assert "girl, about 8" in page.text and "-33.868800, 151.209300" in page.text
    rows = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
    assert "series:kitchen identified_as victim:V1 staff:ivy 0.90" in rows
    assert f"item:{paths['launch']} depicts offender:O1 staff:ivy 1.00" in rows
    # Item names link to the item pages of the case.
    launch = next(i for i in api.cases.items(case) if i.path == paths["launch"])
    assert f'href="/console/cases/nightjar/items/{launch.id}"' in page.text

    graph = api.case_graph
    (victim,) = graph.entities(case, EntityKind.VICTIM)
    assert (victim.label, victim.notes, victim.created_by) == ("V1", "girl, about 8", "staff:ivy")
    (place,) = graph.entities(case, EntityKind.PLACE)
    assert (place.latitude, place.longitude) == (-33.8688, 151.2093)
    edges = {(e.source.type, e.target, e.kind): e for e in graph.store.edges(case.id)}
    edge = edges[(NodeType.SERIES, NodeRef(NodeType.VICTIM, str(victim.id)), "identified_as")]
    assert (edge.provenance, edge.confidence) == ("staff:ivy", 0.9)
    # The investigator's confident identified_as edge sets VICS's "identified" flag.
    kitchen = next(i for i in api.cases.items(case) if i.path == paths["kitchen"])
    assert graph.identified(case)[kitchen.id] == (True, False)

    edits = _case_events(server, "cases.graph.edit")
    assert [d["change"] for _, _, d in edits] == [
        "victim.add", "offender.add", "place.add", "edge.add", "edge.add"]
    assert all(a == "staff:ivy" and o == "case:nightjar" for a, o, _ in edits)
    assert edits[2][2] == {"change": "place.add", "label": "bedroom-1",
                                "latitude": -33.8688, "longitude": 151.2093}  # fmt: skip
    assert edits[3][2]["kind"] == "identified_as" and edits[3][2]["confidence"] == 0.9
    views = _case_events(server, "cases.graph.view")
    assert [d["suggestions"] for _, _, d in views] == [False, True, False]
    assert views[-1][2]["nodes"] == len(re.findall(r'class="node"', svg))


#: (form, fields, the field the error stands next to, part of the message).
REFUSED = [
    ("place", {"label": "p", "latitude": "91", "longitude": "0"}, "place-latitude",
     "Latitude must be within -90..90"),
    ("place", {"label": "p", "latitude": "north", "longitude": "3"}, "place-latitude",
     "Latitude must be a number"),
    ("place", {"label": "p", "latitude": "1", "longitude": "inf"}, "place-longitude",
     "Longitude must be a finite number"),
    ("place", {"label": "p", "latitude": "10", "longitude": ""}, "place-longitude",
     "Give both latitude and longitude, or neither"),
    ("place", {"label": "p", "latitude": "", "longitude": "3"}, "place-latitude",
     "Give both latitude and longitude, or neither"),
    ("place", {"label": "p", "latitude": "1", "longitude": "-180.5"}, "place-longitude",
     "longitude -180..180"),
    ("victim", {"label": "   "}, "victim-label", "A victim needs a label of 1 to 200"),
    ("victim", {"label": "V1"}, "victim-label", "V1"),
    ("edge", {"source": "victim:V9", "target": "case:nightjar", "kind": "depicts"},
     "edge-source", "Case &#39;nightjar&#39; has no victim &#39;V9&#39;"),
    ("edge", {"source": "case:nightjar", "target": "item:/nope.jpg", "kind": "depicts"},
     "edge-target", "has no item &#39;/nope.jpg&#39;"),
    ("edge", {"source": "case:nightjar", "target": "person:V1", "kind": "depicts"},
     "edge-target", "write TYPE:NAME"),
    ("edge", {"source": "victim:V1", "target": "victim:V1", "kind": "depicts"},
     "edge-target", "two different ends"),
    ("edge", {"source": "case:nightjar", "target": "victim:V1", "kind": "Depicts!"},
     "edge-kind", "lower-case letters"),
    ("edge", {"source": "case:nightjar", "target": "victim:V1", "kind": "depicts",
              "confidence": "1.5"}, "edge-confidence", "Confidence must be between 0 and 1"),
]  # fmt: skip


def test_bad_input_is_refused_next_to_its_field(
    server: ApiServer, seized: tuple[Case, dict[str, str]]
) -> None:
    case, _ = seized
    graph = server.api.case_graph
    graph.add_entity(case, EntityKind.VICTIM, "V1", "cli:setup")
    with _console(server, "ivy") as console:
        token = form_token(console.get("/console/cases/nightjar/graph"))
        for what, fields, field, message in REFUSED:
            refused = console.post(f"/console/cases/nightjar/graph/{what}",
                                   data={"csrf_token": token, **fields})  # fmt: skip
            assert refused.status_code == 400, (fields, refused.status_code)
            error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', refused.text)
            assert error and message in error.group(1), (fields, error and error.group(1))
            assert f'href="#{field}"' in refused.text  # the error summary links to the field
            assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', refused.text)
            # What was typed comes back in the form.
            for value in fields.values():
                if value.strip():
                    assert f'value="{html.escape(value)}"' in refused.text, (fields, value)
    assert len(graph.entities(case)) == 1 and graph.store.edges(case.id) == []
    assert _case_events(server, "cases.graph.edit") == []


def test_a_form_without_the_session_token_changes_nothing(
    server: ApiServer, seized: tuple[Case, dict[str, str]]
) -> None:
    case, _ = seized
    with _console(server, "ivy") as console:
        for data in ({"label": "V1"}, {"label": "V1", "csrf_token": "forged" * 8}):
            refused = console.post("/console/cases/nightjar/graph/victim", data=data)
            assert refused.status_code == 400 and "form expired" in refused.text
        unknown = console.post("/console/cases/nightjar/graph/series", data={
            "csrf_token": form_token(console.get("/console/cases/nightjar/graph")),
            "label": "x"})  # fmt: skip
        assert unknown.status_code == 404
        assert console.get("/console/cases/nope/graph").status_code == 404
    assert server.api.case_graph.entities(case) == []
    assert _case_events(server, "cases.graph.edit") == []


def test_others_are_refused_and_the_refusal_is_logged(
    server: ApiServer, seized: tuple[Case, dict[str, str]]
) -> None:
    case, _ = seized
    api = server.api
    api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    api.staff.create("sam", PASSWORD, StaffRole.SUPERVISOR)
    with httpx.Client(base_url=server.base_url, timeout=30) as anonymous:
        for path in ("graph", "places", "timeline"):
            page = anonymous.get(f"/console/cases/nightjar/{path}")
            assert (page.status_code, page.headers["location"]) == (303, "/console/login")
    for username in ("ana", "sam"):
        with _console(server, username) as console:
            token = form_token(console.get("/console"))
            for path in ("graph", "places", "timeline"):
                page = console.get(f"/console/cases/nightjar/{path}")
                assert page.status_code == 403 and "Only for investigators" in page.text
                assert "nightjar" not in page.text.replace("/console/cases/nightjar", "")
            for path, data in (("graph/victim", {"label": "V1"}),
                               ("places/accept", {"suggestion": "x"})):
                posted = console.post(f"/console/cases/nightjar/{path}",
                                      data={"csrf_token": token, **data})  # fmt: skip
                assert posted.status_code == 403
    refused = {(e.actor, e.object) for e in api.audit_log.events()
               if e.action == "console.refused"}  # fmt: skip
    assert ("staff:ana", "page:/console/cases/nightjar/graph") in refused
    assert ("staff:sam", "page:/console/cases/nightjar/graph/victim") in refused
    assert api.case_graph.entities(case) == []
    assert not [e for e in api.audit_log.events() if e.action.startswith("cases.")]


def test_a_large_case_draws_the_most_connected_and_says_how_many_are_left_out(
    server: ApiServer,
) -> None:
    api = server.api
    api.staff.create("ivy", PASSWORD, StaffRole.INVESTIGATOR)
    case = api.cases.create("big")
    now = datetime.now(UTC).isoformat()
    items = [ScannedItem(f"/seized/{n:03}.jpg", "image", 10, f"{n:032x}", f"{n:040x}",
                         f"{n:064x}", exif={"taken_at": now}) for n in range(80)]  # fmt: skip
    api.cases.take_in(case, items)
    api.cases.create_series(case, "all", [i.path for i in items], "cli:setup")
    graph = api.case_graph
    graph.add_entity(case, EntityKind.VICTIM, "V1", "cli:setup")
    graph.link(case, "item:/seized/079.jpg", "victim:V1", "depicts", "cli:setup")
    with _console(server, "ivy") as console:
        page = console.get("/console/cases/big/graph")
    svg = _svg(page)
    assert len(re.findall(r'<g class="node"', svg)) == MAX_DRAWN
    # case, series and victim are drawn first, then items by edges: 079 has two.
    left = 80 + 3 - MAX_DRAWN
    assert f"{left} more nodes" in svg and f"{left} more nodes</strong> not drawn" in page.text
    assert 'data-node="item:/seized/079.jpg"' in svg and 'data-node="victim:V1"' in svg
    assert 'data-node="item:/seized/078.jpg"' not in svg
    # The lists are not capped.
    assert page.text.count("/console/cases/big/items/") == 80
