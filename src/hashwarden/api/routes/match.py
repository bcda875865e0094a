"""``POST /v1/match`` (signals) and ``POST /v1/match/media`` (an upload hashed in memory)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from hashwarden.accounts.models import Permission, Principal
from hashwarden.api.auth import require, services
from hashwarden.api.hit_actions import ActionTaken
from hashwarden.api.problems import ProblemError
from hashwarden.api.schemas import (
    MatchRequest,
    MatchResponse,
    MediaMatchResponse,
    MediaSignalsOut,
    PdqOut,
    VideoFrameOut,
)
from hashwarden.api.services import ApiServices
from hashwarden.api.uploads import UploadLimits, read_upload
from hashwarden.audit.models import AuditRecord
from hashwarden.config import video_limits
from hashwarden.core.matching.models import MatchOutcome
from hashwarden.core.media.hashing import hash_media
from hashwarden.core.media.limits import DecodeLimits
from hashwarden.core.media.models import MediaHashes, PdqResult
from hashwarden.core.video.options import VideoOptions
from hashwarden.review.models import MatchAction

router = APIRouter(prefix="/v1", tags=["match"])


def _reveal(caller: Principal) -> bool:
    """Only roles that may read lists see the listed values of their hits."""
    return caller.can(Permission.LISTS_READ)


def _check_lists(api: ApiServices, lists: Sequence[str] | None) -> None:
    if lists is None:
        return
    unknown = sorted(set(lists) - api.matcher.list_names())
    if unknown:
        raise ProblemError(404, f"unknown list(s): {', '.join(unknown)}")


def _audit(
    api: ApiServices,
    caller: Principal,
    outcome: MatchOutcome,
    taken: ActionTaken,
    signals: int,
    **details: object,
) -> None:
    if not outcome.hits and not outcome.allowed:
        api.audit.record_miss(caller.actor, signals)
        return
    hit_lists = sorted({hit.list_name for hit in outcome.hits})
    for name in hit_lists:
        api.metrics.hits.labels(name).inc()
    details["signals"] = signals
    if taken.action is not MatchAction.NONE:
        details["action"] = str(taken.action)
    if taken.review_ids:
        details["review_ids"] = taken.review_ids
    if taken.webhooks:
        details["webhooks"] = taken.webhooks
    api.audit.record(
        AuditRecord(
            at=datetime.now(UTC),
            actor=caller.actor,
            action="match",
            details={**details, "hits": len(outcome.hits), "lists_hit": hit_lists},
        )
    )


@router.post("/match", response_model=MatchResponse, response_model_exclude_none=True)
async def match_signals(
    body: MatchRequest,
    caller: Principal = Depends(require(Permission.MATCH)),
    api: ApiServices = Depends(services),
) -> MatchResponse:
    """Match hashes the caller computed against every block list (allow lists suppress).

    Well-formed requests from cached tokens usually take the fast path (``fast_match``), which
    calls ``answer_match`` too; this route answers the rest and documents the operation.
    """
    return await answer_match(api, caller, body)


async def answer_match(api: ApiServices, caller: Principal, body: MatchRequest) -> MatchResponse:
    """The whole of ``POST /v1/match`` after authentication and parsing.

    Runs on the event loop, not in a thread (a hop to the pool and back costs more than a
    lookup under load); concurrent requests share one index pass (``MatchBatcher``).
    """
    total = sum(len(values) for values in body.signals.values())
    if total == 0:
        raise ProblemError(422, "no signal values given")
    if total > api.settings.max_signals_per_request:
        raise ProblemError(
            413, f"{total} signal values; at most {api.settings.max_signals_per_request} a request"
        )
    _check_lists(api, body.lists)
    parsed = api.matcher.parse_signals(body.signals)
    outcome = await api.batcher.match(parsed, body.lists)
    taken = await api.actions.on_match(caller.actor, outcome, body.reference or "")
    _audit(api, caller, outcome, taken, signals=total)
    return _response(caller, outcome, taken)


def _response(caller: Principal, outcome: MatchOutcome, taken: ActionTaken) -> MatchResponse:
    reveal = _reveal(caller)
    return MatchResponse.of(
        outcome,
        reveal_values=reveal,
        action=taken.action,
        review_ids=taken.review_ids if reveal and taken.review_ids else None,
    )


def _pdq(result: PdqResult | None) -> PdqOut | None:
    return None if result is None else PdqOut(hash=result.hex, quality=result.quality)


def _signals_out(hashes: MediaHashes) -> MediaSignalsOut:
    return MediaSignalsOut(
        media_type=hashes.media_type,
        size=hashes.size,
        md5=hashes.md5,
        sha1=hashes.sha1,
        sha256=hashes.sha256,
        pdq=_pdq(hashes.pdq),
        pdq_exif=_pdq(hashes.pdq_exif),
        vpdq=(
            [
                VideoFrameOut(
                    frame=f.frame, quality=f.quality, hash=f.hash, timestamp=round(f.timestamp, 3)
                )
                for f in hashes.vpdq.frames
            ]
            if hashes.vpdq is not None
            else None
        ),
    )


@router.post(
    "/match/media",
    response_model=MediaMatchResponse,
    response_model_exclude_none=True,
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            },
            "required": True,
        }
    },
)
async def match_media(
    request: Request,
    lists: list[str] | None = Query(default=None, description="Only these block lists."),
    reference: str = Query(
        default="", max_length=200, description="Your own id for the upload (see /v1/match)."
    ),
    caller: Principal = Depends(require(Permission.MATCH)),
    api: ApiServices = Depends(services),
) -> MediaMatchResponse:
    """Hash an uploaded file and match it; returns signals and hits.

    The file is held in memory and never stored; only a video larger than the in-memory limit
    goes to a private temporary file, deleted as soon as it is hashed.
    """
    settings = api.settings
    upload = await read_upload(
        request,
        UploadLimits(
            settings.max_upload_bytes, settings.max_video_upload_bytes, settings.upload_spool_dir
        ),
    )
    try:
        _check_lists(api, lists)
        limits = DecodeLimits(max_file_bytes=settings.max_upload_bytes)
        video = VideoOptions(
            limits=replace(video_limits(), max_file_bytes=settings.max_video_upload_bytes)
        )
        hashes = await run_in_threadpool(
            hash_media, upload.source(), name=upload.name, limits=limits, require_image=False,
            video=video, robust=settings.robust,
        )  # fmt: skip
    finally:
        upload.discard()
    outcome = await run_in_threadpool(api.matcher.match_media, hashes, lists)
    taken = await api.actions.on_match(caller.actor, outcome, reference)
    _audit(api, caller, outcome, taken, 1, media_type=hashes.media_type, bytes=hashes.size)
    response = _response(caller, outcome, taken)
    return MediaMatchResponse(**response.model_dump(), signals=_signals_out(hashes))


