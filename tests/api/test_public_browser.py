"""The public site in a real browser: all languages, no JavaScript, right to left, accessibility."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from api_helpers import ApiServer
from browser_helpers import axe_violations, launch
from PIL import Image

LANGS = ["en", "fr", "nl", "de", "tr", "ar", "hr"]
PAGES = ["/", "/report", "/report?type=csam", "/report?type=travel", "/report?type=grooming",
         "/report?type=sextortion", "/follow-up", "/advice"]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    # Pages, not storage, are under test here: one backend is enough.
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'hashwarden.db'}"


def _url(server: ApiServer, path: str, lang: str) -> str:
    return f"{server.base_url}{path}{'&' if '?' in path else '?'}lang={lang}"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_report_is_sent_in_every_language(
    server: ApiServer, browser: Any, javascript: bool
) -> None:
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    references = set()
    for lang in LANGS:
        page.goto(_url(server, "/report?type=csam", lang))
        assert page.locator("html").get_attribute("lang") == lang
        page.fill("#url", f"https://host.test/{lang}")
        page.select_option("#site_type", "forum")
        page.check("#follow_up")
        page.click("button[type=submit]")
        reference = page.locator("#reference").inner_text()
        assert page.locator("#passphrase").inner_text()
        references.add(reference)
    context.close()
    assert len(references) == len(LANGS)


def test_the_arabic_pages_run_right_to_left(server: ApiServer, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 900, "height": 700})
    page = context.new_page()
    edges = {}
    for lang in ("ar", "en"):
        page.goto(_url(server, "/", lang))
        assert page.evaluate("getComputedStyle(document.body).direction") == (
            "rtl" if lang == "ar" else "ltr"
        )
        box = page.locator("main").bounding_box()
        heading = page.locator("main h2").first.bounding_box()
        shot = Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("L")
        # Dark (text) pixels along the heading's band, within the main column.
        band = shot.crop((int(box["x"]), int(heading["y"]), int(box["x"] + box["width"]),
                          int(heading["y"] + heading["height"])))  # fmt: skip
        dark = [x for x in range(band.width) for y in range(0, band.height, 2)
                if band.getpixel((x, y)) < 100]  # fmt: skip
        assert dark, f"no heading text drawn on the {lang} page"
        edges[lang] = (min(dark) / band.width, max(dark) / band.width)
    context.close()
    # A short heading: in Arabic it starts at the column's right edge, in English at the left.
    assert edges["ar"][1] > 0.9 and edges["ar"][0] > 0.4
    assert edges["en"][0] < 0.1 and edges["en"][1] < 0.6


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_passes_axe(server: ApiServer, browser: Any, lang: str) -> None:
    context = browser.new_context(bypass_csp=True)  # only to inject axe-core
    page = context.new_page()
    found = {}
    for path in PAGES:
        page.goto(_url(server, path, lang))
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    # And a form showing its errors.
    page.goto(_url(server, "/report?type=csam", lang))
    page.click("button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    if violations := axe_violations(page):
        found["/report (errors)"] = violations
    context.close()
    assert found == {}


def test_the_keyboard_reaches_the_form_in_order(server: ApiServer, browser: Any) -> None:
    page = browser.new_page()
    page.goto(_url(server, "/report?type=csam", "en"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    order = []
    for _ in range(30):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
    expected = ["url", "content_type", "site_type", "description", "follow_up", "contact_email",
                "BUTTON"]  # fmt: skip
    assert [name for name in order if name in expected][:7] == expected
    page.close()
