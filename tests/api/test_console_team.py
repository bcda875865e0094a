"""Supervisors' team pages through the real server: accounts, exposure, management, audit."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from api_helpers import TEST_SETTINGS, ApiServer, console_sign_in, form_token

from hashwarden.accounts.staff_models import StaffRole
from hashwarden.hotline.items import ItemState, NewItem
from hashwarden.hotline.models import ReportForm, ReportKind

PASSWORD = "a long enough password"
NEW_PASSWORD = "another long password"
LIMIT_30 = dataclasses.replace(TEST_SETTINGS, exposure_limit_minutes=30)


@contextmanager
def _console(server: ApiServer, username: str, password: str = PASSWORD
             ) -> Iterator[httpx.Client]:  # fmt: skip
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        console_sign_in(client, username, password)
        yield client


def _sign_in_status(server: ApiServer, username: str, password: str) -> int:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        page = client.get("/console/login")
        return client.post("/console/login", data={
            "csrf_token": form_token(page), "username": username, "password": password,
        }).status_code  # fmt: skip


def _exposed(server: ApiServer, username: str, minutes: int, at: datetime) -> None:
    """An item decided by ``username`` at ``at`` after ``minutes`` of exposure (as stored)."""
    api = server.api
    reference = api.reports.submit(
        ReportForm(ReportKind.CSAM, url="https://host.test/g"), follow_up=False
    ).reference
    new = NewItem("https://host.test/g.jpg", "image/jpeg", 1, {}, ItemState.UNKNOWN, content=b"x")
    (item,) = api.items.add_items(reference, [new], at)
    api.items.assess(item.id, {"scheme": "iwf"}, f"staff:{username}", at, minutes * 60)


def _row(page: httpx.Response, username: str) -> str:
    found = re.search(rf'<tr id="staff-{re.escape(username)}">(.*?)</tr>', page.text, re.S)
    assert found, f"no row for {username}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def _staff_events(server: ApiServer) -> list[tuple[str, str, str, dict[str, object]]]:
    return [(e.actor, e.action, e.object, e.details) for e in server.api.audit_log.events()
            if e.action.startswith("staff.")]  # fmt: skip


@pytest.mark.api_settings(LIMIT_30)
def test_a_supervisor_sees_the_team_and_its_exposure(server: ApiServer) -> None:
    api = server.api
    api.staff.create("sam", PASSWORD, StaffRole.SUPERVISOR)
    api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    api.staff.create("cy", PASSWORD, StaffRole.ANALYST)
    api.staff.create("bo", PASSWORD, StaffRole.ANALYST)
    secret, _ = api.staff.start_totp("ana")
    api.staff.disable("bo")
    now = datetime.now(UTC)
    _exposed(server, "ana", 20, now)
    _exposed(server, "ana", 50, now - timedelta(days=3))
    _exposed(server, "ana", 90, now - timedelta(days=8))  # outside both windows
    _exposed(server, "cy", 35, now)

    with _console(server, "sam") as console:
        assert 'href="/console/team"' in console.get("/console").text
        page = console.get("/console/team")
    assert page.status_code == 200
    assert '<strong id="limit">30 min</strong>' in page.text
    assert _row(page, "ana").startswith(f"ana Analyst on {now:%Y-%m-%d}")
    assert "20 min of 30 (66 %)" in _row(page, "ana") and "limit reached" not in _row(page, "ana")
    assert "70 min, 10 min a day" in _row(page, "ana") and "active" in _row(page, "ana")
    assert "35 min of 30 (116 %) limit reached" in _row(page, "cy")
    assert "Supervisor off" in _row(page, "sam") and "(you)" in _row(page, "sam")
    assert "disabled since" in _row(page, "bo") and "0 min of 30 (0 %)" in _row(page, "bo")
    # Neither password hashes nor TOTP secrets are ever on the page.
    assert "argon2" not in page.text and secret not in page.text
    assert ("staff:sam", "staff.list", "console:team", {}) in _staff_events(server)


def test_analysts_are_refused_the_team_pages(server: ApiServer) -> None:
    server.api.staff.create("sam", PASSWORD, StaffRole.SUPERVISOR)
    server.api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    with _console(server, "ana") as console:
        queue = console.get("/console")
        assert 'href="/console/team"' not in queue.text
        token = form_token(queue)
        page = console.get("/console/team")
        assert page.status_code == 403
        assert "Only supervisors" in page.text and 'class="error-summary"' in page.text
        assert page.headers["content-security-policy"].startswith("default-src 'none'")
        assert console.get("/console/team/sam").status_code == 403
        created = console.post("/console/team", data={
            "csrf_token": token, "username": "mallory", "role": "supervisor",
            "password": PASSWORD,
        })  # fmt: skip
        assert created.status_code == 403
        disabled = console.post("/console/team/sam/disable", data={"csrf_token": token})
        assert disabled.status_code == 403
    assert server.api.staff.user("mallory") is None
    sam = server.api.staff.user("sam")
    assert sam is not None and sam.active
    refused = [e.object for e in server.api.audit_log.events() if e.action == "console.refused"]
    assert "page:/console/team" in refused and "page:/console/team/sam/disable" in refused
    assert _staff_events(server) == []


def test_a_supervisor_creates_resets_disables_and_enables(server: ApiServer) -> None:
    server.api.staff.create("sam", PASSWORD, StaffRole.SUPERVISOR)
    with _console(server, "sam") as console:
        token = form_token(console.get("/console/team"))
        refused = console.post("/console/team", data={
            "csrf_token": token, "username": "no spaces", "role": "admin", "password": "short",
        })  # fmt: skip
        assert refused.status_code == 400
        for field in ("new-username", "new-role", "new-password"):
            assert f'id="{field}-error"' in refused.text
            assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', refused.text)
        assert "at least 12 characters" in refused.text
        assert 'value="no spaces"' in refused.text and 'value="short"' not in refused.text

        created = console.post("/console/team", data={
            "csrf_token": token, "username": "Cy", "role": "analyst", "password": PASSWORD,
        })  # fmt: skip
        assert created.status_code == 303
        assert created.headers["location"] == "/console/team/cy?done=created"
        assert "Account created" in console.get(created.headers["location"]).text
        again = console.post("/console/team", data={
            "csrf_token": token, "username": "cy", "role": "analyst", "password": PASSWORD,
        })  # fmt: skip
        assert again.status_code == 400 and "exists already" in again.text

        with _console(server, "cy") as cy:
            assert cy.get("/console").status_code == 200
            short = console.post("/console/team/cy/password",
                                 data={"csrf_token": token, "password": "short"})  # fmt: skip
            assert short.status_code == 400 and 'id="reset-password-error"' in short.text
            reset = console.post("/console/team/cy/password",
                                 data={"csrf_token": token, "password": NEW_PASSWORD})  # fmt: skip
            assert reset.status_code == 303
            # The reset ends the sessions signed in with the old password.
            assert cy.get("/console").status_code == 303
        assert _sign_in_status(server, "cy", PASSWORD) == 403

        with _console(server, "cy", NEW_PASSWORD) as cy:
            done = console.post("/console/team/cy/disable", data={"csrf_token": token})
            assert done.status_code == 303
            assert cy.get("/console").status_code == 303
        assert _sign_in_status(server, "cy", NEW_PASSWORD) == 403
        page = console.get("/console/team/cy")
        assert "disabled since" in page.text and 'id="enable"' in page.text

        done = console.post("/console/team/cy/enable", data={"csrf_token": token})
        assert done.status_code == 303
        assert _sign_in_status(server, "cy", NEW_PASSWORD) == 303
        assert console.get("/console/team/nobody").status_code == 404
        assert console.post("/console/team/nobody/disable",
                            data={"csrf_token": token}).status_code == 404  # fmt: skip

    changes = [(a, o, d) for who, a, o, d in _staff_events(server)
               if who == "staff:sam" and a not in ("staff.list", "staff.view")]  # fmt: skip
    assert changes == [
        ("staff.create", "staff:cy", {"role": "analyst"}),
        ("staff.password", "staff:cy", {}),
        ("staff.disable", "staff:cy", {}),
        ("staff.enable", "staff:cy", {}),
    ]
    assert not any(PASSWORD in str(e.details) for e in server.api.audit_log.events())


def test_changes_need_the_session_form_token(server: ApiServer) -> None:
    server.api.staff.create("sam", PASSWORD, StaffRole.SUPERVISOR)
    server.api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    with _console(server, "sam") as console:
        for path, data in (
            ("/console/team", {"username": "cy", "role": "analyst", "password": PASSWORD}),
            ("/console/team/ana/disable", {}),
            ("/console/team/ana/password", {"password": NEW_PASSWORD}),
        ):
            assert console.post(path, data=data).status_code == 400
            forged = console.post(path, data={"csrf_token": "x" * 43, **data})
            assert forged.status_code == 400
    with httpx.Client(base_url=server.base_url, timeout=30) as anonymous:
        response = anonymous.post("/console/team/ana/disable", data={"csrf_token": "x"})
        assert response.status_code == 303 and response.headers["location"] == "/console/login"
    ana = server.api.staff.user("ana")
    assert server.api.staff.user("cy") is None and ana is not None and ana.active
    assert _sign_in_status(server, "ana", PASSWORD) == 303
    assert [e for e in _staff_events(server) if e[1] != "staff.list"] == []


def test_a_supervisor_cannot_disable_themself(server: ApiServer) -> None:
    server.api.staff.create("sam", PASSWORD, StaffRole.SUPERVISOR)
    with _console(server, "sam") as console:
        page = console.get("/console/team/sam")
        assert 'id="disable"' not in page.text and "cannot disable your own account" in page.text
        refused = console.post("/console/team/sam/disable", data={"csrf_token": form_token(page)})
        assert refused.status_code == 400 and "cannot disable your own account" in refused.text
        assert console.get("/console/team").status_code == 200  # still signed in
    sam = server.api.staff.user("sam")
    assert sam is not None and sam.active
    assert not [e for e in _staff_events(server) if e[1] == "staff.disable"]
