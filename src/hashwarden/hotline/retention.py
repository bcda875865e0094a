"""Retention clocks per data category, and legal holds that stop them.

GDPR asks for data minimisation and a retention period per category of data; US providers must
preserve a report's contents for a year (18 USC 2258A as amended by the REPORT Act 2024). So each
category has its own clock, running from the moment the report is closed (``models.FINAL``):

- ``contact``: the reporter's e-mail and the follow-up passphrase hash (30 days by default);
- ``report``: everything else (description, answers, messages, items, hosting, notices), 365 days
  by default; what remains is a tombstone with the reference, theme, status, timeline and the
  counts of its items, so statistics survive.

A legal hold (a supervisor's, with a reason) stops both clocks until it is lifted. Media fetched by
triage is not covered here: it is deleted when an analyst decides (``triage``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from hashwarden.audit.models import AuditRecord
from hashwarden.hotline.models import Hold, Report
from hashwarden.hotline.services import ReportError

#: Longest hold reason kept (a case number and a word or two are expected).
MAX_REASON = 500


class Category(StrEnum):
    CONTACT = "contact"
    REPORT = "report"


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """Days each category is kept after the report is closed."""

    contact_days: int = 30
    report_days: int = 365

    def keep(self, category: Category) -> timedelta:
        days = self.contact_days if category is Category.CONTACT else self.report_days
        return timedelta(days=days)


@dataclass(frozen=True, slots=True)
class Due:
    """A report one of whose categories is past its clock (``held``: kept for now)."""

    reference: str
    category: Category
    closed_at: datetime
    held: bool = False


@dataclass(slots=True)
class PurgeSummary:
    dry_run: bool = False
    #: Every due category, and whether it was erased (a dry run erases nothing).
    outcomes: list[tuple[Due, bool]] = field(default_factory=list)

    def count(self, category: Category) -> int:
        """Erased (or, in a dry run, to be erased) in ``category``."""
        return sum(
            1 for due, erased in self.outcomes
            if due.category is category and (erased or (self.dry_run and not due.held))
        )  # fmt: skip

    @property
    def held(self) -> int:
        return sum(due.held for due, _ in self.outcomes)

    def details(self) -> dict[str, object]:
        """Counts only: what the audit event says (no reference, no personal data)."""
        return {"dry_run": self.dry_run, "contacts_erased": self.count(Category.CONTACT),
                "reports_deleted": self.count(Category.REPORT), "held": self.held}  # fmt: skip


class ClockState(StrEnum):
    #: The report is open: the clock has not started.
    OPEN = "open"
    SCHEDULED = "scheduled"
    #: Past its date: the next purge erases it.
    DUE = "due"
    HELD = "held"
    ERASED = "erased"
    #: Nothing of the category was ever given (no e-mail, no passphrase).
    NONE = "none"


@dataclass(frozen=True, slots=True)
class RetentionClock:
    """What the report page says of one category."""

    category: Category
    state: ClockState
    #: When it will be (``scheduled``, ``due``) or was (``erased``) erased.
    at: datetime | None = None
    days: int = 0


class RetentionStore(Protocol):
    def due(self, contact_before: datetime, report_before: datetime) -> list[Due]:
        """Closed reports whose report (closed before ``report_before``) or contact (before
        ``contact_before``, not erased yet) is due, held ones included; a report due in both
        is listed once, as ``report``."""
        ...  # fmt: skip

    def erase_contact(self, reference: str, closed_before: datetime, at: datetime) -> bool:
        """Erase the contact in one transaction if it is still due and unheld; True if done."""
        ...

    def delete_report(self, reference: str, closed_before: datetime, at: datetime) -> bool:
        """Reduce the report to its tombstone in one transaction if still due and unheld."""
        ...

    def place_hold(self, reference: str, hold: Hold) -> bool:
        """Place (or replace) the hold; False if there is no such report or it is deleted."""
        ...

    def lift_hold(self, reference: str) -> Hold | None:
        """Lift the hold; the hold lifted, or None if there was none."""
        ...


def _now() -> datetime:
    return datetime.now(UTC)


class RetentionService:
    def __init__(
        self,
        store: RetentionStore,
        policy: RetentionPolicy,
        record: Callable[[AuditRecord], object],
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.store = store
        self.policy = policy
        self.record = record
        self.clock = clock

    def purge(self, *, actor: str, dry_run: bool = False) -> PurgeSummary:
        """Erase every due category of every unheld report, one report per transaction.

        The store re-checks each report's clock and hold inside its transaction, so a run that
        is killed, or two that overlap, leave each report either untouched or fully erased.
        One audit event records the counts, even when the run fails halfway.
        """
        now = self.clock()
        contact_before = now - self.policy.keep(Category.CONTACT)
        report_before = now - self.policy.keep(Category.REPORT)
        summary = PurgeSummary(dry_run=dry_run)
        completed = False
        try:
            for due in self.store.due(contact_before, report_before):
                erased = False
                if not (dry_run or due.held):
                    if due.category is Category.REPORT:
                        erased = self.store.delete_report(due.reference, report_before, now)
                    else:
                        erased = self.store.erase_contact(due.reference, contact_before, now)
                summary.outcomes.append((due, erased))
            completed = True
        finally:
            details = {**summary.details(), "completed": completed}
            self.record(AuditRecord(actor, "hotline.purge", "hotline:reports", details))
        return summary

    def place_hold(self, reference: str, reason: str, by: str) -> Hold:
        text = " ".join(reason.split())
        if not text:
            raise ReportError("reason", "required")
        if len(text) > MAX_REASON:
            raise ReportError("reason", "too_long")
        hold = Hold(text, by, self.clock())
        if not self.store.place_hold(reference, hold):
            raise ReportError("reference", "unknown")
        return hold

    def lift_hold(self, reference: str) -> Hold:
        lifted = self.store.lift_hold(reference)
        if lifted is None:
            raise ReportError("hold", "not_held")
        return lifted

    def clocks(self, report: Report) -> list[RetentionClock]:
        """When each category of ``report`` will be (or was) erased, for the report page."""
        return [self._clock(report, category) for category in Category]

    def _clock(self, report: Report, category: Category) -> RetentionClock:
        days = self.policy.contact_days if category is Category.CONTACT else self.policy.report_days
        erased = report.deleted_at
        if category is Category.CONTACT:
            erased = report.contact_erased_at or report.deleted_at
        if erased is not None:
            return RetentionClock(category, ClockState.ERASED, erased, days)
        has_contact = report.follow_up or bool(report.form.contact_email)
        if category is Category.CONTACT and not has_contact:
            return RetentionClock(category, ClockState.NONE, None, days)
        if report.hold is not None:
            return RetentionClock(category, ClockState.HELD, None, days)
        closed = report.timeline.closed_at
        if closed is None:
            return RetentionClock(category, ClockState.OPEN, None, days)
        at = closed + self.policy.keep(category)
        state = ClockState.DUE if at <= self.clock() else ClockState.SCHEDULED
        return RetentionClock(category, state, at, days)
