"""``hashwarden case retain|hold|release|delete|purge``: keeping case data no longer than needed."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from hashwarden.cli.case_cmd import Name, audit_case, case_app, case_service
from hashwarden.cli.output import emit
from hashwarden.cli.runtime import Runtime
from hashwarden.config import hashwarden_home

if TYPE_CHECKING:
    from hashwarden.cases.retention import CaseRetentionService


def _retention(runtime: Runtime, *, deleting: bool = False) -> CaseRetentionService:
    from hashwarden.cases.retention import CaseRetentionService
    from hashwarden.storage.case_retention_store import SqlCaseRetentionStore

    # Only deleting touches the copies: a missing media key must never stand in a hold's way.
    return CaseRetentionService(
        SqlCaseRetentionStore(runtime.engine), hashwarden_home() / "cases",
        media=runtime.case_media if deleting else None,
    )


@case_app.command("retain")
def retain(
    name: Name,
    until: Annotated[
        str, typer.Option(help="Keep the case until this day (YYYY-MM-DD); 'forever' clears it.")
    ],
) -> None:
    """Set the day after which the case may be deleted by ``case purge``."""
    runtime = Runtime()
    case = case_service(runtime).get(name)
    try:
        day = None if until == "forever" else date.fromisoformat(until)
    except ValueError:
        raise typer.BadParameter("YYYY-MM-DD or 'forever'", param_hint="--until") from None
    retention = _retention(runtime).retain_until(case, day)
    audit_case(runtime, "cases.retain", name, until=until)
    emit({"case": name, **retention.as_json()})


@case_app.command("hold")
def hold(
    name: Name,
    reason: Annotated[str, typer.Option(help="Why, e.g. the court order's reference.")],
) -> None:
    """Put the case on legal hold: nothing deletes it until the hold is released."""
    runtime = Runtime()
    case = case_service(runtime).get(name)
    retention = _retention(runtime).hold(case, reason, runtime.actor)
    audit_case(runtime, "cases.hold", name, reason=reason)
    emit({"case": name, **retention.as_json()})


@case_app.command("release")
def release(name: Name) -> None:
    """Lift the case's legal hold."""
    runtime = Runtime()
    case = case_service(runtime).get(name)
    retention = _retention(runtime).release(case)
    audit_case(runtime, "cases.release", name)
    emit({"case": name, **retention.as_json()})


@case_app.command("delete")
def delete_case(
    name: Name,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: it cannot be restored.")] = False,
) -> None:
    """Delete the case's data (items, EXIF, features, series, journal, encrypted copies);
    the seized media stay put."""
    if not yes:
        raise typer.BadParameter("add --yes: a deleted case cannot be restored", param_hint="--yes")
    runtime = Runtime()
    case = case_service(runtime).get(name)
    _retention(runtime, deleting=True).delete(case)
    audit_case(runtime, "cases.delete", name)
    emit({"case": name, "deleted": True})


@case_app.command("purge")
def purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would go.")] = False,
) -> None:
    """Delete every case past its retention day, except those on legal hold."""
    runtime = Runtime()
    cases = case_service(runtime).cases()
    service = _retention(runtime, deleting=not dry_run)
    deleted = held = 0
    for case, retention in service.due(cases):
        if retention.held:
            held += 1
            emit({"case": case.name, "action": "kept: legal hold", **retention.as_json()})
            continue
        if not dry_run:
            service.delete(case)
        deleted += 1
        emit({"case": case.name, "action": "would delete" if dry_run else "deleted"})
    audit_case(runtime, "cases.purge", "*", deleted=deleted, held=held, dry_run=dry_run)
    emit({"deleted": deleted, "held": held, "dry_run": dry_run})
