"""Console pages: sign in and out, the report queue, one report with its timeline and messages.

Every page needs a live staff session; every form carries the session's CSRF token; every view
and change of a report is audit-logged under the analyst's name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from hashwarden.accounts.staff_models import StaffRole, StaffSession
from hashwarden.accounts.staff_services import SignInRefusedError
from hashwarden.audit.models import AuditRecord
from hashwarden.hotline.models import ReportStatus
from hashwarden.hotline.services import EVENTS, CaseworkService, ReportError
from hashwarden.web import csrf
from hashwarden.web.console import sessions
from hashwarden.web.templating import SECURITY_HEADERS, environment

router = APIRouter(prefix="/console", include_in_schema=False)
MAX_FORM_BYTES = 64 * 1024

KINDS = {"csam": "Child sexual abuse material", "travel": "Exploitation in travel and tourism",
         "grooming": "Grooming", "sextortion": "Sextortion"}  # fmt: skip
STATUSES = {
    "new": "New", "in_assessment": "In assessment", "illegal": "Illegal",
    "not_illegal": "Not illegal", "forwarded": "Forwarded", "taken_down": "Taken down",
    "closed": "Closed",
}  # fmt: skip
DETAILS = [("content_type", "Material"), ("site_type", "Where"), ("country", "Country"),
           ("place", "Place"), ("when", "When"), ("who", "Who")]  # fmt: skip
TIMELINE = [("received_at", "Received"), ("assessed_at", "Assessed"),
            ("police_notified_at", "Police notified"), ("notice_sent_at", "Notice sent"),
            ("removed_at", "Removed"), ("last_checked_at", "Last checked"),
            ("closed_at", "Closed")]  # fmt: skip


def _casework(request: Request) -> CaseworkService:
    service: CaseworkService = request.app.state.services.casework
    return service


def audit(request: Request, session: StaffSession, action: str, reference: str, *,
          on: str = "report", **details: object) -> None:  # fmt: skip
    """Log ``action`` by the signed-in person on ``{on}:{reference}`` (``staff:ana`` etc.)."""
    api = request.app.state.services
    api.audit_log.record(
        AuditRecord(f"staff:{session.user.username}", action, f"{on}:{reference}", details)
    )


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    html = environment("en").get_template(template).render(session=None, **context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


async def read_form(request: Request) -> dict[str, str]:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return {}
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def signed_in(request: Request) -> StaffSession | Response:
    """The hotline staff's session; a redirect to sign in, or 403 for an investigator.

    Investigators work cases only (``case_access``): need-to-know separation both ways.
    """
    try:
        signed = sessions.current(request)
    except sessions.SignInRequired:
        return RedirectResponse("/console/login", status_code=303)
    if signed.user.role is StaffRole.INVESTIGATOR:
        audit(request, signed, "console.refused", request.url.path, on="page")
        html = environment("en").get_template("console/error.html").render(
            session=signed, heading="Only for hotline staff",
            message="Investigators work cases; the hotline's reports are not theirs to see.",
        )  # fmt: skip
        return HTMLResponse(html, status_code=403, headers=SECURITY_HEADERS)
    return signed


async def signed_form(request: Request) -> tuple[StaffSession, dict[str, str]] | Response:
    """A form post's session and fields; a redirect to sign in, or 400 for a stale form."""
    signed = signed_in(request)
    if not isinstance(signed, StaffSession):
        return signed
    data = await read_form(request)
    if not sessions.check_form(signed, data.get(csrf.FIELD, "")):
        return HTMLResponse("form expired: reload the page", status_code=400)
    return signed, data


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    token = csrf.token_for(request)
    response = _page(request, "console/login.html", csrf_token=token, refused=False, username="")
    csrf.set_cookie(request, response, token)
    return response


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    data = await read_form(request)
    username = data.get("username", "")
    if not csrf.valid(request, data.get(csrf.FIELD, "")):
        return _page(request, "console/login.html", 400, csrf_token=csrf.token_for(request),
                     refused=True, username=username)  # fmt: skip
    limiter = request.app.state.services.report_limiter
    client = request.client.host if request.client else ""
    if not limiter.allow(f"console:{client}"):
        return _page(request, "console/login.html", 429, csrf_token=csrf.token_for(request),
                     refused=True, username=username)  # fmt: skip
    staff = sessions.staff_service(request)
    try:
        token, session = await run_in_threadpool(
            staff.sign_in, username, data.get("password", ""), data.get("code", "")
        )
    except SignInRefusedError:
        request.app.state.services.audit_log.record(
            AuditRecord(f"staff:{username[:63]}", "console.sign_in_refused", "console")
        )
        return _page(request, "console/login.html", 403, csrf_token=csrf.token_for(request),
                     refused=True, username=username)  # fmt: skip
    request.app.state.services.audit_log.record(
        AuditRecord(f"staff:{session.user.username}", "console.sign_in", "console")
    )
    response = RedirectResponse("/console", status_code=303)
    sessions.set_cookie(request, response, token)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    data = await read_form(request)
    try:  # not ``signed_in``: every role signs out, investigators too
        signed: StaffSession | None = sessions.current(request)
    except sessions.SignInRequired:
        signed = None
    if signed is not None and sessions.check_form(signed, data.get(csrf.FIELD, "")):
        sessions.staff_service(request).sign_out(request.cookies.get(sessions.COOKIE, ""))
    response = RedirectResponse("/console/login", status_code=303)
    sessions.clear_cookie(response)
    return response


@router.get("", response_class=HTMLResponse)
def queue(request: Request, status: str = "") -> Response:
    if not status and _investigator_landing(request):  # where sign-in and the brand link land
        return RedirectResponse("/console/cases", status_code=303)
    signed = signed_in(request)
    if not isinstance(signed, StaffSession):
        return signed
    casework = _casework(request)
    if status == "all":
        reports, heading = casework.queue(tuple(ReportStatus)), "All reports"
    else:
        reports, heading = casework.queue(), "Reports waiting for assessment"
    now = datetime.now(UTC)
    ages = {r.reference: _age(now - r.timeline.received_at) for r in reports}
    html = environment("en").get_template("console/queue.html").render(
        session=signed, reports=reports, heading=heading, kinds=KINDS, statuses=STATUSES,
        ages=ages,
    )  # fmt: skip
    return HTMLResponse(html, headers=SECURITY_HEADERS)


@router.get("/reports/{reference}", response_class=HTMLResponse)
def report_page(request: Request, reference: str, error: str = "") -> Response:
    signed = signed_in(request)
    if not isinstance(signed, StaffSession):
        return signed
    try:
        report = _casework(request).get(reference)
    except ReportError:
        return HTMLResponse("no such report", status_code=404, headers=SECURITY_HEADERS)
    audit(request, signed, "reports.view", reference)
    api = request.app.state.services
    html = environment("en").get_template("console/report.html").render(
        session=signed, report=report, kinds=KINDS, statuses=STATUSES, details=DETAILS,
        timeline=TIMELINE, events=EVENTS, error=error, items=api.items.items(reference),
        hosting=api.takedown.store.hosting(reference),
        notices=api.takedown.store.notices(reference),
        clocks=api.retention.clocks(report),
        supervisor=signed.user.role is StaffRole.SUPERVISOR,
    )  # fmt: skip
    return HTMLResponse(html, headers=SECURITY_HEADERS)


@router.post("/reports/{reference}/{action}")
async def report_action(request: Request, reference: str, action: str) -> Response:
    posted = await signed_form(request)
    if not isinstance(posted, tuple):
        return posted
    signed, data = posted
    casework = _casework(request)
    try:
        if action == "status":
            status = ReportStatus(data.get("status", ""))
            await run_in_threadpool(casework.set_status, reference, status)
            audit(request, signed, "reports.status", reference, status=status.value)
        elif action == "timeline":
            event = data.get("event", "")
            await run_in_threadpool(casework.record, reference, event)
            audit(request, signed, "reports.timeline", reference, event=event)
        elif action == "message":
            await run_in_threadpool(casework.write_to_reporter, reference, data.get("message", ""))
            audit(request, signed, "reports.message", reference)
        else:
            return HTMLResponse("unknown action", status_code=404)
    except (ReportError, ValueError) as exc:
        return report_page(request, reference, error=f"Not done: {exc}")
    return RedirectResponse(f"/console/reports/{reference}", status_code=303)


def _investigator_landing(request: Request) -> bool:
    try:
        return sessions.current(request).user.role is StaffRole.INVESTIGATOR
    except sessions.SignInRequired:
        return False


def _age(delta: Any) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours // 24} d {hours % 24} h" if hours >= 24 else f"{hours} h"
