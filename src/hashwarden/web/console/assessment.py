"""Console pages for triage and assessment: fetch a reported address, review unknown items.

Known items are never displayed. Unknown ones open blurred and grey; each further step is the
analyst's choice and counts against their daily exposure limit; the decision deletes the media.
A video is shown as a strip of still frames, all at the page's step: never played.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from hashwarden.accounts.staff_models import StaffSession
from hashwarden.core.errors import HashwardenError, MediaError
from hashwarden.core.lists.models import ListKind
from hashwarden.hotline.items import Item, ItemState
from hashwarden.hotline.schemes import load_schemes
from hashwarden.web.console.previews import LAST_STEP, preview, preview_image
from hashwarden.web.console.routes import audit, signed_form, signed_in
from hashwarden.web.console.stills import CACHE, Still
from hashwarden.web.templating import SECURITY_HEADERS, environment

router = APIRouter(prefix="/console", include_in_schema=False)


def _api(request: Request) -> Any:
    return request.app.state.services


@router.post("/reports/{reference}/triage")
async def triage(request: Request, reference: str) -> Response:
    posted = await signed_form(request)
    if not isinstance(posted, tuple):
        return posted
    signed, _ = posted
    try:
        summary = await run_in_threadpool(_api(request).triage.triage, reference)
    except HashwardenError as exc:
        return RedirectResponse(
            f"/console/reports/{reference}?error=Triage+failed:+{type(exc).__name__}",
            status_code=303,
        )
    audit(request, signed, "reports.triage", reference, fetched=summary.fetched,
           known=summary.known, unknown=summary.unknown, failed=len(summary.failed))  # fmt: skip
    return RedirectResponse(f"/console/reports/{reference}", status_code=303)


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, item_id: int, step: int = 0) -> Response:
    signed = signed_in(request)
    if not isinstance(signed, StaffSession):
        return signed
    api = _api(request)
    item = api.items.item(item_id)
    if item is None or item.state is ItemState.KNOWN:
        # Known material is never shown, not even by guessing its id.
        return HTMLResponse("no such item", status_code=404, headers=SECURITY_HEADERS)
    who = signed.user.username
    step = max(0, min(step, LAST_STEP))
    limited = step > 0 and api.exposure.over_limit(who)
    if limited:
        step = 0
    if step > 0 and item.state is ItemState.UNKNOWN:
        api.exposure.reveal(who, item_id)
    audit(request, signed, "items.view", item.reference, item=item_id, step=step)
    lists = [h.name for h in api.lists.lists() if h.kind is ListKind.BLOCK]
    stills: list[str] = []
    stills_error = ""
    if _is_video(item) and item.state is ItemState.UNKNOWN:
        try:
            stills = [_clock(still.timestamp) for still in _stills(api, item) or ()]
        except MediaError as exc:
            stills_error = exc.reason
    html = environment("en").get_template("console/item.html").render(
        session=signed, item=item, step=step, last_step=LAST_STEP, limited=limited,
        schemes=load_schemes(), lists=lists, exposure=api.exposure.today(who),
        limit=api.exposure.limit, stills=stills, stills_error=stills_error,
    )  # fmt: skip
    return HTMLResponse(html, headers=SECURITY_HEADERS)


@router.get("/items/{item_id}/preview")
def item_preview(request: Request, item_id: int, step: int = 0) -> Response:
    signed = signed_in(request)
    if not isinstance(signed, StaffSession):
        return signed
    api = _api(request)
    item = api.items.item(item_id)
    content = api.items.content(item_id) if item and item.state is ItemState.UNKNOWN else None
    if content is None:
        return Response(status_code=404)
    if step > 0 and api.exposure.over_limit(signed.user.username):
        step = 0
    try:
        image = preview(content, step)
    except (OSError, ValueError):
        return Response(status_code=415)
    return Response(image, media_type="image/jpeg", headers=SECURITY_HEADERS)


@router.get("/items/{item_id}/stills/{index}")
def item_still(request: Request, item_id: int, index: int, step: int = 0) -> Response:
    """One still of a video item, at ``step``: the same reveal and limit as image previews."""
    signed = signed_in(request)
    if not isinstance(signed, StaffSession):
        return signed
    api = _api(request)
    item = api.items.item(item_id)
    if item is None or item.state is not ItemState.UNKNOWN or not _is_video(item):
        return Response(status_code=404)
    if step > 0 and api.exposure.over_limit(signed.user.username):
        step = 0
    try:
        stills = _stills(api, item)
    except MediaError:
        return Response(status_code=415)
    if stills is None or not 0 <= index < len(stills):
        return Response(status_code=404)
    image = preview_image(stills[index].image, step)
    return Response(image, media_type="image/jpeg", headers=SECURITY_HEADERS)


def _is_video(item: Item) -> bool:
    return item.media_type == "video"


def _stills(api: Any, item: Item) -> tuple[Still, ...] | None:
    """The item's stills (None once its media is gone); the bytes are read only on a miss."""
    if not item.has_content:
        return None
    return CACHE.stills(_still_key(item), lambda: api.items.content(item.id),
                        name=f"item {item.id}")  # fmt: skip


def _still_key(item: Item) -> str:
    # By content, not id: ids restart with each database, equal bytes give equal stills.
    return str(item.signals.get("sha256") or f"item-{item.id}")


def _clock(seconds: float) -> str:
    # Tenths: stills of a short video are less than a second apart.
    minutes, rest = divmod(round(seconds, 1), 60)
    return f"{int(minutes)}:{rest:04.1f}"


@router.post("/items/{item_id}/assess")
async def assess(request: Request, item_id: int) -> Response:
    posted = await signed_form(request)
    if not isinstance(posted, tuple):
        return posted
    signed, data = posted
    api = _api(request)
    item = api.items.item(item_id)
    scheme = load_schemes().get(data.get("scheme", ""))
    if item is None or scheme is None:
        return HTMLResponse("unknown item or scheme", status_code=404)
    who = signed.user.username
    answers = {q.name: data.get(f"{scheme.name}.{q.name}", "") for q in scheme.questions}
    try:
        done = await run_in_threadpool(
            api.assessment.assess, item_id, scheme, answers, by=f"staff:{who}",
            list_name=data.get("list", ""), exposure_seconds=api.exposure.close(who, item_id),
        )  # fmt: skip
    except (HashwardenError, ValueError) as exc:
        return RedirectResponse(f"/console/items/{item_id}?error={type(exc).__name__}", 303)
    if _is_video(item):
        # The media is deleted with the decision; its stills go too.
        CACHE.forget(_still_key(item))
    audit(request, signed, "items.assess", item.reference, item=item_id,
           classification=done.classification)  # fmt: skip
    return RedirectResponse(f"/console/reports/{item.reference}", status_code=303)
