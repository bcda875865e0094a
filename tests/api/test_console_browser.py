"""The analyst console in a real browser: report to list entry, previews blurred until revealed."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from api_helpers import TEST_SETTINGS, ApiServer, photo_bytes
from browser_helpers import axe_violations, launch
from media_site import media_site
from PIL import Image

from hashwarden.accounts.staff_models import StaffRole
from hashwarden.hotline.models import ReportForm, ReportKind
from video_samples import write_video

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'hashwarden.db'}"


@pytest.fixture
def photo_site() -> Iterator[str]:
    yield from _serve(photo_bytes(5), "image/jpeg", "photo.jpg")


@pytest.fixture
def video_site(tmp_path: Path) -> Iterator[str]:
    clip = write_video(tmp_path / "clip.mp4", seconds=3, rate=10, width=320, height=240, style=4)
    yield from _serve(clip.read_bytes(), "video/mp4", "clip.mp4")


def _serve(body: bytes, kind: str, name: str) -> Iterator[str]:
    with media_site({f"/{name}": (body, kind)}) as served:
        yield served.url(f"/{name}")


def _detail(png: bytes) -> float:
    grey = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    return float(np.abs(np.diff(grey, axis=1)).mean())


@pytest.mark.api_settings(dataclasses.replace(TEST_SETTINGS, triage_allow_private=True))
def test_an_analyst_goes_from_report_to_list_entry(
    server: ApiServer, browser: Any, photo_site: str
) -> None:
    api = server.api
    api.lists.create_list("hotline")
    api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    reference = api.reports.submit(ReportForm(ReportKind.CSAM, url=photo_site), follow_up=False)
    context = browser.new_context(java_script_enabled=False, bypass_csp=False)
    page = context.new_page()
    page.goto(f"{server.base_url}/console")
    page.fill("#username", "ana")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.click(f"text={reference.reference}")
    page.click("#triage")
    assert "1 to assess" in page.locator("#triage-summary").inner_text()
    page.click("table.items a")

    preview = page.locator("#preview")
    preview.wait_for()
    blurred = preview.screenshot()
    for _ in range(3):
        page.click("#reveal")
    clear = page.locator("#preview").screenshot()
    assert _detail(blurred) < _detail(clear) / 4

    page.select_option("#iwf-severity", "C")
    page.select_option("#iwf-list", "hotline")
    page.click("text=Record the IWF / UK severity assessment")
    assert "assessed" in page.locator("table.items").inner_text()
    context.close()

    (entry,) = api.lists.entries("hotline")
    assert str(entry.data.category) == "iwf:C" and entry.data.external_id == reference.reference


@pytest.mark.api_settings(dataclasses.replace(TEST_SETTINGS, triage_allow_private=True))
def test_a_video_shows_as_blurred_stills_until_revealed(
    server: ApiServer, browser: Any, video_site: str
) -> None:
    api = server.api
    api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    reference = api.reports.submit(ReportForm(ReportKind.CSAM, url=video_site), follow_up=False)
    api.triage.triage(reference.reference)
    (item,) = api.items.items(reference.reference)
    context = browser.new_context(bypass_csp=True)  # only to inject axe-core
    page = context.new_page()
    page.goto(f"{server.base_url}/console")
    page.fill("#username", "ana")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{server.base_url}/console/items/{item.id}")

    stills = page.locator(".stills img")
    assert stills.count() == 6 and page.locator("video, audio, #preview").count() == 0
    for index in range(6):
        assert stills.nth(index).evaluate("img => img.complete && img.naturalWidth > 0")
    blurred = [_detail(stills.nth(i).screenshot()) for i in range(6)]
    assert axe_violations(page) == []
    for _ in range(3):
        page.click("#reveal")
    assert page.locator("#reveal").count() == 0
    clear = [_detail(page.locator(f"#still-{i}").screenshot()) for i in range(6)]
    assert all(b < c / 4 for b, c in zip(blurred, clear, strict=True)), (blurred, clear)
    context.close()


def test_console_pages_pass_axe(server: ApiServer, browser: Any) -> None:
    server.api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    reference = server.api.reports.submit(
        ReportForm(ReportKind.TRAVEL, description="seen in a hotel"), follow_up=True
    ).reference
    context = browser.new_context(bypass_csp=True)  # only to inject axe-core
    page = context.new_page()
    page.goto(f"{server.base_url}/console/login")
    assert axe_violations(page) == []
    page.fill("#username", "ana")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    assert axe_violations(page) == []
    page.goto(f"{server.base_url}/console/reports/{reference}")
    assert axe_violations(page) == []
    context.close()


@pytest.mark.api_settings(dataclasses.replace(TEST_SETTINGS, triage_allow_private=True))
def test_every_console_page_passes_axe(server: ApiServer, browser: Any, photo_site: str) -> None:
    api = server.api
    api.lists.create_list("hotline")
    api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    # A supervisor sees every page an analyst does, plus the team pages.
    api.staff.create("sam", PASSWORD, StaffRole.SUPERVISOR)
    api.staff.create("bo", PASSWORD, StaffRole.ANALYST)
    api.staff.disable("bo")
    reference = api.reports.submit(ReportForm(ReportKind.CSAM, url=photo_site), follow_up=True)
    api.triage.triage(reference.reference)
    (item,) = api.items.items(reference.reference)
    context = browser.new_context(bypass_csp=True)  # only to inject axe-core
    page = context.new_page()
    page.goto(f"{server.base_url}/console/login")
    page.fill("#username", "sam")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    found = {}
    for path in ("/console", "/console?status=all", f"/console/reports/{reference.reference}",
                 f"/console/items/{item.id}", f"/console/items/{item.id}?step=3",
                 "/console/dashboard", "/console/review", "/console/team",
                 "/console/team/ana?done=password", "/console/team/bo", "/console/team/sam"
                 ):  # fmt: skip
        page.goto(f"{server.base_url}{path}")
        if violations := axe_violations(page):
            found[path] = violations
    # The account form as it comes back with an error next to each field.
    page.goto(f"{server.base_url}/console/team")
    page.fill("#new-username", "no spaces")
    page.fill("#new-password", "short")
    page.click("text=Add the account")
    assert page.locator("#new-password-error").is_visible()
    if violations := axe_violations(page):
        found["/console/team (errors)"] = violations
    page.click("text=Sign out")
    page.fill("#username", "ana")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{server.base_url}/console/team")  # 403 for an analyst
    if violations := axe_violations(page):
        found["/console/team (analyst)"] = violations
    context.close()
    assert found == {}
