"""What hits on a list do (block, review, webhook), and the webhook delivery log (curators)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from hashwarden.accounts.models import Permission, Principal
from hashwarden.api.auth import require, services
from hashwarden.api.schemas import (
    DeliveriesOut,
    ListActionsIn,
    ListActionsOut,
    WebhookDeliveryOut,
)
from hashwarden.api.services import ApiServices
from hashwarden.audit.models import AuditRecord

router = APIRouter(prefix="/v1", tags=["actions"])


@router.get("/lists/{name}/actions", response_model=ListActionsOut)
def get_actions(
    name: str,
    caller: Principal = Depends(require(Permission.LISTS_READ)),
    api: ApiServices = Depends(services),
) -> ListActionsOut:
    """The list's hit actions and webhook URL (the secret is never shown)."""
    found = api.review.actions(name)
    api.log(AuditRecord(caller.actor, "lists.actions.read", f"list:{name}"))
    return ListActionsOut.of(found)


@router.put("/lists/{name}/actions", response_model=ListActionsOut)
def set_actions(
    name: str,
    body: ListActionsIn,
    caller: Principal = Depends(require(Permission.LISTS_WRITE)),
    api: ApiServices = Depends(services),
) -> ListActionsOut:
    """Replace the list's hit actions. ``webhook`` needs a URL and a secret (omit the secret to
    keep the stored one); dropping ``webhook`` drops both."""
    updated = api.review.set_actions(
        name,
        body.actions,
        webhook_url=body.webhook_url,
        webhook_secret=body.webhook_secret,
        actor=caller.actor,
    )
    api.actions.changed(updated)
    details: dict[str, object] = {"actions": sorted(a.value for a in updated.actions)}
    if updated.webhook_url:
        details["webhook_url"] = updated.webhook_url
        details["secret_changed"] = body.webhook_secret is not None
    api.log(AuditRecord(caller.actor, "lists.actions.update", f"list:{name}", details))
    return ListActionsOut.of(updated)


@router.get("/webhooks/deliveries", response_model=DeliveriesOut)
def deliveries(
    list_name: str | None = Query(default=None, alias="list", description="Only this list."),
    after_id: int = Query(default=0, ge=0, le=2**63 - 1),
    limit: int = Query(default=100, ge=1, le=1000),
    caller: Principal = Depends(require(Permission.LISTS_READ)),
    api: ApiServices = Depends(services),
) -> DeliveriesOut:
    """Webhook deliveries in id order, each with every attempt (time, status, error)."""
    found = api.review.deliveries(list_name, after_id, limit)
    api.log(
        AuditRecord(
            caller.actor,
            "webhooks.deliveries.read",
            f"list:{list_name}" if list_name else "",
            {"count": len(found), "after_id": after_id},
        )
    )
    return DeliveriesOut(
        deliveries=[WebhookDeliveryOut.of(delivery) for delivery in found],
        next_after_id=found[-1].id if len(found) == limit else None,
    )
