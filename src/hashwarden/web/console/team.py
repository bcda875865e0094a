"""Supervisors' pages: the team's accounts and exposure, and managing the accounts.

Analysts get 403 on every one of them (and the attempt is logged). Every change goes through a
session-bound form and is audit-logged under the supervisor's name, on ``staff:<username>``;
password hashes and TOTP secrets never reach a template (``StaffUser`` does not carry them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from hashwarden.accounts.staff_models import StaffRole, StaffSession
from hashwarden.accounts.staff_services import (
    MIN_PASSWORD,
    USERNAME_RULE,
    StaffError,
    StaffService,
    check_password,
    check_username,
)
from hashwarden.web.console.exposure import ExposureClock
from hashwarden.web.console.routes import audit, signed_form, signed_in
from hashwarden.web.templating import SECURITY_HEADERS, environment

router = APIRouter(prefix="/console", include_in_schema=False)
#: The longer window of the team table, in days (today included).
WEEK = 7
ROLES = {StaffRole.ANALYST.value: "Analyst", StaffRole.SUPERVISOR.value: "Supervisor",
         StaffRole.INVESTIGATOR.value: "Investigator (cases only)"}
HINTS = {
    "username": f"{USERNAME_RULE[0].upper()}{USERNAME_RULE[1:]}; stored in lower case.",
    "password": f"At least {MIN_PASSWORD} characters. Give it to the person in a safe way: "
    "it is not shown again.",
}
#: What a redirect after a change says; a fixed key, so no text of the URL reaches the page.
DONE = {
    "created": "Account created. The person can sign in with the initial password.",
    "password": "Password changed. Every session of the account was ended.",
    "disabled": "Account disabled. Its sessions were ended; its history is kept.",
    "enabled": "Account enabled. The person can sign in again.",
}


@dataclass(frozen=True, slots=True)
class Exposure:
    """One person's exposure for the team pages, in whole minutes."""

    today: int
    week: int
    #: Today's share of the daily limit, in per cent.
    share: int
    over_limit: bool

    @property
    def per_day(self) -> int:
        return self.week // WEEK


def exposure_of(clock: ExposureClock, username: str) -> Exposure:
    today = clock.today(username)
    limit = clock.limit.total_seconds()
    return Exposure(
        today=_minutes(today.total_seconds()),
        week=_minutes(clock.last_days(username, WEEK).total_seconds()),
        share=int(100 * today.total_seconds() / limit) if limit else 0,
        over_limit=today >= clock.limit,
    )


def _minutes(seconds: float) -> int:
    return int(seconds // 60)


def _staff(request: Request) -> StaffService:
    service: StaffService = request.app.state.services.staff
    return service


def _render(template: str, signed: StaffSession, status_code: int = 200, **context: Any
            ) -> Response:  # fmt: skip
    html = environment("en").get_template(template).render(session=signed, **context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def _refused(request: Request, signed: StaffSession) -> Response | None:
    """403 unless a supervisor is signed in; None when they are."""
    if signed.user.role is StaffRole.SUPERVISOR:
        return None
    audit(request, signed, "console.refused", request.url.path, on="page")
    message = "Only supervisors can see the team and manage staff accounts."
    return _render("console/error.html", signed, 403, heading="Only for supervisors",
                   message=message)  # fmt: skip


def _sentence(error: StaffError) -> str:
    text = str(error)
    return f"{text[:1].upper()}{text[1:]}."


def _team(request: Request, signed: StaffSession, status_code: int = 200,
          errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
          ) -> Response:  # fmt: skip
    api = request.app.state.services
    users = _staff(request).users()
    exposure = {user.username: exposure_of(api.exposure, user.username) for user in users}
    return _render("console/team.html", signed, status_code, users=users, exposure=exposure,
                   limit=_minutes(api.exposure.limit.total_seconds()), week=WEEK, roles=ROLES,
                   hints=HINTS, errors=errors or {},
                   values=values or {"username": "", "role": StaffRole.ANALYST.value})  # fmt: skip


def _member(request: Request, signed: StaffSession, username: str, status_code: int = 200,
            done: str = "", errors: dict[str, str] | None = None) -> Response:  # fmt: skip
    user = _staff(request).user(username)
    if user is None:
        return _render("console/error.html", signed, 404, heading="No such account",
                       message="There is no staff account of that name.")  # fmt: skip
    api = request.app.state.services
    return _render("console/team_member.html", signed, status_code, user=user,
                   exposure=exposure_of(api.exposure, user.username),
                   limit=_minutes(api.exposure.limit.total_seconds()), week=WEEK, roles=ROLES,
                   hints=HINTS, done=DONE.get(done, ""), errors=errors or {},
                   is_self=user.username == signed.user.username)  # fmt: skip


@router.get("/team", response_class=HTMLResponse)
def team_page(request: Request) -> Response:
    signed = signed_in(request)
    if not isinstance(signed, StaffSession):
        return signed
    if refused := _refused(request, signed):
        return refused
    # Everyone's exposure is personal data: looking at it is logged like opening a report.
    audit(request, signed, "staff.list", "team", on="console")
    return _team(request, signed)


@router.post("/team")
async def create_account(request: Request) -> Response:
    posted = await signed_form(request)
    if not isinstance(posted, tuple):
        return posted
    signed, data = posted
    if refused := _refused(request, signed):
        return refused
    username, role = data.get("username", ""), data.get("role", "")
    password = data.get("password", "")
    # Each rule is checked on its own, so every broken one is shown next to its field at once.
    errors: dict[str, str] = {}
    try:
        check_username(username)
    except StaffError as exc:
        errors["new-username"] = _sentence(exc)
    if role not in ROLES:
        errors["new-role"] = "Choose analyst, supervisor or investigator."
    try:
        check_password(password)
    except StaffError as exc:
        errors["new-password"] = _sentence(exc)
    if not errors:
        try:
            user = await run_in_threadpool(_staff(request).create, username, password,
                                           StaffRole(role))  # fmt: skip
        except StaffError as exc:  # the one rule left: the name is taken
            errors["new-username"] = _sentence(exc)
        else:
            audit(request, signed, "staff.create", user.username, on="staff", role=role)
            return RedirectResponse(f"/console/team/{user.username}?done=created", 303)
    values = {"username": username, "role": role}
    return await run_in_threadpool(_team, request, signed, 400, errors, values)


@router.get("/team/{username}", response_class=HTMLResponse)
def member_page(request: Request, username: str, done: str = "") -> Response:
    signed = signed_in(request)
    if not isinstance(signed, StaffSession):
        return signed
    if refused := _refused(request, signed):
        return refused
    audit(request, signed, "staff.view", username, on="staff")
    return _member(request, signed, username, done=done)


@router.post("/team/{username}/{action}")
async def member_action(request: Request, username: str, action: str) -> Response:
    posted = await signed_form(request)
    if not isinstance(posted, tuple):
        return posted
    signed, data = posted
    if refused := _refused(request, signed):
        return refused
    staff = _staff(request)
    if action not in ("password", "disable", "enable"):
        return _render("console/error.html", signed, 404, heading="No such action",
                       message="That change does not exist.")  # fmt: skip
    if await run_in_threadpool(staff.user, username) is None:
        return await run_in_threadpool(_member, request, signed, username)
    try:
        if action == "password":
            await run_in_threadpool(staff.set_password, username, data.get("password", ""))
            done = "password"
        elif action == "disable":
            await run_in_threadpool(staff.disable, username, by=signed.user.username)
            done = "disabled"
        else:
            await run_in_threadpool(staff.enable, username)
            done = "enabled"
    except StaffError as exc:
        field = "reset-password" if action == "password" else "status"
        return await run_in_threadpool(_member, request, signed, username, 400, "",
                                       {field: _sentence(exc)})  # fmt: skip
    audit(request, signed, f"staff.{action}", username, on="staff")
    # Resetting one's own password ends one's own session too: back to the sign-in page then.
    return RedirectResponse(f"/console/team/{username}?done={done}", status_code=303)
