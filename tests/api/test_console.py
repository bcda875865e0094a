"""The analyst console through the real server: sign-in, the queue, casework, audit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pyotp
from api_helpers import ApiServer, form_token
from review_helpers import listed_with_actions, wait_for

from hashwarden.accounts.models import Role
from hashwarden.accounts.staff_models import StaffRole
from hashwarden.hotline.models import ReportForm, ReportKind

PASSWORD = "a long enough password"



@contextmanager
def _signed_in(server: ApiServer, username: str = "ana", code: str = "") -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        page = client.get("/console/login")
        done = client.post("/console/login", data={
            "csrf_token": form_token(page), "username": username, "password": PASSWORD,
            "code": code,
        })  # fmt: skip
        assert done.status_code == 303, done.text
        assert "hw_session" in done.headers["set-cookie"]
        assert "path=/console" in done.headers["set-cookie"].lower()
        yield client


def test_pages_need_a_session(server: ApiServer) -> None:
    with httpx.Client(base_url=server.base_url, timeout=30) as anonymous:
        for path in ("/console", "/console/reports/R-0000-0000"):
            response = anonymous.get(path)
            assert response.status_code == 303 and response.headers["location"] == "/console/login"


def test_wrong_credentials_and_totp(server: ApiServer) -> None:
    server.api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        page = client.get("/console/login")
        refused = client.post("/console/login", data={
            "csrf_token": form_token(page), "username": "ana", "password": "not the password",
        })  # fmt: skip
        assert refused.status_code == 403 and "hw_session" not in refused.headers.get(
            "set-cookie", ""
        )
    secret, _ = server.api.staff.start_totp("ana")
    with _signed_in(server, code=pyotp.TOTP(secret).now()):
        pass
    events = [e.action for e in server.api.audit_log.events()]
    assert "console.sign_in_refused" in events and "console.sign_in" in events


def test_an_analyst_works_a_report(server: ApiServer) -> None:
    server.api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    submission = server.api.reports.submit(
        ReportForm(ReportKind.CSAM, url="https://host.test/g", description="<i>see top</i>"),
        follow_up=True,
    )
    reference = submission.reference
    with _signed_in(server) as console:
        queue = console.get("/console")
        assert reference in queue.text
        page = console.get(f"/console/reports/{reference}")
        assert "https://host.test/g" in page.text
        assert "&lt;i&gt;see top&lt;/i&gt;" in page.text  # reporter text is escaped
        token = form_token(page)
        for action, data in (
            ("status", {"status": "illegal"}),
            ("timeline", {"event": "notice_sent_at"}),
            ("message", {"message": "Is the gallery still online?"}),
        ):
            done = console.post(f"/console/reports/{reference}/{action}",
                                data={"csrf_token": token, **data})  # fmt: skip
            assert done.status_code == 303, done.text
        forged = console.post(f"/console/reports/{reference}/status",
                              data={"csrf_token": "x" * 43, "status": "closed"})  # fmt: skip
        assert forged.status_code == 400

    report = server.api.casework.get(reference)
    assert report.status.value == "illegal"
    assert report.timeline.assessed_at is not None and report.timeline.notice_sent_at is not None
    assert [m.body for m in report.messages] == ["Is the gallery still online?"]
    # The reporter reads the analyst's question with the passphrase.
    assert submission.passphrase is not None
    seen = server.api.reports.follow_up(reference, submission.passphrase)
    assert seen.messages[0].author.value == "analyst"
    audited = [(e.action, e.object) for e in server.api.audit_log.events()
               if e.action.startswith("reports.")]  # fmt: skip
    assert ("reports.view", f"report:{reference}") in audited
    assert {a for a, _ in audited} >= {"reports.status", "reports.timeline", "reports.message"}


def test_sign_out_ends_the_session(server: ApiServer) -> None:
    server.api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    with _signed_in(server) as console:
        token = form_token(console.get("/console"))
        cookie = console.cookies.get("hw_session")
        assert console.post("/console/logout", data={"csrf_token": token}).status_code == 303
        assert server.api.staff.session(cookie or "") is None
        assert console.get("/console").status_code == 303


def test_the_dashboard_draws_its_charts(server: ApiServer) -> None:
    server.api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    for kind in (ReportKind.CSAM, ReportKind.CSAM, ReportKind.GROOMING):
        server.api.reports.submit(ReportForm(kind, url="https://host.test/x",
                                             description="d"), follow_up=False)  # fmt: skip
    with _signed_in(server) as console:
        page = console.get("/console/dashboard")
    assert page.status_code == 200
    assert page.text.count('role="img"') == 4
    assert "<caption>Reports per day by theme</caption>" in page.text
    assert "<script" not in page.text


def test_platform_hits_are_reviewed_in_the_console(server: ApiServer) -> None:
    listed = listed_with_actions(server, ["review"])
    platform = server.client(Role.PLATFORM)
    matched = platform.post("/v1/match", json={"signals": {"md5": [listed["md5"]]}})
    assert matched.status_code == 200
    wait_for(lambda: bool(server.api.review.items()))
    (item,) = server.api.review.items()
    server.api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    with _signed_in(server) as console:
        queue = console.get("/console/review")
        assert f'href="/console/review/{item.id}"' in queue.text
        page = console.get(f"/console/review/{item.id}")
        assert "No media is shown" in page.text and "<img" not in page.text
        refused = console.post(f"/console/review/{item.id}/decide", data={
            "csrf_token": form_token(page), "decision": "false_positive", "reason": "",
        })  # fmt: skip
        assert "needs a reason" in refused.text
        done = console.post(f"/console/review/{item.id}/decide", data={
            "csrf_token": form_token(page), "decision": "confirmed",
        })  # fmt: skip
        assert done.status_code == 303
    decided = server.api.review.get(item.id)
    assert decided.status.value == "confirmed" and decided.decided_by == "staff:ana"
