"""Legal holds on reports: supervisors place and lift them from the report page.

A hold stops every retention clock of the report (``hotline.retention``). Analysts see it but get
403 on both forms (and the attempt is logged); every change is audit-logged with its reason.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from hashwarden.accounts.staff_models import StaffRole
from hashwarden.hotline.retention import RetentionService
from hashwarden.hotline.services import ReportError
from hashwarden.web.console.routes import audit, signed_form
from hashwarden.web.templating import SECURITY_HEADERS, environment

router = APIRouter(prefix="/console", include_in_schema=False)
#: What the report page says when a change was refused (a fixed text per reason code).
REFUSED = {
    "required": "Give the reason for the hold (e.g. the police request's number).",
    "too_long": "The reason is too long: a case number and a few words are enough.",
    "unknown": "The report no longer exists (or is deleted): nothing to hold.",
    "not_held": "The report is not under a hold.",
}


@router.post("/reports/{reference}/hold/{action}")
async def hold_action(request: Request, reference: str, action: str) -> Response:
    posted = await signed_form(request)
    if not isinstance(posted, tuple):
        return posted
    signed, data = posted
    if signed.user.role is not StaffRole.SUPERVISOR:
        audit(request, signed, "console.refused", request.url.path, on="page")
        html = environment("en").get_template("console/error.html").render(
            session=signed, heading="Only for supervisors",
            message="Only supervisors can place or lift a legal hold.",
        )  # fmt: skip
        return HTMLResponse(html, status_code=403, headers=SECURITY_HEADERS)
    if action not in ("place", "lift"):
        return HTMLResponse("unknown action", status_code=404, headers=SECURITY_HEADERS)
    retention: RetentionService = request.app.state.services.retention
    try:
        if action == "place":
            reason, who = data.get("reason", ""), signed.user.username
            hold = await run_in_threadpool(retention.place_hold, reference, reason, who)
            audit(request, signed, "reports.hold", reference, reason=hold.reason)
        else:
            lifted = await run_in_threadpool(retention.lift_hold, reference)
            audit(request, signed, "reports.hold_lifted", reference, reason=lifted.reason)
    except ReportError as exc:
        error = quote(REFUSED.get(exc.code, "Not done."))
        return RedirectResponse(f"/console/reports/{reference}?error={error}", status_code=303)
    return RedirectResponse(f"/console/reports/{reference}", status_code=303)
