"""Who may open the case pages (investigators only) and how their views are logged.

Cases are need-to-know: hotline analysts and supervisors never see seized media, investigators
never see the hotline's reports. A refusal is a 403 page and is itself logged; every view of case
items, links or media is logged under the investigator's name on ``case:<name>``.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hashwarden.accounts.staff_models import StaffRole, StaffSession
from hashwarden.audit.models import AuditRecord
from hashwarden.cases.interfaces import CaseError
from hashwarden.cases.models import Case
from hashwarden.web.console import sessions
from hashwarden.web.templating import SECURITY_HEADERS, environment

REFUSED_HEADING = "Only for investigators"
REFUSED_MESSAGE = (
    "Case pages show seized media: only investigators see them (need-to-know separation)."
)


def investigator(request: Request) -> StaffSession | Response:
    """The signed-in investigator; a redirect to sign in, or a (logged) 403 page for others."""
    try:
        signed = sessions.current(request)
    except sessions.SignInRequired:
        return RedirectResponse("/console/login", status_code=303)
    if signed.user.role is StaffRole.INVESTIGATOR:
        return signed
    request.app.state.services.audit_log.record(AuditRecord(
        f"staff:{signed.user.username}", "console.refused", f"page:{request.url.path}"
    ))  # fmt: skip
    html = environment("en").get_template("console/error.html").render(
        session=signed, heading=REFUSED_HEADING, message=REFUSED_MESSAGE
    )
    return HTMLResponse(html, status_code=403, headers=SECURITY_HEADERS)


def audit_case(request: Request, session: StaffSession, action: str, case_name: str,
               **details: object) -> None:  # fmt: skip
    """Log ``action`` by the investigator on ``case:<case_name>`` (``cases.view`` etc.)."""
    request.app.state.services.audit_log.record(
        AuditRecord(f"staff:{session.user.username}", action, f"case:{case_name}", details)
    )


def find_case(request: Request, session: StaffSession, name: str) -> Case | Response:
    """The case called ``name``, or a 404 page."""
    try:
        case: Case = request.app.state.services.cases.get(name)
    except CaseError:
        html = environment("en").get_template("console/error.html").render(
            session=session, heading="No such case", message="There is no case of that name."
        )
        return HTMLResponse(html, status_code=404, headers=SECURITY_HEADERS)
    return case


def open_case(request: Request, name: str) -> tuple[StaffSession, Case] | Response:
    """The signed-in investigator and the case a page is about, or the response to send."""
    signed = investigator(request)
    if not isinstance(signed, StaffSession):
        return signed
    case = find_case(request, signed, name)
    if not isinstance(case, Case):
        return case
    return signed, case
