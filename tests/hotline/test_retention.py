"""Retention clocks and legal holds over a real store, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy
from sqlalchemy import Engine, func, select

from hashwarden.audit.services import AuditLog
from hashwarden.hotline.dashboard import Dashboard, dashboard
from hashwarden.hotline.items import ItemState, NewItem
from hashwarden.hotline.models import Author, Message, ReportForm, ReportKind, ReportStatus
from hashwarden.hotline.purge_worker import PurgeWorker
from hashwarden.hotline.retention import (
    Category,
    ClockState,
    RetentionPolicy,
    RetentionService,
)
from hashwarden.hotline.services import (
    CaseworkService,
    FollowUpRefusedError,
    ReportError,
    ReportService,
)
from hashwarden.hotline.takedown import Hosting, Notice, NoticeKind
from hashwarden.storage import retention_store
from hashwarden.storage.audit_store import SqlAuditStore
from hashwarden.storage.hotline_tables import (
    report_hosting,
    report_items,
    report_messages,
    report_notices,
    report_tallies,
    reports,
)
from hashwarden.storage.item_store import SqlItemStore
from hashwarden.storage.report_store import SqlReportStore
from hashwarden.storage.retention_store import SqlRetentionStore
from hashwarden.storage.takedown_store import SqlTakedownStore

CLOSED = datetime(2030, 1, 10, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Hotline:
    engine: Engine
    reports: ReportService
    casework: CaseworkService
    items: SqlItemStore
    takedown: SqlTakedownStore
    retention: RetentionService
    audit: AuditLog
    #: What casework stamps (closure) and what the purge sees as now.
    clock: Clock

    def closed_report(
        self, status: ReportStatus = ReportStatus.CLOSED, at: datetime = CLOSED
    ) -> tuple[str, str]:
        """A full report (contact, passphrase, message, items, hosting, notice), set to
        ``status`` at ``at``; its reference and passphrase."""
        form = ReportForm(ReportKind.CSAM, url="https://host.test/gallery", description="seen",
                          contact_email="someone@mail.test", place="forum")  # fmt: skip
        submission = self.reports.submit(form, follow_up=True)
        reference = submission.reference
        assert submission.passphrase is not None
        self.reports.reply(reference, submission.passphrase, "more details")
        known = NewItem("https://host.test/a.jpg", "image/jpeg", 10, {"md5": "a" * 32},
                        ItemState.KNOWN, {"list": "known", "category": "A"})  # fmt: skip
        new = NewItem("https://host.test/b.jpg", "image/jpeg", 10, {"md5": "b" * 32},
                      ItemState.UNKNOWN, content=b"bytes")  # fmt: skip
        fetched = at - 2 * DAY
        _, unknown = self.items.add_items(reference, [known, new], fetched)
        self.items.assess(unknown.id, {"scheme": "iwf", "illegal": True}, "staff:ana", fetched, 5)
        self.takedown.set_hosting(reference, Hosting("NL", "Example Hosting"))
        self.takedown.add_notice(reference, Notice(NoticeKind.HOST, "abuse@host.test", "",
                                                   fetched, "staff:ana"))  # fmt: skip
        self.clock.now = at
        self.casework.set_status(reference, status)
        return reference, submission.passphrase

    def purge(self, at: datetime, *, dry_run: bool = False) -> dict[str, object]:
        self.clock.now = at
        return self.retention.purge(actor="test", dry_run=dry_run).details()

    def rows(self, table: sqlalchemy.Table, reference: str) -> int:
        query = (
            select(func.count())
            .select_from(table.join(reports, reports.c.id == table.c.report_id))
            .where(reports.c.reference == reference)
        )
        with self.engine.connect() as connection:
            return int(connection.scalar(query) or 0)


@pytest.fixture
def hotline(engine: Engine) -> Hotline:
    clock = Clock(CLOSED)
    store = SqlReportStore(engine)
    audit = AuditLog(SqlAuditStore(engine))
    retention = RetentionService(SqlRetentionStore(engine), RetentionPolicy(30, 365),
                                 audit.record, clock)  # fmt: skip
    return Hotline(engine, ReportService(store, clock), CaseworkService(store, clock),
                   SqlItemStore(engine), SqlTakedownStore(engine), retention, audit,
                   clock)  # fmt: skip


def test_each_category_has_its_own_clock(hotline: Hotline) -> None:
    reference, passphrase = hotline.closed_report()
    assert hotline.casework.get(reference).timeline.closed_at == CLOSED

    assert hotline.purge(CLOSED + 29 * DAY)["contacts_erased"] == 0
    assert hotline.reports.follow_up(reference, passphrase).form.contact_email

    assert hotline.purge(CLOSED + 30 * DAY) == {
        "dry_run": False, "contacts_erased": 1, "reports_deleted": 0, "held": 0,
    }  # fmt: skip
    report = hotline.casework.get(reference)
    assert report.form.contact_email == "" and not report.follow_up
    assert report.contact_erased_at == CLOSED + 30 * DAY
    assert hotline.reports.store.follow_up_hash(reference) is None
    with pytest.raises(FollowUpRefusedError):
        hotline.reports.follow_up(reference, passphrase)
    # The rest is preserved a year: description, answers, messages, items, hosting, notices.
    assert report.form.description == "seen" and report.form.place == "forum"
    assert [m.body for m in report.messages] == ["more details"]
    for table in (report_items, report_hosting, report_notices):
        assert hotline.rows(table, reference) > 0

    assert hotline.purge(CLOSED + 364 * DAY)["reports_deleted"] == 0
    assert hotline.purge(CLOSED + 365 * DAY) == {
        "dry_run": False, "contacts_erased": 0, "reports_deleted": 1, "held": 0,
    }  # fmt: skip
    tombstone = hotline.casework.get(reference)
    assert tombstone.deleted_at == CLOSED + 365 * DAY
    assert (tombstone.reference, tombstone.form.kind) == (reference, ReportKind.CSAM)
    assert tombstone.status is ReportStatus.CLOSED and tombstone.timeline.closed_at == CLOSED
    assert tombstone.timeline.received_at is not None
    assert tombstone.form == ReportForm(ReportKind.CSAM, language="")
    assert tombstone.messages == ()
    for table in (report_items, report_messages, report_hosting, report_notices):
        assert hotline.rows(table, reference) == 0
    assert hotline.rows(report_tallies, reference) == 2


def test_contact_and_report_due_together_are_deleted_at_once(hotline: Hotline) -> None:
    reference, _ = hotline.closed_report(ReportStatus.NOT_ILLEGAL)
    assert hotline.purge(CLOSED + 400 * DAY, dry_run=True) == {
        "dry_run": True, "contacts_erased": 0, "reports_deleted": 1, "held": 0,
    }  # fmt: skip
    assert hotline.casework.get(reference).deleted_at is None  # a dry run erases nothing
    assert hotline.purge(CLOSED + 400 * DAY)["reports_deleted"] == 1
    assert hotline.casework.get(reference).form.contact_email == ""
    # Idempotent: nothing is due any more, and a late erasure of the same report does nothing.
    assert hotline.purge(CLOSED + 401 * DAY)["reports_deleted"] == 0
    store = hotline.retention.store
    assert not store.delete_report(reference, CLOSED + DAY, CLOSED + 402 * DAY)
    assert not store.erase_contact(reference, CLOSED + DAY, CLOSED + 402 * DAY)


def test_open_reports_keep_everything(hotline: Hotline) -> None:
    for status in (ReportStatus.NEW, ReportStatus.IN_ASSESSMENT, ReportStatus.ILLEGAL):
        reference, _ = hotline.closed_report(status)
        assert hotline.casework.get(reference).timeline.closed_at is None
    assert hotline.purge(CLOSED + 5000 * DAY)["reports_deleted"] == 0
    assert all(r.form.contact_email for r in hotline.casework.queue(tuple(ReportStatus)))


def test_reopening_stops_the_clocks_and_closing_again_restarts_them(hotline: Hotline) -> None:
    reference, _ = hotline.closed_report(ReportStatus.FORWARDED)
    hotline.clock.now = CLOSED + 10 * DAY
    hotline.casework.set_status(reference, ReportStatus.FORWARDED)  # the same status again
    assert hotline.casework.get(reference).timeline.closed_at == CLOSED
    hotline.casework.set_status(reference, ReportStatus.IN_ASSESSMENT)
    assert hotline.casework.get(reference).timeline.closed_at is None
    assert hotline.purge(CLOSED + 40 * DAY)["contacts_erased"] == 0
    hotline.clock.now = CLOSED + 40 * DAY
    hotline.casework.set_status(reference, ReportStatus.TAKEN_DOWN)
    assert hotline.purge(CLOSED + 69 * DAY)["contacts_erased"] == 0
    assert hotline.purge(CLOSED + 70 * DAY)["contacts_erased"] == 1


def test_a_legal_hold_blocks_every_clock_until_lifted(hotline: Hotline) -> None:
    reference, _ = hotline.closed_report()
    hold = hotline.retention.place_hold(reference, "  police request\n2026/123 ", "sam")
    assert hold.reason == "police request 2026/123"
    report = hotline.casework.get(reference)
    assert report.hold is not None and (report.hold.reason, report.hold.by) == (
        "police request 2026/123", "sam")  # fmt: skip
    assert [c.state for c in hotline.retention.clocks(report)] == [ClockState.HELD] * 2

    assert hotline.purge(CLOSED + 500 * DAY) == {
        "dry_run": False, "contacts_erased": 0, "reports_deleted": 0, "held": 1,
    }  # fmt: skip
    # Even an erasure asked for directly is refused by the store while the hold stands.
    assert not hotline.retention.store.delete_report(reference, CLOSED + DAY, CLOSED + 500 * DAY)
    kept = hotline.casework.get(reference)
    assert kept.form.contact_email and kept.messages and kept.deleted_at is None

    assert hotline.retention.lift_hold(reference).reason == "police request 2026/123"
    with pytest.raises(ReportError, match="not_held"):
        hotline.retention.lift_hold(reference)
    assert hotline.purge(CLOSED + 500 * DAY)["reports_deleted"] == 1
    with pytest.raises(ReportError, match="unknown"):  # a tombstone cannot be held
        hotline.retention.place_hold(reference, "too late", "sam")


def test_holds_need_a_reason_and_a_report(hotline: Hotline) -> None:
    reference, _ = hotline.closed_report()
    with pytest.raises(ReportError, match="required"):
        hotline.retention.place_hold(reference, "   ", "sam")
    with pytest.raises(ReportError, match="too_long"):
        hotline.retention.place_hold(reference, "x" * 501, "sam")
    with pytest.raises(ReportError, match="unknown"):
        hotline.retention.place_hold("R-0000-0000", "police request", "sam")


def test_the_report_page_schedule(hotline: Hotline) -> None:
    reference, _ = hotline.closed_report(ReportStatus.IN_ASSESSMENT)
    clocks = hotline.retention.clocks(hotline.casework.get(reference))
    assert [(c.category, c.state, c.days) for c in clocks] == [
        (Category.CONTACT, ClockState.OPEN, 30), (Category.REPORT, ClockState.OPEN, 365)]
    hotline.casework.set_status(reference, ReportStatus.CLOSED)
    clocks = hotline.retention.clocks(hotline.casework.get(reference))
    assert [(c.state, c.at) for c in clocks] == [
        (ClockState.SCHEDULED, CLOSED + 30 * DAY), (ClockState.SCHEDULED, CLOSED + 365 * DAY)]
    hotline.clock.now = CLOSED + 31 * DAY
    clocks = hotline.retention.clocks(hotline.casework.get(reference))
    assert [(c.state, c.at) for c in clocks] == [
        (ClockState.DUE, CLOSED + 30 * DAY), (ClockState.SCHEDULED, CLOSED + 365 * DAY)]
    hotline.purge(CLOSED + 31 * DAY)
    clocks = hotline.retention.clocks(hotline.casework.get(reference))
    assert [(c.state, c.at) for c in clocks] == [
        (ClockState.ERASED, CLOSED + 31 * DAY), (ClockState.SCHEDULED, CLOSED + 365 * DAY)]
    anonymous = hotline.reports.submit(ReportForm(ReportKind.CSAM, url="https://h.test/"),
                                       follow_up=False).reference  # fmt: skip
    first = hotline.retention.clocks(hotline.casework.get(anonymous))[0]
    assert first.state is ClockState.NONE


def test_tombstones_keep_the_dashboards_figures(hotline: Hotline) -> None:
    # Received now, so the figures of the last 30 days hold both reports.
    closed = datetime.now(UTC)
    removed, _ = hotline.closed_report(ReportStatus.TAKEN_DOWN, closed)
    hotline.closed_report(ReportStatus.NOT_ILLEGAL, closed)
    now = closed + DAY

    def figures() -> Dashboard:
        since = now - timedelta(days=30)
        received = hotline.casework.store.received_since(since - timedelta(days=90))
        return dashboard(received, hotline.items.state_counts(since), now)

    before = figures()
    assert sum(sum(days) for days in before.per_day.values()) == 2
    assert before.removal_hours and before.known_vs_new == {"known": 2.0, "new": 2.0}
    zero = RetentionService(hotline.retention.store, RetentionPolicy(0, 0), hotline.audit.record,
                            lambda: now)  # fmt: skip
    assert zero.purge(actor="test").details()["reports_deleted"] == 2
    assert hotline.casework.get(removed).deleted_at == now
    assert figures() == before
    assert hotline.items.state_counts(now - 30 * DAY) == {"known": 2, "assessed": 2}
    with hotline.engine.connect() as connection:
        verdicts = connection.execute(
            select(report_tallies.c.verdict, func.sum(report_tallies.c.item_count))
            .group_by(report_tallies.c.verdict).order_by(report_tallies.c.verdict)
        ).all()  # fmt: skip
    assert [tuple(row) for row in verdicts] == [("illegal", 2), ("listed", 2)]


def test_a_tombstone_is_read_only(hotline: Hotline) -> None:
    reference, _ = hotline.closed_report()
    hotline.casework.record(reference, "notice_sent_at")
    assert reference in {r.reference for r in hotline.casework.store.awaiting_removal()}
    hotline.purge(CLOSED + 365 * DAY)
    with pytest.raises(ReportError, match="deleted"):
        hotline.casework.set_status(reference, ReportStatus.NEW)
    with pytest.raises(ReportError, match="deleted"):
        hotline.casework.record(reference, "notice_sent_at")
    # The re-checks of notified addresses skip it: it has no address any more.
    assert hotline.casework.get(reference).timeline.notice_sent_at is not None
    assert reference not in {r.reference for r in hotline.casework.store.awaiting_removal()}


def test_every_run_is_audited_with_counts_only(hotline: Hotline) -> None:
    reference, _ = hotline.closed_report()
    hotline.purge(CLOSED + 31 * DAY, dry_run=True)
    hotline.purge(CLOSED + 31 * DAY)
    events = [e for e in hotline.audit.events() if e.action == "hotline.purge"]
    assert [(e.actor, e.object) for e in events] == [("test", "hotline:reports")] * 2
    assert [e.details for e in events] == [
        {"dry_run": True, "contacts_erased": 1, "reports_deleted": 0, "held": 0,
         "completed": True},
        {"dry_run": False, "contacts_erased": 1, "reports_deleted": 0, "held": 0,
         "completed": True},
    ]  # fmt: skip
    assert all(reference not in str(e.details) for e in events)


def test_a_run_killed_halfway_leaves_each_report_whole(
    hotline: Hotline, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = hotline.closed_report()
    second, _ = hotline.closed_report()
    real_tally = retention_store._tally
    calls: list[int] = []

    def dies_on_the_second(connection: sqlalchemy.Connection, report_id: int) -> None:
        calls.append(report_id)
        real_tally(connection, report_id)
        if len(calls) == 2:
            raise RuntimeError("killed")

    monkeypatch.setattr(retention_store, "_tally", dies_on_the_second)
    with pytest.raises(RuntimeError, match="killed"):
        hotline.purge(CLOSED + 400 * DAY)
    assert hotline.casework.get(first).deleted_at is not None
    untouched = hotline.casework.get(second)  # its transaction was rolled back
    assert untouched.deleted_at is None and untouched.form.url and untouched.messages
    assert hotline.rows(report_items, second) == 2 and hotline.rows(report_tallies, second) == 0
    (event,) = [e for e in hotline.audit.events() if e.action == "hotline.purge"]
    assert event.details["completed"] is False and event.details["reports_deleted"] == 1

    monkeypatch.setattr(retention_store, "_tally", real_tally)
    assert hotline.purge(CLOSED + 400 * DAY)["reports_deleted"] == 1  # the rest, next time
    assert hotline.rows(report_tallies, second) == 2


def test_analysts_messages_count_with_the_report(hotline: Hotline) -> None:
    reference, _ = hotline.closed_report()
    hotline.casework.store.add_message(reference, Message(Author.ANALYST, "thanks", CLOSED))
    hotline.purge(CLOSED + 31 * DAY)
    assert len(hotline.casework.get(reference).messages) == 2
    hotline.purge(CLOSED + 366 * DAY)
    assert hotline.rows(report_messages, reference) == 0


def test_serve_purges_by_itself(hotline: Hotline) -> None:
    hotline.closed_report()
    hotline.clock.now = CLOSED + 31 * DAY
    worker = PurgeWorker(hotline.retention, interval=0.05)
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while not [e for e in hotline.audit.events() if e.actor == "serve:retention"]:
            assert time.monotonic() < deadline, "the worker never ran"
            time.sleep(0.05)
    finally:
        worker.stop()
    event = next(e for e in hotline.audit.events() if e.action == "hotline.purge")
    assert event.details["contacts_erased"] == 1
