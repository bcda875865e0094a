"""``hashwarden hotline ...``: the hotline's scheduled work (run it from cron or a timer)."""

from __future__ import annotations

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
