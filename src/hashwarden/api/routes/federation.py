"""Signed list distribution: the signed feed subscribers pull, and the publisher's public keys."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from hashwarden.accounts.models import Permission, Principal, Role
from hashwarden.api.auth import require, services
from hashwarden.api.problems import ProblemError
from hashwarden.api.services import ApiServices
from hashwarden.audit.models import AuditRecord
from hashwarden.federation.errors import NoSigningKeyError, SigningKeyError
from hashwarden.federation.feedback import MAX_ENTRIES, FeedbackTotal
from hashwarden.federation.publisher import DEFAULT_LIMIT, MAX_LIMIT
from hashwarden.storage.instance import instance_id

router = APIRouter(prefix="/v1", tags=["federation"])
NDJSON = "application/x-ndjson"


def check_grant(caller: Principal, name: str) -> None:
    if caller.role is Role.SUBSCRIBER and name not in caller.granted_lists:
        raise ProblemError(403, f"this token is not granted list {name!r}")


@router.get(
    "/lists/{name}/feed",
    response_class=Response,
    responses={200: {"content": {NDJSON: {}}, "description": "A signed feed page."}},
)
def feed(
    request: Request,
    name: str,
    since: int = Query(default=0, ge=0, description="Changes after this sequence (0: all)."),
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    caller: Principal = Depends(require(Permission.CHANGES_READ)),
    api: ApiServices = Depends(services),
) -> Response:
    """The list's changes after ``since`` as a signed page (JSON Lines; subscribers: granted
    lists only). Line 1 is the signed manifest; see ``hashwarden.federation.envelope``."""
    check_grant(caller, name)
    try:
        page = api.publisher.page(name, since, limit)
    except NoSigningKeyError as exc:
        # The instance is not set up to publish: a state to fix, not a server failure.
        raise ProblemError(409, str(exc)) from exc
    except SigningKeyError as exc:  # a key that cannot be opened: the operator must act
        raise ProblemError(503, str(exc)) from exc
    api.log(
        AuditRecord(
            caller.actor, "lists.feed", f"list:{name}",
            {"since": since, "until": page.until, "count": page.count},
        )
    )  # fmt: skip
    # The page is complete in memory (its manifest signs the body's digest): one body, not a
    # chunk per line through the thread pool.
    body = b"".join(page.lines())
    if _accepts_gzip(request.headers.get("accept-encoding", "")):
        # Transport only: the signature covers the decoded body, so a cache or proxy that
        # re-encodes the page cannot break verification.
        return Response(
            _gzip(body),
            media_type=NDJSON,
            headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
        )
    return Response(body, media_type=NDJSON, headers={"Vary": "Accept-Encoding"})


def _accepts_gzip(accept_encoding: str) -> bool:
    for part in accept_encoding.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _gzip(body: bytes) -> bytes:
    # Level 1: hex digests barely compress further at higher levels (0.31 of the size at 1,
    # 0.28 at 6) and level 1 runs twice as fast, which matters on a publisher serving 1M entries.
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    return compressor.compress(body) + compressor.flush()


@router.get("/keys")
def keys(api: ApiServices = Depends(services)) -> dict[str, Any]:
    """This instance's public signing keys (public information: subscribers pin one of them)."""
    return {
        "publisher": instance_id(api.engine),
        "algorithm": "ed25519",
        "keys": [
            {
                "key_id": key.key_id,
                "public_key": key.public_key,
                "created_at": key.created_at.isoformat(),
                "retired_at": key.retired_at.isoformat() if key.retired_at else None,
                "current": key.is_current,
                # The key it replaced and that key's signature handing over (None: first key).
                "endorsed_by": key.endorsed_by or None,
                "endorsement": key.endorsement or None,
            }
            for key in api.keys.public_keys()
        ],
    }


class VerdictCountsIn(BaseModel):
    entry_id: int = Field(ge=1, description="The publisher's entry id (as the feed gave it).")
    confirmed: int = Field(default=0, ge=0, le=2**31 - 1)
    false_positive: int = Field(default=0, ge=0, le=2**31 - 1)


class FeedbackIn(BaseModel):
    entries: list[VerdictCountsIn] = Field(max_length=MAX_ENTRIES)


@router.post("/lists/{name}/feedback")
def feedback(
    name: str,
    body: FeedbackIn,
    caller: Principal = Depends(require(Permission.CHANGES_READ)),
    api: ApiServices = Depends(services),
) -> dict[str, int]:
    """A subscriber's review verdict totals on entries of a list it follows; each replaces what
    the same token sent for the entry before. Curators see them with the entry."""
    check_grant(caller, name)
    api.lists.get_list(name)  # 404 for an unknown list
    totals = [FeedbackTotal(e.entry_id, e.confirmed, e.false_positive) for e in body.entries]
    recorded = api.feedback.record(name, caller.name, totals, datetime.now(UTC))
    api.log(AuditRecord(caller.actor, "lists.feedback", f"list:{name}", {"entries": recorded}))
    return {"recorded": recorded}
