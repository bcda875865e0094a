"""Public reporting: validated submissions, reference numbers, anonymous follow-up."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from hashwarden.core.errors import HashwardenError
from hashwarden.hotline import credentials
from hashwarden.hotline.interfaces import ReportStore
from hashwarden.hotline.models import (
    Author,
    Message,
    Report,
    ReportForm,
    ReportKind,
    ReportStatus,
    Submission,
)

#: Longest free-text answer kept; longer input is refused, not cut, so nothing is lost silently.
MAX_TEXT = 5000
MAX_URL = 2048
MAX_SHORT = 200
MAX_MESSAGES = 50
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s.]{2,63}")
_COUNTRY = re.compile(r"[A-Z]{2}")
#: A scheme before the first colon (``host:port`` has digits after it instead).
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(.*)", re.DOTALL)


class ReportError(HashwardenError, ValueError):
    """A submission was refused; ``field`` names the form field to fix."""

    def __init__(self, field: str, code: str) -> None:
        #: Form field, for the page to point at.
        self.field = field
        #: Stable reason code, translated by the page.
        self.code = code
        super().__init__(f"{field}: {code}")


class DuplicateReferenceError(HashwardenError):
    """A random reference collided with an existing one (the service draws again)."""


class FollowUpRefusedError(HashwardenError):
    """Unknown reference or wrong passphrase: deliberately not saying which."""


def _now() -> datetime:
    return datetime.now(UTC)


class ReportService:
    def __init__(self, store: ReportStore, clock: Callable[[], datetime] = _now) -> None:
        self.store = store
        self.clock = clock

    def submit(self, form: ReportForm, *, follow_up: bool) -> Submission:
        """Validate and store a report; the passphrase is returned once and kept only hashed."""
        checked = validate(form)
        passphrase = credentials.new_passphrase() if follow_up else None
        stored_hash = credentials.hash_passphrase(passphrase) if passphrase else None
        for _ in range(5):
            reference = credentials.new_reference()
            try:
                self.store.add(reference, checked, stored_hash)
            except DuplicateReferenceError:
                continue
            return Submission(reference, passphrase)
        raise DuplicateReferenceError("no free reference after 5 draws")

    def follow_up(self, reference: str, passphrase: str) -> Report:
        """The report for a reporter who holds its passphrase, else ``FollowUpRefusedError``."""
        canonical = credentials.canonical_reference(reference)
        stored = self.store.follow_up_hash(canonical) if canonical else None
        if not credentials.passphrase_matches(stored, passphrase):
            raise FollowUpRefusedError("unknown reference or wrong passphrase")
        report = self.store.get(canonical)
        if report is None:  # deleted between the two reads
            raise FollowUpRefusedError("unknown reference or wrong passphrase")
        return report

    def reply(self, reference: str, passphrase: str, body: str) -> Report:
        """A reporter's answer to the analysts (after the same check as ``follow_up``)."""
        report = self.follow_up(reference, passphrase)
        text = body.strip()
        if not text:
            raise ReportError("message", "required")
        if len(text) > MAX_TEXT:
            raise ReportError("message", "too_long")
        if len(report.messages) >= MAX_MESSAGES:
            raise ReportError("message", "too_many")
        self.store.add_message(report.reference, Message(Author.REPORTER, text, self.clock()))
        return self.follow_up(reference, passphrase)


#: Statuses an analyst's assessment ends in (setting one stamps ``assessed_at`` once).
ASSESSED = frozenset({ReportStatus.ILLEGAL, ReportStatus.NOT_ILLEGAL})
#: What an analyst can record on a report's timeline.
EVENTS = ("police_notified_at", "notice_sent_at", "removed_at", "last_checked_at")


class CaseworkService:
    """The analysts' side of reports: the queue, statuses, the timeline, messages."""

    def __init__(self, store: ReportStore, clock: Callable[[], datetime] = _now) -> None:
        self.store = store
        self.clock = clock

    def queue(self, statuses: tuple[ReportStatus, ...] = (ReportStatus.NEW,
              ReportStatus.IN_ASSESSMENT)) -> list[Report]:  # fmt: skip
        return self.store.queue(statuses)

    def get(self, reference: str) -> Report:
        report = self.store.get(reference)
        if report is None:
            raise ReportError("reference", "unknown")
        return report

    def live(self, reference: str) -> Report:
        """The report, if it can still change: a deleted one is only a tombstone."""
        report = self.get(reference)
        if report.deleted_at is not None:
            raise ReportError("reference", "deleted")
        return report

    def set_status(self, reference: str, status: ReportStatus) -> Report:
        report = self.live(reference)
        updated = self.store.set_status(reference, ReportStatus(status), self.clock())
        if status in ASSESSED and report.timeline.assessed_at is None:
            updated = self.store.mark(reference, "assessed_at", self.clock())
        if status is ReportStatus.TAKEN_DOWN and report.timeline.removed_at is None:
            updated = self.store.mark(reference, "removed_at", self.clock())
        return updated

    def record(self, reference: str, event: str) -> Report:
        if event not in EVENTS:
            raise ReportError("event", "invalid")
        self.live(reference)
        return self.store.mark(reference, event, self.clock())

    def write_to_reporter(self, reference: str, body: str) -> Report:
        """A question or answer the reporter reads when following up (if they took a passphrase)."""
        report = self.live(reference)
        text = body.strip()
        if not text:
            raise ReportError("message", "required")
        if len(text) > MAX_TEXT:
            raise ReportError("message", "too_long")
        if not report.follow_up:
            raise ReportError("message", "no_follow_up")
        self.store.add_message(reference, Message(Author.ANALYST, text, self.clock()))
        return self.get(reference)


def validate(form: ReportForm) -> ReportForm:
    """The form with whitespace trimmed; ``ReportError`` names the first field to fix."""
    trimmed = replace(
        form,
        url=form.url.strip(),
        content_type=form.content_type.strip(),
        site_type=form.site_type.strip(),
        description=form.description.strip(),
        country=form.country.strip().upper(),
        place=form.place.strip(),
        when=form.when.strip(),
        who=form.who.strip(),
        contact_email=form.contact_email.strip(),
    )
    if trimmed.kind is ReportKind.CSAM and not trimmed.url:
        raise ReportError("url", "required")
    if trimmed.url:
        _check_url(trimmed.url)
    if trimmed.kind is not ReportKind.CSAM and not (trimmed.description or trimmed.url):
        raise ReportError("description", "required")
    for name in ("content_type", "site_type", "place", "when"):
        if len(getattr(trimmed, name)) > MAX_SHORT:
            raise ReportError(name, "too_long")
    for name in ("description", "who"):
        if len(getattr(trimmed, name)) > MAX_TEXT:
            raise ReportError(name, "too_long")
    if trimmed.country and not _COUNTRY.fullmatch(trimmed.country):
        raise ReportError("country", "invalid")
    if trimmed.contact_email and not _EMAIL.fullmatch(trimmed.contact_email):
        raise ReportError("contact_email", "invalid")
    return trimmed


def _check_url(url: str) -> None:
    if len(url) > MAX_URL:
        raise ReportError("url", "too_long")
    scheme = _SCHEME.match(url)
    if scheme and "://" not in url and not scheme.group(2)[:1].isdigit():
        raise ReportError("url", "invalid")  # javascript:, data:, mailto: ...
    candidate = url if "://" in url else f"http://{url}"
    try:
        parts = urlsplit(candidate)
    except ValueError:
        raise ReportError("url", "invalid") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in url:
        raise ReportError("url", "invalid")
