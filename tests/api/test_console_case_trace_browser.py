"""Tracing an object in a real browser: drag the region, trace it, see the hit; and without
JavaScript, the four numbers alone do the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import ApiServer
from browser_helpers import axe_violations, launch
from case_console_samples import by_name, scan_case, write_pictures
from case_trace_samples import ROCKET, UPRIGHT, write_elsewhere, write_scene

from hashwarden.accounts.staff_models import StaffRole

PASSWORD = "a long enough password"
NAMES = ("left", "top", "width", "height")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'hashwarden.db'}"


def _sign_in(page: Any, server: ApiServer) -> None:
    page.goto(f"{server.base_url}/console")
    page.fill("#username", "ivy")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/cases")


def _trace(page: Any) -> None:
    """Type the rocket's region and trace it; wait for the answer."""
    for name in NAMES:
        page.fill(f"#trace-{name}", str(getattr(ROCKET, name)))
    page.click("#trace")
    page.wait_for_selector("#hits", timeout=60_000)


def test_an_investigator_drags_the_region_and_finds_the_object_in_another_case(
    server: ApiServer, browser: Any, tmp_path: Path
) -> None:
    api = server.api
    api.staff.create("ivy", PASSWORD, StaffRole.INVESTIGATOR)
    write_scene(tmp_path / "heron")
    heron = scan_case(api, "op-heron", [tmp_path / "heron"], tmp_path / "heron.jsonl")
    write_pictures(tmp_path / "seized")
    write_elsewhere(tmp_path / "seized")
    lark = scan_case(api, "op-lark", [tmp_path / "seized"], tmp_path / "lark.jsonl")
    scene, elsewhere = by_name(api, heron)["scene"], by_name(api, lark)["elsewhere"]
    trace_url = f"{server.base_url}/console/cases/op-heron/items/{scene.id}/trace"

    # Under the console's real CSP and Trusted Types: the script must run without a violation.
    context = browser.new_context(viewport={"width": 480, "height": 800})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    # Console errors but the favicon's 404 (the console has none): CSP and Trusted Types
    # violations are reported there.
    page.on("console", lambda m: problems.append(m.text) if m.type == "error"
            and "favicon" not in (m.location or {}).get("url", "") else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400
            and not r.url.endswith("/favicon.ico") else None)
    _sign_in(page, server)
    page.goto(f"{server.base_url}/console/cases/op-heron/items/{scene.id}")
    page.click("#trace-link")
    page.wait_for_url("**/trace")
    page.click("#reveal")
    page.wait_for_url("**view=revealed")
    assert page.locator(".trace-drag-hint").is_visible()  # the script offers dragging
    page.locator("#trace-picture").scroll_into_view_if_needed()
    frame = page.locator("#trace-picture").bounding_box()
    assert frame is not None
    scale = frame["width"] / UPRIGHT[0]
    assert scale < 1  # shown smaller than the picture: the script converts to its pixels
    left, top, right, bottom = ROCKET.corners()
    page.mouse.move(frame["x"] + left * scale, frame["y"] + top * scale)
    page.mouse.down()
    page.mouse.move(frame["x"] + 300 * scale, frame["y"] + 200 * scale, steps=5)
    page.mouse.move(frame["x"] + right * scale, frame["y"] + bottom * scale, steps=5)
    page.mouse.up()
    filled = {name: int(page.input_value(f"#trace-{name}")) for name in NAMES}
    for name in NAMES:
        assert abs(filled[name] - getattr(ROCKET, name)) <= 2, filled
    drawn = page.locator("#trace-box")
    assert drawn.get_attribute("visibility") is None
    assert abs(float(drawn.get_attribute("width") or 0) - ROCKET.width) <= 2
    _trace(page)  # the exact numbers, typed over the dragged ones
    hits = page.locator("li.trace-hit")
    assert hits.count() == 1
    assert "elsewhere.png" in hits.inner_text() and "op-lark" in hits.inner_text()
    hits.locator("a.url").click()
    page.wait_for_url(f"**/console/cases/op-lark/items/{elsewhere.id}")
    context.close()
    assert problems == []

    # axe-core needs its script injected: only this context bypasses the CSP.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    _sign_in(page, server)
    page.goto(f"{trace_url}?view=revealed")
    found = {"trace": axe_violations(page)}
    _trace(page)
    found["hits"] = axe_violations(page)
    context.close()
    assert {where: v for where, v in found.items() if v} == {}

    # Without JavaScript the form is the whole tool.
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, server)
    page.goto(trace_url)
    assert not page.locator(".trace-drag-hint").is_visible()
    _trace(page)
    assert page.locator("li.trace-hit").count() == 1
    context.close()
    traces = [e.details for e in api.audit_log.events() if e.action == "cases.trace"]
    assert len(traces) == 3 and all(d["found"] == 1 for d in traces)
