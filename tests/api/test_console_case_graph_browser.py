"""The case graph, places and timeline pages in a real browser: forms, the SVG, axe-core."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import ApiServer
from browser_helpers import axe_violations, launch
from case_graph_samples import PASSWORD, scan_case, write_seized

from hashwarden.accounts.staff_models import StaffRole
from hashwarden.cases.graph_models import EntityKind

#: Set to a folder to keep screenshots of the pages (to look at them; nothing asserts on them).
SHOTS = os.environ.get("HASHWARDEN_TEST_SCREENSHOTS", "")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'hashwarden.db'}"


@pytest.fixture
def nightjar(server: ApiServer, tmp_path: Path) -> dict[str, str]:
    server.api.staff.create("ivy", PASSWORD, StaffRole.INVESTIGATOR)
    paths = write_seized(tmp_path / "seized")
    case = scan_case(server.api, "nightjar", [tmp_path / "seized"], tmp_path / "scan.jsonl")
    server.api.cases.create_series(case, "kitchen", [paths["kitchen"]], "cli:setup")
    return paths


def _sign_in(page: Any, server: ApiServer) -> None:
    page.goto(f"{server.base_url}/console/login")
    page.fill("#username", "ivy")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_a_victim_added_through_the_form_appears_in_the_picture(
    server: ApiServer, browser: Any, nightjar: dict[str, str]
) -> None:
    # No script and the real CSP: the pages must work as plain HTML forms.
    context = browser.new_context(java_script_enabled=False, bypass_csp=False)
    page = context.new_page()
    _sign_in(page, server)
    page.goto(f"{server.base_url}/console/cases/nightjar/graph")
    assert page.locator('svg.hw-chart g.node[data-node="victim:V2"]').count() == 0
    page.fill("#victim-label", "V2")
    page.fill("#victim-notes", "boy, about 10")
    page.click("text=Add the victim")
    assert page.url.endswith("/console/cases/nightjar/graph?done=victim")
    assert page.locator("#done").inner_text() == "Victim added."
    node = page.locator('svg.hw-chart g.node[data-node="victim:V2"]')
    assert node.is_visible() and node.locator("text").text_content() == "V2"
    assert "boy, about 10" in page.locator("table.graph-nodes").inner_text()

    page.fill("#edge-source", "victim:V2")
    page.fill("#edge-kind", "depicts")
    page.fill("#edge-target", "series:kitchen")
    page.click("text=Add the edge")
    edge = page.locator('svg.hw-chart g.edge[data-kind="depicts"]')
    assert edge.is_visible()
    assert "victim:V2 → series:kitchen: depicts" in (edge.locator("title").text_content() or "")
    _shot(page, "case-graph")
    context.close()
    (victim,) = server.api.case_graph.entities(server.api.cases.get("nightjar"), EntityKind.VICTIM)
    assert (victim.label, victim.created_by) == ("V2", "staff:ivy")


def test_the_case_graph_pages_pass_axe(
    server: ApiServer, browser: Any, nightjar: dict[str, str]
) -> None:
    case = server.api.cases.get("nightjar")
    server.api.case_graph.add_entity(case, EntityKind.PLACE, "bedroom-1", "cli:setup", "",
                                     -33.869, 151.21)  # fmt: skip
    context = browser.new_context(bypass_csp=True)  # only to inject axe-core
    page = context.new_page()
    _sign_in(page, server)
    found = {}
    for path in ("graph", "places", "timeline"):
        page.goto(f"{server.base_url}/console/cases/nightjar/{path}")
        _shot(page, f"case-{path}")
        if violations := axe_violations(page):
            found[path] = violations
    # The place form as it comes back with an error next to a field.
    page.goto(f"{server.base_url}/console/cases/nightjar/graph")
    page.fill("#place-label", "attic")
    page.fill("#place-latitude", "95")
    page.fill("#place-longitude", "10")
    page.click("text=Add the place")
    assert page.locator("#place-latitude-error").is_visible()
    _shot(page, "case-graph-error")
    if violations := axe_violations(page):
        found["graph (errors)"] = violations
    page.goto(f"{server.base_url}/console/cases/nightjar/places")
    page.click("text=Accept as a place")
    assert page.locator("#done").is_visible()
    if violations := axe_violations(page):
        found["places (accepted)"] = violations
    context.close()
    assert found == {}
