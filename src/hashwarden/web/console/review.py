"""The platforms' review queue in the console: hits that list actions sent for human review.

A review item holds the matched hash and the list entry, never media (hashwarden does not keep
uploads), so there is nothing to look at: the analyst judges from the entry, its category, the
distance and what other reviewers decided, which is the exposure-limiting choice.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from hashwarden.accounts.staff_models import StaffSession
from hashwarden.audit.models import AuditRecord
from hashwarden.core.errors import HashwardenError
from hashwarden.review.models import ReviewStatus
from hashwarden.web.console.routes import signed_form, signed_in
from hashwarden.web.templating import SECURITY_HEADERS, environment

router = APIRouter(prefix="/console", include_in_schema=False)


def _record(request: Request, signed: StaffSession, action: str, item_id: int, **details: object
            ) -> None:  # fmt: skip
    request.app.state.services.audit_log.record(
        AuditRecord(f"staff:{signed.user.username}", action, f"review:{item_id}", details)
    )


@router.get("/review", response_class=HTMLResponse)
def review_queue(request: Request) -> Response:
    signed = signed_in(request)
    if not isinstance(signed, StaffSession):
        return signed
    review = request.app.state.services.review
    items = review.items(ReviewStatus.PENDING) + review.items(ReviewStatus.CLAIMED)
    html = environment("en").get_template("console/review_queue.html").render(
        session=signed, items=items
    )
    return HTMLResponse(html, headers=SECURITY_HEADERS)


@router.get("/review/{item_id}", response_class=HTMLResponse)
def review_item(request: Request, item_id: int, error: str = "") -> Response:
    signed = signed_in(request)
    if not isinstance(signed, StaffSession):
        return signed
    review = request.app.state.services.review
    try:
        item = review.get(item_id)
    except HashwardenError:
        return HTMLResponse("no such review item", status_code=404, headers=SECURITY_HEADERS)
    _record(request, signed, "review.view", item_id)
    counts = review.decision_counts(item.hit.entry_id)
    html = environment("en").get_template("console/review_item.html").render(
        session=signed, item=item, counts=counts, error=error
    )
    return HTMLResponse(html, headers=SECURITY_HEADERS)


@router.post("/review/{item_id}/decide")
async def decide(request: Request, item_id: int) -> Response:
    posted = await signed_form(request)
    if not isinstance(posted, tuple):
        return posted
    signed, data = posted
    review = request.app.state.services.review
    actor = f"staff:{signed.user.username}"
    decision, reason = data.get("decision", ""), data.get("reason", "")
    try:
        current = await run_in_threadpool(review.get, item_id)
        if current.claimed_by != actor:
            await run_in_threadpool(review.claim, item_id, actor)
        await run_in_threadpool(review.decide, item_id, actor, decision, reason)
    except HashwardenError as exc:
        return review_item(request, item_id, error=str(exc))
    _record(request, signed, "review.decide", item_id, decision=decision)
    return RedirectResponse("/console/review", status_code=303)
