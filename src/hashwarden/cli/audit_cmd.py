"""``hashwarden audit ...``: read the audit log and check its hash chain."""

from __future__ import annotations

from typing import Annotated

import typer

from hashwarden.cli.output import console, emit, error
from hashwarden.cli.runtime import Runtime

audit_app = typer.Typer(help="Read and verify the audit log.", no_args_is_help=True)


@audit_app.command("ls")
def list_events(
    after: Annotated[int, typer.Option(help="Show events after this id.", min=0)] = 0,
    limit: Annotated[int, typer.Option(help="At most this many events (0: all).", min=0)] = 1000,
    actor: Annotated[
        str | None, typer.Option(help="Only this actor's events, e.g. cli:ana or token:7:name.")
    ] = None,
) -> None:
    """Print events in id order as JSON Lines."""
    shown = 0
    last_id = after
    for event in Runtime().audit.events(after, limit or None, actor=actor):
        emit(
            {
                "id": event.id,
                "at": event.at.isoformat(),
                "actor": event.actor,
                "action": event.action,
                "object": event.object,
                "details": event.details,
                "prev_digest": event.prev_digest,
                "digest": event.digest,
            }
        )
        shown += 1
        last_id = event.id
    if limit and shown == limit:
        console.print(f"showed {shown} events; there may be more: --after {last_id}")


@audit_app.command("verify")
def verify() -> None:
    """Check the whole chain; exit 1 naming the first event that was altered, removed or moved."""
    result = Runtime().audit.verify()
    if result.ok:
        emit(
            {
                "intact": True,
                "events": result.checked,
                "last_id": result.last_id,
                "head_digest": result.head_digest,
            }
        )
        console.print(f"audit log intact: {result.checked} events, last id {result.last_id}")
        return
    emit(
        {
            "intact": False,
            "events_before": result.checked,
            "broken_id": result.broken_id,
            "reason": result.reason,
        }
    )
    error(f"audit log broken at event {result.broken_id}: {result.reason}")
    raise typer.Exit(1)
