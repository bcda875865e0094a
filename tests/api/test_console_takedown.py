"""Notice-and-takedown through the console: hosting, notices, re-checks until removed, export."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import httpx
import pytest
from api_helpers import TEST_SETTINGS, ApiServer, console_sign_in, form_token
from media_site import MediaSite, media_site
from review_helpers import wait_for

from hashwarden.accounts.staff_models import StaffRole
from hashwarden.hotline.models import ReportForm, ReportKind
from hashwarden.hotline.services import ReportError
from hashwarden.hotline.takedown import NoticeKind

PASSWORD = "a long enough password"
LOCAL = dataclasses.replace(TEST_SETTINGS, triage_allow_private=True)
GALLERY = "/gallery"


@pytest.fixture
def site() -> Iterator[MediaSite]:
    with media_site({GALLERY: (b"<html><body>gallery</body></html>", "text/html")}) as served:
        yield served


@pytest.mark.api_settings(LOCAL)
def test_from_notice_to_removal(server: ApiServer, site: MediaSite) -> None:
    api = server.api
    api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    reference = api.reports.submit(
        ReportForm(ReportKind.CSAM, url=site.url(GALLERY), contact_email="me@example.org"),
        follow_up=False,
    ).reference
    with httpx.Client(base_url=server.base_url, timeout=60) as console:
        console_sign_in(console, "ana", PASSWORD)
        token = form_token(console.get(f"/console/reports/{reference}"))
        base = f"/console/reports/{reference}/takedown"
        for action, data in (
            ("hosting", {"country": "nl", "provider": "Example Hosting B.V."}),
            ("notice", {"kind": "host", "recipient": "abuse@host.test", "note": "first"}),
            ("notice", {"kind": "police", "recipient": "national unit"}),
            ("recheck", {}),
        ):
            done = console.post(f"{base}/{action}", data={"csrf_token": token, **data})
            assert done.status_code == 303 and "error" not in done.headers["location"]
        report = api.casework.get(reference)
        assert report.timeline.notice_sent_at and report.timeline.police_notified_at
        assert report.timeline.last_checked_at and report.timeline.removed_at is None
        assert [r.reference for r in api.casework.store.awaiting_removal()] == [reference]

        site.status = 404
        assert api.takedown.recheck_due() == {reference: True}
        report = api.casework.get(reference)
        assert report.status.value == "taken_down" and report.timeline.removed_at is not None
        assert api.casework.store.awaiting_removal() == []

        page = console.get(f"/console/reports/{reference}")
        assert "Example Hosting B.V. (NL)" in page.text and "abuse@host.test" in page.text
        exported = console.get(f"/console/reports/{reference}/export.json")
        document = json.loads(exported.text)
        assert document["hosting"] == {"country": "NL", "provider": "Example Hosting B.V."}
        assert document["url"] == site.url(GALLERY) and "removed_at" in document["timeline"]
        assert "me@example.org" not in exported.text  # the reporter stays with us

        forwarded = console.post(f"{base}/notice", data={
            "csrf_token": token, "kind": "hotline", "recipient": "Meldpunt Kinderporno",
        })  # fmt: skip
        assert forwarded.status_code == 303
    assert api.casework.get(reference).status.value == "forwarded"
    actions = {e.action for e in api.audit_log.events()}
    assert {"reports.hosting", "reports.notice", "reports.recheck", "reports.export"} <= actions


@pytest.mark.api_settings(LOCAL)
def test_bad_takedown_input_is_refused(server: ApiServer, site: MediaSite) -> None:
    api = server.api
    form = ReportForm(ReportKind.CSAM, url=site.url(GALLERY))
    reference = api.reports.submit(form, follow_up=False).reference
    with pytest.raises(ReportError, match="country"):
        api.takedown.set_hosting(reference, "Netherlands", "x")
    with pytest.raises(ReportError, match="recipient"):
        api.takedown.send_notice(reference, NoticeKind.HOST, " ", "", "staff:ana")
    with pytest.raises(ReportError, match="reference"):
        api.takedown.export("R-0000-0000")


@pytest.mark.api_settings(dataclasses.replace(LOCAL, recheck_interval=0.2))
def test_serve_rechecks_notified_addresses_by_itself(server: ApiServer, site: MediaSite) -> None:
    api = server.api
    reference = api.reports.submit(ReportForm(ReportKind.CSAM, url=site.url(GALLERY)),
                                   follow_up=False).reference  # fmt: skip
    api.takedown.send_notice(reference, NoticeKind.HOST, "abuse@host.test", "", "staff:ana")
    site.status = 410
    # The worker writes removed_at and then the status: wait for the second.
    wait_for(lambda: api.casework.get(reference).status.value == "taken_down")
    assert api.casework.get(reference).timeline.removed_at is not None
