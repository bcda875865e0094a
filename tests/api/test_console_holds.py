"""Legal holds and retention dates on the console's report page, through the real server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
from api_helpers import ApiServer, console_sign_in, form_token

from hashwarden.accounts.staff_models import StaffRole
from hashwarden.hotline.models import ReportForm, ReportKind, ReportStatus
from hashwarden.hotline.retention import RetentionPolicy, RetentionService

PASSWORD = "a long enough password"
REASON = "police request 2026/123"


@contextmanager
def _console(server: ApiServer, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        console_sign_in(client, username, PASSWORD)
        yield client


def _closed_report(server: ApiServer) -> str:
    api = server.api
    form = ReportForm(ReportKind.CSAM, url="https://host.test/g", contact_email="a@mail.test")
    reference = api.reports.submit(form, follow_up=True).reference
    api.casework.set_status(reference, ReportStatus.CLOSED)
    return reference


def _retention(page: httpx.Response, category: str) -> str:
    found = re.search(rf'<dd id="retention-{category}">(.*?)</dd>', page.text, re.S)
    assert found, f"no retention line for {category}"
    return found.group(1)


def _hold_events(server: ApiServer) -> list[tuple[str, str, str, dict[str, object]]]:
    return [(e.actor, e.action, e.object, e.details) for e in server.api.audit_log.events()
            if e.action.startswith("reports.hold")]  # fmt: skip


def test_a_supervisor_places_and_lifts_a_hold(server: ApiServer) -> None:
    server.api.staff.create("sam", PASSWORD, StaffRole.SUPERVISOR)
    reference = _closed_report(server)
    report = server.api.casework.get(reference)
    assert report.timeline.closed_at is not None
    contact_day = f"{report.timeline.closed_at + timedelta(days=30):%Y-%m-%d}"
    report_day = f"{report.timeline.closed_at + timedelta(days=365):%Y-%m-%d}"
    path = f"/console/reports/{reference}"
    with _console(server, "sam") as console:
        page = console.get(path)
        assert f"will be erased on {contact_day}" in _retention(page, "contact")
        assert f"will be erased on {report_day}" in _retention(page, "report")
        assert 'id="place-hold"' in page.text and 'id="lift-hold"' not in page.text

        refused = console.post(f"{path}/hold/place", data={
            "csrf_token": form_token(page), "reason": "  "})  # fmt: skip
        assert refused.status_code == 303
        assert "Give the reason for the hold" in console.get(refused.headers["location"]).text

        placed = console.post(f"{path}/hold/place", data={
            "csrf_token": form_token(page), "reason": REASON})  # fmt: skip
        assert placed.status_code == 303 and placed.headers["location"] == path
        page = console.get(path)
        assert _retention(page, "contact") == f"held: {REASON}"
        assert _retention(page, "report") == f"held: {REASON}"
        assert 'id="hold"' in page.text and "placed by sam" in page.text
        assert 'id="lift-hold"' in page.text and 'id="place-hold"' not in page.text

        lifted = console.post(f"{path}/hold/lift", data={"csrf_token": form_token(page)})
        assert lifted.status_code == 303
        page = console.get(path)
        assert f"will be erased on {contact_day}" in _retention(page, "contact")
        assert 'id="hold"' not in page.text
    assert server.api.casework.get(reference).hold is None
    assert _hold_events(server) == [
        ("staff:sam", "reports.hold", f"report:{reference}", {"reason": REASON}),
        ("staff:sam", "reports.hold_lifted", f"report:{reference}", {"reason": REASON}),
    ]


def test_analysts_see_a_hold_but_cannot_change_it(server: ApiServer) -> None:
    server.api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    reference = _closed_report(server)
    server.api.retention.place_hold(reference, REASON, "sam")
    path = f"/console/reports/{reference}"
    with _console(server, "ana") as console:
        page = console.get(path)
        assert _retention(page, "contact") == f"held: {REASON}"
        assert 'id="lift-hold"' not in page.text and 'id="place-hold"' not in page.text
        token = form_token(page)
        for action, data in (("lift", {}), ("place", {"reason": "mine"})):
            answer = console.post(f"{path}/hold/{action}", data={"csrf_token": token, **data})
            assert answer.status_code == 403 and "Only supervisors" in answer.text
    hold = server.api.casework.get(reference).hold
    assert hold is not None and hold.reason == REASON
    refused = [e.object for e in server.api.audit_log.events() if e.action == "console.refused"]
    assert refused == [f"page:{path}/hold/lift", f"page:{path}/hold/place"]
    assert _hold_events(server) == []


def test_hold_forms_need_the_sessions_token(server: ApiServer) -> None:
    server.api.staff.create("sam", PASSWORD, StaffRole.SUPERVISOR)
    reference = _closed_report(server)
    path = f"/console/reports/{reference}"
    with _console(server, "sam") as console:
        for data in ({"reason": REASON}, {"reason": REASON, "csrf_token": "forged"}):
            assert console.post(f"{path}/hold/place", data=data).status_code == 400
    with httpx.Client(base_url=server.base_url, timeout=30) as anonymous:
        answer = anonymous.post(f"{path}/hold/place", data={"reason": REASON})
        assert answer.status_code == 303 and answer.headers["location"] == "/console/login"
    assert server.api.casework.get(reference).hold is None
    assert _hold_events(server) == []


def test_a_deleted_report_shows_its_tombstone(server: ApiServer) -> None:
    server.api.staff.create("sam", PASSWORD, StaffRole.SUPERVISOR)
    reference = _closed_report(server)
    api = server.api
    now = api.casework.get(reference).timeline.closed_at
    assert now is not None
    RetentionService(api.retention.store, RetentionPolicy(0, 0), api.audit_log.record,
                     lambda: now).purge(actor="test")  # fmt: skip
    with _console(server, "sam") as console:
        page = console.get(f"/console/reports/{reference}")
        assert page.status_code == 200 and 'id="tombstone"' in page.text
        assert "https://host.test/g" not in page.text and "a@mail.test" not in page.text
        assert _retention(page, "report") == f"erased on {now:%Y-%m-%d}"
        assert 'id="place-hold"' not in page.text and 'name="status"' not in page.text
        answer = console.post(f"/console/reports/{reference}/hold/place", data={
            "csrf_token": form_token(page), "reason": REASON})  # fmt: skip
        assert answer.status_code == 303 and "error=" in answer.headers["location"]
