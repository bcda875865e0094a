"""``hashwarden hotline ...``: the hotline's scheduled work (run it from cron or a timer)."""

from __future__ import annotations

from typing import Annotated

import typer

from hashwarden.cli.output import console, emit
from hashwarden.cli.runtime import Runtime

hotline_app = typer.Typer(help="Hotline tasks.", no_args_is_help=True)


@hotline_app.command("recheck")
def recheck() -> None:
    """Re-check every reported address whose host was notified, until the material is gone.

    Prints one JSON line per report; the first check that finds an address gone records the
    removal time (and so the time to removal).
    """
    from hashwarden.hotline.fetching import FetchPolicy, SafeFetcher
    from hashwarden.hotline.takedown import TakedownService
    from hashwarden.storage.item_store import SqlItemStore
    from hashwarden.storage.report_store import SqlReportStore
    from hashwarden.storage.takedown_store import SqlTakedownStore

    runtime = Runtime()
    engine = runtime.engine
    service = TakedownService(
        SqlTakedownStore(engine), SqlReportStore(engine, migrate=False),
        SqlItemStore(engine, migrate=False), SafeFetcher(FetchPolicy()),
    )  # fmt: skip
    results = service.recheck_due()
    for reference, removed in results.items():
        emit({"reference": reference, "removed": removed})
    gone = sum(results.values())
    console.print(f"{len(results)} address(es) checked, {gone} found removed")


@hotline_app.command("purge")
def purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list what is due; erase nothing.")
    ] = False,
) -> None:
    """Run the retention clocks: erase what is due of every closed report not under a hold.

    Contact details go ``HASHWARDEN_RETENTION_CONTACT_DAYS`` after closure, the rest of the
    report ``HASHWARDEN_RETENTION_REPORT_DAYS`` after it (a tombstone stays for statistics).
    Prints one JSON line per report due, then one with the counts; audit-logs the run.
    """
    from hashwarden.api.settings import ApiSettings
    from hashwarden.hotline.retention import Category, RetentionService
    from hashwarden.storage.retention_store import SqlRetentionStore

    policy = ApiSettings.from_env().retention
    runtime = Runtime()
    service = RetentionService(SqlRetentionStore(runtime.engine), policy, runtime.audit.record)
    summary = service.purge(actor=runtime.actor, dry_run=dry_run)
    for due, erased in summary.outcomes:
        emit({"reference": due.reference, "category": due.category.value,
              "closed_at": due.closed_at.isoformat(), "held": due.held,
              "erased": erased})  # fmt: skip
    emit(summary.details())
    contacts, reports = summary.count(Category.CONTACT), summary.count(Category.REPORT)
    verb = "would be" if dry_run else "were"
    console.print(f"{contacts} contact(s) and {reports} report(s) {verb} erased; "
                  f"{summary.held} kept under a legal hold")  # fmt: skip
