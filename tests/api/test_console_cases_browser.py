"""An investigator in a real browser: sign in, open a case, see the links with matched regions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import ApiServer
from browser_helpers import axe_violations, launch
from case_console_samples import by_name, scan_case, write_pictures

from hashwarden.accounts.staff_models import StaffRole

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'hashwarden.db'}"


def test_an_investigator_sees_the_matched_regions_of_a_same_place_link(
    server: ApiServer, browser: Any, tmp_path: Path
) -> None:
    api = server.api
    api.staff.create("ivy", PASSWORD, StaffRole.INVESTIGATOR)
    write_pictures(tmp_path / "seized")
    case = scan_case(api, "op-lark", [tmp_path / "seized"], tmp_path / "scan.jsonl")
    left = by_name(api, case)["left"]
    context = browser.new_context(bypass_csp=True)  # only to inject axe-core
    page = context.new_page()
    page.goto(f"{server.base_url}/console")
    page.fill("#username", "ivy")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    assert page.url.endswith("/console/cases")  # an investigator lands on the cases
    found = {"/console/cases": axe_violations(page)}
    page.click("text=op-lark")
    page.wait_for_url("**/console/cases/op-lark")
    assert page.locator("table.case-items tbody tr").count() == 4
    found["case"] = axe_violations(page)
    page.click(f"#item-{left.id} a")
    page.wait_for_url(f"**/items/{left.id}")
    # The blurred picture is decoded and blurred on the server: wait for it, not just the page.
    page.wait_for_function(
        "() => { const img = document.querySelector('#picture');"
        " return img && img.complete && img.naturalWidth > 0; }", timeout=30_000
    )
    found["item"] = axe_violations(page)
    page.click("#reveal")
    page.wait_for_url("**view=revealed")
    assert "view=revealed" in (page.locator("#picture").get_attribute("src") or "")
    page.goto(f"{server.base_url}/console/cases/op-lark")
    page.click("text=Links between the pictures")
    page.wait_for_url("**/console/cases/op-lark/links")
    page.wait_for_load_state("load")

    crops = page.locator("section.case-link", has_text="right.jpg").filter(has_text="left.jpg")
    assert crops.count() == 1
    overlays = crops.locator("svg.case-picture")
    assert overlays.count() == 2
    for index in range(2):
        overlay = overlays.nth(index)
        assert overlay.locator("image").count() == 1
        assert overlay.locator("circle.matched-point").count() >= 20
        assert overlay.locator("polygon.matched-hull").count() == 1
        # Drawn inside the picture, at a visible size.
        box = overlay.locator("rect.matched-box").bounding_box()
        frame = overlay.bounding_box()
        assert box is not None and frame is not None and box["width"] > 20
        assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
    found["links"] = axe_violations(page)
    context.close()
    assert {path: v for path, v in found.items() if v} == {}
    media = [e.details["view"] for e in api.audit_log.events() if e.action == "cases.media.view"]
    assert "blurred" in media and "revealed" in media
