"""The public report site through the real server: languages, forms, CSRF, follow-up, privacy."""

from __future__ import annotations

import re

import httpx
import pytest
from api_helpers import ApiServer, form_token

from hashwarden.storage.report_store import SqlReportStore

LANGS = ["en", "fr", "nl", "de", "tr", "ar", "hr"]


def _browser(server: ApiServer) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, timeout=30, follow_redirects=False)



@pytest.mark.parametrize("lang", LANGS)
def test_every_page_in_every_language(server: ApiServer, lang: str) -> None:
    with _browser(server) as browser:
        for path in ("/", "/report", "/report?type=csam", "/report?type=travel",
                     "/report?type=grooming", "/report?type=sextortion", "/follow-up", "/advice"):
            page = browser.get(path, params={"lang": lang} if "?" not in path else None,
                               headers={"Accept-Language": lang})  # fmt: skip
            assert page.status_code == 200, path
            assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page.text
            assert page.headers["content-language"] == lang
            csp = page.headers["content-security-policy"]
            assert "default-src 'none'" in csp and "unsafe" not in csp
            # Nothing is loaded from elsewhere; only a report form runs a script, its own file.
            if path.startswith("/report?"):
                assert "script-src 'self'" in csp
                assert re.findall(r"<script[^>]*>", page.text) == [
                    '<script src="/static/autosave.js" defer>'
                ]
            else:
                assert "script" not in csp and "<script" not in page.text
            assert not re.search(r'(src|href)="(https?:)?//', page.text)


def test_language_comes_from_the_query_then_accept_language(server: ApiServer) -> None:
    with _browser(server) as browser:
        assert 'lang="de"' in browser.get("/", headers={"Accept-Language": "de-AT,en;q=0.5"}).text
        assert 'lang="hr"' in browser.get("/", params={"lang": "sr-Latn"}).text
        assert 'lang="hr"' in browser.get("/", headers={"Accept-Language": "bs"}).text
        assert 'lang="en"' in browser.get("/", headers={"Accept-Language": "sr-Cyrl"}).text
        page = browser.get("/report", params={"type": "travel", "lang": "fr"})
        # The switcher keeps the page and its other parameters.
        assert 'href="/report?type=travel&amp;lang=ar"' in page.text


def test_a_report_with_follow_up_then_a_reply(server: ApiServer) -> None:
    with _browser(server) as browser:
        form = browser.get("/report", params={"type": "csam", "lang": "nl"})
        assert "hw_csrf" in form.headers["set-cookie"]
        assert "httponly" in form.headers["set-cookie"].lower()
        assert "samesite=strict" in form.headers["set-cookie"].lower()
        sent = browser.post("/report?lang=nl", data={
            "csrf_token": form_token(form), "type": "csam", "url": "https://host.test/a?b=1",
            "site_type": "forum", "follow_up": "yes",
        })  # fmt: skip
        assert sent.status_code == 200, sent.text
        reference = re.search(r'id="reference">([^<]+)<', sent.text).group(1)  # type: ignore[union-attr]
        passphrase = re.search(r'id="passphrase">([^<]+)<', sent.text).group(1)  # type: ignore[union-attr]

        store = SqlReportStore(server.api.engine, migrate=False)
        stored = store.get(reference)
        assert stored is not None and stored.form.language == "nl"
        assert stored.form.url == "https://host.test/a?b=1"

        page = browser.get("/follow-up")
        shown = browser.post("/follow-up", data={
            "csrf_token": form_token(page), "reference": reference.lower(),
            "passphrase": passphrase,
        })  # fmt: skip
        assert shown.status_code == 200 and reference in shown.text
        replied = browser.post("/follow-up", data={
            "csrf_token": form_token(shown), "reference": reference, "passphrase": passphrase,
            "message": "the page moved to /c",
        })  # fmt: skip
        assert "the page moved to /c" in replied.text
        wrong = browser.post("/follow-up", data={
            "csrf_token": form_token(page), "reference": reference, "passphrase": "X" * 20,
        })  # fmt: skip
        assert wrong.status_code == 403
        assert 'id="status"' not in wrong.text and "the page moved" not in wrong.text


def test_errors_are_shown_next_to_the_field_and_nothing_is_stored(server: ApiServer) -> None:
    with _browser(server) as browser:
        form = browser.get("/report", params={"type": "csam", "lang": "en"})
        sent = browser.post("/report", data={
            "csrf_token": form_token(form), "type": "csam", "url": "javascript:alert(1)",
            "description": "<b>kept</b>",
        })  # fmt: skip
        assert sent.status_code == 422
        assert 'aria-invalid="true"' in sent.text and 'href="#url"' in sent.text
        # What the reporter typed is kept, escaped.
        assert "&lt;b&gt;kept&lt;/b&gt;" in sent.text and "<b>kept</b>" not in sent.text


def test_forged_posts_are_refused(server: ApiServer) -> None:
    with _browser(server) as browser:
        browser.get("/report?type=csam")
        forged = browser.post("/report", data={
            "csrf_token": "A" * 43, "type": "csam", "url": "https://host.test/",
        })  # fmt: skip
        assert forged.status_code == 400
    with httpx.Client(base_url=server.base_url) as stranger:  # no cookie at all
        refused = stranger.post("/report", data={"type": "csam", "url": "https://host.test/"})
        assert refused.status_code == 400


def test_submissions_are_rate_limited_per_client(server: ApiServer) -> None:
    server.api.report_limiter.per_hour = 3
    with _browser(server) as browser:
        token = form_token(browser.get("/report?type=csam"))
        codes = [
            browser.post("/report", data={
                "csrf_token": token, "type": "csam", "url": f"https://host.test/{i}",
            }).status_code
            for i in range(5)
        ]  # fmt: skip
    assert codes == [200, 200, 200, 429, 429]
