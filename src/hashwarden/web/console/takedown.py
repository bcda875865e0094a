"""Console actions of notice-and-takedown: hosting, notices, re-checks, the partner export."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from hashwarden.accounts.staff_models import StaffSession
from hashwarden.core.errors import HashwardenError
from hashwarden.hotline.takedown import NoticeKind
from hashwarden.web.console.routes import audit, signed_form, signed_in
from hashwarden.web.templating import SECURITY_HEADERS

router = APIRouter(prefix="/console", include_in_schema=False)


@router.post("/reports/{reference}/takedown/{action}")
async def takedown_action(request: Request, reference: str, action: str) -> Response:
    posted = await signed_form(request)
    if not isinstance(posted, tuple):
        return posted
    signed, data = posted
    service = request.app.state.services.takedown
    who = f"staff:{signed.user.username}"
    try:
        if action == "hosting":
            country, provider = data.get("country", ""), data.get("provider", "")
            await run_in_threadpool(service.set_hosting, reference, country, provider)
            audit(request, signed, "reports.hosting", reference, country=country.upper())
        elif action == "notice":
            kind = NoticeKind(data.get("kind", ""))
            recipient, note = data.get("recipient", ""), data.get("note", "")
            await run_in_threadpool(service.send_notice, reference, kind, recipient, note, who)
            audit(request, signed, "reports.notice", reference, kind=kind.value)
        elif action == "recheck":
            gone = await run_in_threadpool(service.recheck, reference)
            audit(request, signed, "reports.recheck", reference, removed=gone)
        else:
            return HTMLResponse("unknown action", status_code=404)
    except (HashwardenError, ValueError) as exc:
        name = type(exc).__name__
        return RedirectResponse(f"/console/reports/{reference}?error={name}", status_code=303)
    return RedirectResponse(f"/console/reports/{reference}", status_code=303)


@router.get("/reports/{reference}/export.json")
def export(request: Request, reference: str) -> Response:
    """The report for a partner hotline (structured JSON, no reporter contact, no media)."""
    signed = signed_in(request)
    if not isinstance(signed, StaffSession):
        return signed
    try:
        document = request.app.state.services.takedown.export(reference)
    except HashwardenError:
        return Response(status_code=404)
    audit(request, signed, "reports.export", reference)
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={**SECURITY_HEADERS,
                 "Content-Disposition": f'attachment; filename="{reference}.json"'},
    )
