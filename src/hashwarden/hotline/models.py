"""Reports from the public, as the hotline keeps them (no address of the reporter, ever)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ReportKind(StrEnum):
    #: Child sexual abuse material online: the URL first.
    CSAM = "csam"
    #: Sexual exploitation of children in travel and tourism: what, when, where, who.
    TRAVEL = "travel"
    GROOMING = "grooming"
    SEXTORTION = "sextortion"


class ReportStatus(StrEnum):
    NEW = "new"
    IN_ASSESSMENT = "in_assessment"
    ILLEGAL = "illegal"
    NOT_ILLEGAL = "not_illegal"
    FORWARDED = "forwarded"
    TAKEN_DOWN = "taken_down"
    CLOSED = "closed"


#: Statuses in which this hotline's work on a report is done: setting one closes the report and
#: starts its retention clocks (``hotline.retention``). ``illegal`` is not one: removal is still
#: under way. ``forwarded`` is, since the partner hotline carries the case from there.
FINAL = frozenset(
    {ReportStatus.NOT_ILLEGAL, ReportStatus.FORWARDED, ReportStatus.TAKEN_DOWN, ReportStatus.CLOSED}
)


class Author(StrEnum):
    REPORTER = "reporter"
    ANALYST = "analyst"


@dataclass(frozen=True, slots=True)
class ReportForm:
    """What a reporter submits; everything but the kind (and the URL for CSAM) is optional."""

    kind: ReportKind
    url: str = ""
    content_type: str = ""
    site_type: str = ""
    description: str = ""
    #: ISO 3166 alpha-2 code.
    country: str = ""
    place: str = ""
    when: str = ""
    who: str = ""
    #: Only if the reporter wants feedback by e-mail.
    contact_email: str = ""
    #: The language the reporter used (a supported site language).
    language: str = "en"


@dataclass(frozen=True, slots=True)
class Timeline:
    """The timestamps a hotline keeps per report (DOMAIN.md: the hotline workflow)."""

    received_at: datetime
    assessed_at: datetime | None = None
    police_notified_at: datetime | None = None
    notice_sent_at: datetime | None = None
    removed_at: datetime | None = None
    last_checked_at: datetime | None = None
    #: When the report last entered a final status (None while it is open).
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Hold:
    """A legal hold: while it stands, no retention clock erases anything of the report."""

    reason: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Message:
    author: Author
    body: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Report:
    id: int
    reference: str
    form: ReportForm
    status: ReportStatus
    timeline: Timeline
    #: Whether the reporter took a follow-up passphrase.
    follow_up: bool = False
    messages: tuple[Message, ...] = field(default=())
    hold: Hold | None = None
    #: When the reporter's contact details and passphrase hash were erased.
    contact_erased_at: datetime | None = None
    #: When the report was reduced to its tombstone (reference, theme, status, timeline).
    deleted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Submission:
    """What the reporter is shown once: the reference and, if asked for, the passphrase."""

    reference: str
    passphrase: str | None = None
