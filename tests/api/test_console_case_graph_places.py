"""The places and timeline pages of a scanned case through the real server, audit included."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from api_helpers import ApiServer, console_sign_in, form_token
from case_graph_samples import PASSWORD, scan_case, write_seized

from hashwarden.accounts.staff_models import StaffRole
from hashwarden.cases.graph_models import EntityKind, NodeType
from hashwarden.cases.models import Case


@pytest.fixture
def seized(server: ApiServer, tmp_path: Path) -> tuple[Case, dict[str, str]]:
    server.api.staff.create("ivy", PASSWORD, StaffRole.INVESTIGATOR)
    paths = write_seized(tmp_path / "seized")
    return scan_case(server.api, "nightjar", [tmp_path / "seized"], tmp_path / "scan.jsonl"), paths


@pytest.fixture
def console(server: ApiServer, seized: tuple[Case, dict[str, str]]) -> httpx.Client:
    client = server.client()
    console_sign_in(client, "ivy", PASSWORD)
    return client


def _text(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip()


def _section(page: httpx.Response, tag: str, ident: str) -> str:
    found = re.search(rf'<{tag} [^>]*id="{ident}".*?</{tag}>', page.text, re.S)
    assert found, f"no {tag} #{ident}"
    return found.group(0)


def _table(page: httpx.Response, kind: str) -> str:
    found = re.search(rf'<table class="{kind}">.*?</table>', page.text, re.S)
    assert found, f"no {kind} table"
    return found.group(0)


def test_places_list_coordinates_items_and_accept_a_gps_suggestion(
    server: ApiServer, seized: tuple[Case, dict[str, str]], console: httpx.Client
) -> None:
    case, paths = seized
    api = server.api
    graph = api.case_graph
    bedroom = graph.add_entity(case, EntityKind.PLACE, "bedroom-1", "cli:setup", "upstairs",
                               -33.9, 151.2)  # fmt: skip
    graph.add_entity(case, EntityKind.PLACE, "car", "cli:setup")
    graph.add_entity(case, EntityKind.VICTIM, "V1", "cli:setup")
    graph.link(case, f"item:{paths['launch']}", "place:bedroom-1", "taken_at", "cli:setup")
    graph.link(case, "victim:V1", "place:bedroom-1", "seen_at", "cli:setup")

    page = console.get("/console/cases/nightjar/places")
    assert page.status_code == 200
    row = _text(_section(page, "tr", f"place-{bedroom.id}"))
    assert row == f"bedroom-1 -33.900000, 151.200000 upstairs {paths['launch']} victim:V1"
    launch = next(i for i in api.cases.items(case) if i.path == paths["launch"])
    assert f'href="/console/cases/nightjar/items/{launch.id}">{paths["launch"]}</a>' in page.text
    assert "car none known" in _text(_table(page, "places"))
    # kitchen and hall (~30 m apart, hemispheres known) are one suggestion; the cat's unsigned
    # fix is never placed.
    suggestions = _table(page, "suggestions")
    assert paths["kitchen"] in suggestions and paths["hall"] in suggestions
    assert paths["cat"] not in suggestions
    assert "Accept as a place" in suggestions
    svg = re.search(r'<svg [^>]*class="hw-chart".*?</svg>', page.text, re.S)
    assert svg and svg.group(0).count('<g class="point"') == 2  # bedroom-1 and the suggestion
    assert 'data-group="suggested place"' in svg.group(0)
    assert "tile" not in page.text.lower() and "https://" not in page.text

    key = re.search(r'name="suggestion" value="([0-9a-f]+)"', page.text)
    assert key
    stale = console.post("/console/cases/nightjar/places/accept",
                         data={"csrf_token": form_token(page), "suggestion": "0" * 20})
    assert stale.status_code == 409 and "no longer there" in stale.text
    accepted = console.post("/console/cases/nightjar/places/accept",
                            data={"csrf_token": form_token(page), "suggestion": key.group(1)})
    assert accepted.status_code == 303
    page = console.get(accepted.headers["location"])
    assert "Suggestion accepted" in page.text
    (gps,) = [p for p in graph.entities(case, EntityKind.PLACE) if p.label == "gps-1"]
    assert gps.latitude is not None and -33.88 < gps.latitude < -33.86
    row = _text(_section(page, "tr", f"place-{gps.id}"))
    assert paths["kitchen"] in row and paths["hall"] in row
    # The suggestion now names its place, and accepting again only links its items.
    assert "Link 2 items to gps-1" in page.text
    linked = [e for e in graph.store.edges(case.id) if e.target == gps.node]
    assert {e.source.key for e in linked} == {paths["kitchen"], paths["hall"]}
    assert {(e.source.type, e.kind, e.provenance, e.confidence) for e in linked} == {
        (NodeType.ITEM, "taken_at", "exif:gps", 0.6)}

    events = [(e.actor, e.action, e.object, e.details) for e in api.audit_log.events()
              if e.action.startswith("cases.")]  # fmt: skip
    views = [d for a, action, o, d in events if action == "cases.places.view"]
    assert len(views) == 3 and views[0] == {"places": 2, "suggestions": 1}
    (edit,) = [(a, o, d) for a, action, o, d in events if action == "cases.graph.edit"]
    assert edit[0] == "staff:ivy" and edit[1] == "case:nightjar"
    assert edit[2]["change"] == "place.accept" and edit[2]["place"] == "gps-1"
    assert edit[2]["items"] == 2


def test_the_timeline_groups_items_by_camera_day(
    server: ApiServer, seized: tuple[Case, dict[str, str]], console: httpx.Client
) -> None:
    case, paths = seized
    api = server.api
    api.cases.create_series(case, "kitchen", [paths["kitchen"]], "cli:setup")
    api.case_graph.add_entity(case, EntityKind.PLACE, "bedroom-1", "cli:setup")
    api.case_graph.link(case, f"item:{paths['hall']}", "place:bedroom-1", "taken_at", "cli:x")

    page = console.get("/console/cases/nightjar/timeline")
    assert page.status_code == 200
    text = _text(page.text)
    assert "3 items by EXIF capture time; 2 items of the case record no capture time" in text
    headings = re.findall(r"<h2 [^>]*>(.*?)</h2>", page.text, re.S)
    assert [re.sub(r"<[^>]+>", "", h) for h in headings] == [
        "2024-04-30, Tuesday: 1 item", "2024-05-01, Wednesday: 2 items"]
    rows = [_text(r) for r in re.findall(r"<tr>\s*<td>.*?</tr>", page.text, re.S)]
    assert rows == [
        f"23:59:00 {paths['launch']} Canon EOS R6",
        f"09:30:00 {paths['hall']} Canon EOS 5D SN-4711 bedroom-1",
        f"18:00:00 {paths['kitchen']} Canon EOS 5D SN-4711 kitchen",
    ]
    assert "Cameras: Canon EOS 5D (serial SN-4711)" in text
    hall = next(i for i in api.cases.items(case) if i.path == paths["hall"])
    assert f'href="/console/cases/nightjar/items/{hall.id}"' in page.text
    assert '<time datetime="2024-05-01T09:30:00">' in page.text
    (view,) = [e for e in api.audit_log.events() if e.action == "cases.timeline.view"]
    assert (view.actor, view.object, view.details) == ("staff:ivy", "case:nightjar", {"items": 3})
