"""Autosave on the public report form, in a real browser: kept in the tab, never the e-mail.

The form is the same without JavaScript; with it, answers survive a reload (or a language
switch) in ``sessionStorage`` and go once the report is sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from api_helpers import ApiServer
from browser_helpers import launch

NOTICE = "Your answers are kept in this tab until you send or close it"
SAVED = "hashwarden.report.csam"
SENT = "hashwarden.report.sent"
ANSWERS = {
    "#url": "https://host.test/gallery/42",
    "#description": "Second row of pictures, under the comments.",
}
EMAIL = "me@example.org"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    # The page, not storage, is under test here: one backend is enough.
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'hashwarden.db'}"


def _fill(page: Any) -> None:
    for selector, text in ANSWERS.items():
        page.fill(selector, text)
    page.select_option("#site_type", "forum")
    page.fill("#contact_email", EMAIL)


def _values(page: Any) -> dict[str, str]:
    names = [*ANSWERS, "#site_type", "#contact_email"]
    return {name: page.input_value(name) for name in names}


def _stored(page: Any) -> dict[str, str]:
    stored: dict[str, str] = page.evaluate("Object.assign({}, window.sessionStorage)")
    return stored


def test_answers_survive_a_reload_but_not_the_e_mail(server: ApiServer, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Script errors and failed loads; the browser's own favicon request is not the page's.
    page.on("response", lambda r: errors.append(r.url)
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)  # fmt: skip
    page.goto(f"{server.base_url}/report?type=csam&lang=en")
    assert page.locator("#autosave-notice").is_visible()
    assert page.locator("#autosave-notice").inner_text() == NOTICE
    _fill(page)
    stored = _stored(page)
    assert list(stored) == [SAVED]
    saved = json.loads(stored[SAVED])["values"]
    assert saved == {"url": ANSWERS["#url"], "description": ANSWERS["#description"],
                     "site_type": "forum"}  # fmt: skip

    page.reload()
    page.wait_for_timeout(1000)  # as long as a late restore by the browser itself would take
    restored = _values(page)
    assert {k: restored[k] for k in ANSWERS} == ANSWERS and restored["#site_type"] == "forum"
    assert restored["#contact_email"] == ""
    # A language switch is a new page too: the answers follow.
    page.click("a[hreflang=fr]")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.input_value("#url") == ANSWERS["#url"]
    assert page.locator("#autosave-notice").inner_text() != NOTICE
    # Another kind of report keeps its own answers.
    page.goto(f"{server.base_url}/report?type=grooming&lang=en")
    assert page.input_value("#url") == "" and page.input_value("#description") == ""
    assert errors == []
    context.close()


def test_an_old_copy_is_not_restored(server: ApiServer, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.base_url}/report?type=csam&lang=en")
    three_hours_ago = "Date.now() - 3 * 3600 * 1000"
    page.evaluate(f"""sessionStorage.setItem('{SAVED}', JSON.stringify(
        {{at: {three_hours_ago}, values: {{url: 'https://host.test/old'}}}}))""")
    page.reload()
    assert page.input_value("#url") == ""
    assert _stored(page) == {}
    context.close()


def test_a_sent_report_leaves_nothing_behind(server: ApiServer, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    form = f"{server.base_url}/report?type=csam&lang=en"
    page.goto(form)
    _fill(page)
    page.check("#follow_up")
    page.click("button[type=submit]")
    assert page.locator("#reference").inner_text()
    assert _stored(page) == {SENT: "1"}
    # Back to the form: the browser refills it from its history, the script empties it again.
    page.go_back()
    assert page.url == form
    page.wait_for_timeout(1000)  # Chromium may restore the form after the load event
    assert set(_values(page).values()) == {""}
    assert not page.is_checked("#follow_up")
    assert _stored(page) == {SENT: "1"}
    page.goto(form)
    assert set(_values(page).values()) == {""}
    # The next report is saved as usual.
    page.fill("#url", "https://host.test/next")
    assert list(_stored(page)) == [SAVED]
    context.close()


def test_a_form_with_errors_keeps_what_the_server_sent(server: ApiServer, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    form = f"{server.base_url}/report?type=csam&lang=en"
    page.goto(form)
    page.fill("#url", "not an address")
    page.fill("#description", "typed before sending")
    page.click("button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    assert page.input_value("#url") == "not an address"
    page.fill("#url", "https://host.test/fixed")
    page.goto(form)
    assert page.input_value("#url") == "https://host.test/fixed"
    assert page.input_value("#description") == "typed before sending"
    context.close()


def test_the_policy_runs_the_script_and_nothing_inline(server: ApiServer, browser: Any) -> None:
    for path in ("/report?type=csam", "/", "/follow-up"):
        policy = httpx.get(f"{server.base_url}{path}").headers["content-security-policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert ("script-src 'self'" in policy) == path.startswith("/report")
    script = httpx.get(f"{server.base_url}/static/autosave.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]

    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.base_url}/report?type=csam&lang=en")
    assert page.locator("#autosave-notice").is_visible()  # the file itself runs
    # A string cannot even become script text: Trusted Types refuse it.
    sink = page.evaluate(
        """() => { try { document.createElement('script').text = '1'; return 'accepted'; }
                   catch (e) { return e.name; } }"""
    )
    assert sink == "TypeError"
    # And inline code that gets past that is refused by script-src.
    refused = page.evaluate(
        """() => new Promise((resolve) => {
            document.addEventListener('securitypolicyviolation',
                                      (e) => resolve(e.effectiveDirective));
            const policy = trustedTypes.createPolicy('test', {createScript: (s) => s});
            const s = document.createElement('script');
            s.text = policy.createScript('window.inlineRan = true');
            document.body.appendChild(s);
            setTimeout(() => resolve(window.inlineRan ? 'ran' : 'nothing'), 2000);
        })"""
    )
    assert refused == "script-src-elem" and page.evaluate("window.inlineRan === undefined")
    context.close()


def test_without_javascript_the_form_is_unchanged(server: ApiServer, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server.base_url}/report?type=csam&lang=en")
    assert not page.locator("#autosave-notice").is_visible()
    _fill(page)
    page.click("button[type=submit]")
    assert page.locator("#reference").inner_text()
    context.close()
