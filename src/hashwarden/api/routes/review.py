"""The review queue (reviewers): list items, claim one, decide it; per-entry decision counts.

Reviewers see what matched (list, entry, category, distance, variant) but not the listed value
nor the queried hash, which for exact types is the same thing. Every read, claim and decision
is written to the audit log before the response is sent.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query

from hashwarden.accounts.models import Permission, Principal
from hashwarden.api.auth import require, services
from hashwarden.api.schemas import DecisionIn, DisputedEntryOut, ReviewItemOut, ReviewItemsOut
from hashwarden.api.services import ApiServices
from hashwarden.audit.models import AuditRecord
from hashwarden.review.models import ReviewItem, ReviewStatus

router = APIRouter(prefix="/v1", tags=["review"])

#: Keeps ids within a 64-bit column on every backend.
_ItemId = Path(ge=1, le=2**63 - 1)


def _out(caller: Principal, item: ReviewItem) -> ReviewItemOut:
    return ReviewItemOut.of(item, reveal_value=caller.can(Permission.LISTS_READ))


def _log(
    api: ApiServices, caller: Principal, action: str, item: ReviewItem, **extra: object
) -> None:
    details = {"list": item.hit.list_name, "entry_id": item.hit.entry_id, **extra}
    api.log(AuditRecord(caller.actor, action, f"review:{item.id}", details))


@router.get("/review/items", response_model=ReviewItemsOut)
def review_items(
    status: ReviewStatus = Query(
        default=ReviewStatus.PENDING, description="pending includes claims that ran out."
    ),
    after_id: int = Query(default=0, ge=0, le=2**63 - 1),
    limit: int = Query(default=100, ge=1, le=1000),
    caller: Principal = Depends(require(Permission.REVIEW)),
    api: ApiServices = Depends(services),
) -> ReviewItemsOut:
    """Items in queue order (oldest first); pass ``next_after_id`` back for the next page."""
    found = api.review.items(status, after_id, limit)
    api.log(
        AuditRecord(
            caller.actor,
            "review.items",
            "",
            {"status": str(status), "after_id": after_id, "count": len(found)},
        )
    )
    return ReviewItemsOut(
        items=[_out(caller, item) for item in found],
        next_after_id=found[-1].id if len(found) == limit else None,
    )


@router.get("/review/items/{item_id}", response_model=ReviewItemOut)
def review_item(
    item_id: int = _ItemId,
    caller: Principal = Depends(require(Permission.REVIEW)),
    api: ApiServices = Depends(services),
) -> ReviewItemOut:
    item = api.review.get(item_id)
    _log(api, caller, "review.read", item)
    return _out(caller, item)


@router.post("/review/items/{item_id}/claim", response_model=ReviewItemOut)
def claim(
    item_id: int = _ItemId,
    caller: Principal = Depends(require(Permission.REVIEW)),
    api: ApiServices = Depends(services),
) -> ReviewItemOut:
    """Take the item for ``HASHWARDEN_REVIEW_CLAIM_SECONDS``; 409 when someone else holds it."""
    item = api.review.claim(item_id, caller.actor)
    expires = item.claim_expires_at.isoformat() if item.claim_expires_at else None
    _log(api, caller, "review.claim", item, expires_at=expires)
    return _out(caller, item)


@router.post("/review/items/{item_id}/decision", response_model=ReviewItemOut)
def decide(
    body: DecisionIn,
    item_id: int = _ItemId,
    caller: Principal = Depends(require(Permission.REVIEW)),
    api: ApiServices = Depends(services),
) -> ReviewItemOut:
    """Decide a claimed item: ``confirmed``, ``false_positive`` or ``escalated`` (these two
    need a reason). Only the reviewer holding the claim may decide."""
    item = api.review.decide(item_id, caller.actor, body.decision, body.reason)
    _log(api, caller, "review.decide", item, decision=body.decision, reason=item.reason or "")
    return _out(caller, item)


@router.get("/lists/{name}/reviews", response_model=list[DisputedEntryOut])
def disputed_entries(
    name: str,
    limit: int = Query(default=100, ge=1, le=1000),
    caller: Principal = Depends(require(Permission.LISTS_READ)),
    api: ApiServices = Depends(services),
) -> list[DisputedEntryOut]:
    """The list's reviewed entries, most false positives first: the entries to fix first."""
    found = api.review.most_disputed(name, limit)
    api.log(AuditRecord(caller.actor, "lists.reviews", f"list:{name}", {"count": len(found)}))
    return [
        DisputedEntryOut(entry_id=entry_id, reviews=counts.as_json()) for entry_id, counts in found
    ]
