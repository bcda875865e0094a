"""``hashwarden hotline purge``: the real command runs the retention clocks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from cli_helpers import Cli

from hashwarden.audit.services import AuditLog
from hashwarden.hotline.models import ReportForm, ReportKind, ReportStatus
from hashwarden.hotline.retention import RetentionPolicy, RetentionService
from hashwarden.hotline.services import CaseworkService, ReportService
from hashwarden.storage.audit_store import SqlAuditStore
from hashwarden.storage.database import create_engine
from hashwarden.storage.report_store import SqlReportStore
from hashwarden.storage.retention_store import SqlRetentionStore

NOW = datetime.now(UTC)


def _days_ago(days: int) -> Callable[[], datetime]:
    return lambda: NOW - timedelta(days=days)


def _reports(database_url: str) -> dict[str, str]:
    """Reports closed 40 and 400 days ago, one of those under a hold, and one still open."""
    engine = create_engine(database_url)
    try:
        store = SqlReportStore(engine)
        made: dict[str, str] = {}
        for name, days, status in (("month", 40, ReportStatus.CLOSED),
                                   ("year", 400, ReportStatus.NOT_ILLEGAL),
                                   ("held", 400, ReportStatus.TAKEN_DOWN),
                                   ("open", 400, ReportStatus.IN_ASSESSMENT)):  # fmt: skip
            form = ReportForm(ReportKind.CSAM, url="https://h.test/", contact_email="a@mail.test")
            reference = ReportService(store).submit(form, follow_up=False).reference
            CaseworkService(store, _days_ago(days)).set_status(reference, status)
            made[name] = reference
        retention = RetentionService(SqlRetentionStore(engine), RetentionPolicy(),
                                     AuditLog(SqlAuditStore(engine)).record)  # fmt: skip
        retention.place_hold(made["held"], "police request 2026/123", "sam")
        return made
    finally:
        engine.dispose()


def test_purge_dry_run_then_for_real(cli: Cli, database_url: str) -> None:
    made = _reports(database_url)
    dry = cli("hotline", "purge", "--dry-run").records()
    assert {(r["reference"], r["category"], r["held"], r["erased"]) for r in dry[:-1]} == {
        (made["month"], "contact", False, False),
        (made["year"], "report", False, False),
        (made["held"], "report", True, False),
    }
    assert dry[-1] == {"dry_run": True, "contacts_erased": 1, "reports_deleted": 1, "held": 1}

    done = cli("hotline", "purge")
    assert done.records()[-1] == {
        "dry_run": False, "contacts_erased": 1, "reports_deleted": 1, "held": 1,
    }  # fmt: skip
    assert "1 contact(s) and 1 report(s) were erased; 1 kept under a legal hold" in done.stderr
    assert {r["reference"] for r in done.records() if r.get("erased")} == {
        made["month"], made["year"]}  # fmt: skip

    again = cli("hotline", "purge").records()
    assert again[-1]["contacts_erased"] == 0 and again[-1]["reports_deleted"] == 0

    engine = create_engine(database_url)
    try:
        store = SqlReportStore(engine, migrate=False)
        month, year = store.get(made["month"]), store.get(made["year"])
        held, still_open = store.get(made["held"]), store.get(made["open"])
        events = [e for e in AuditLog(SqlAuditStore(engine)).events()
                  if e.action == "hotline.purge"]  # fmt: skip
    finally:
        engine.dispose()
    assert month is not None and month.contact_erased_at and month.form.url
    assert year is not None and year.deleted_at and not year.form.url
    assert held is not None and held.deleted_at is None and held.form.contact_email
    assert still_open is not None and still_open.form.contact_email
    assert len(events) == 3 and all(e.actor.startswith("cli:") for e in events)
    assert all(made["year"] not in str(e.details) for e in events)


def test_purge_follows_the_configured_clocks(cli: Cli, database_url: str) -> None:
    made = _reports(database_url)
    cli.env["HASHWARDEN_RETENTION_CONTACT_DAYS"] = "60"
    cli.env["HASHWARDEN_RETENTION_REPORT_DAYS"] = "500"
    records = cli("hotline", "purge", "--dry-run").records()
    assert records[-1] == {"dry_run": True, "contacts_erased": 1, "reports_deleted": 0, "held": 1}
    assert {r["reference"] for r in records[:-1]} == {made["year"], made["held"]}
    cli.env["HASHWARDEN_RETENTION_REPORT_DAYS"] = "soon"
    refused = cli("hotline", "purge", check=False)
    assert refused.returncode != 0 and "HASHWARDEN_RETENTION_REPORT_DAYS" in refused.stderr
