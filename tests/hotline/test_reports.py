"""Public reports over a real store: validation, references, the anonymous follow-up."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect

from hashwarden.hotline import credentials
from hashwarden.hotline.models import Author, ReportForm, ReportKind, ReportStatus
from hashwarden.hotline.services import FollowUpRefusedError, ReportError, ReportService
from hashwarden.storage.report_store import SqlReportStore


@pytest.fixture
def service(engine: Engine) -> ReportService:
    return ReportService(SqlReportStore(engine))


def test_a_report_gets_a_reference_and_keeps_only_what_was_given(service: ReportService) -> None:
    form = ReportForm(
        ReportKind.CSAM, url="  https://example.test/gallery?id=3 ", site_type="forum",
        country="nl", language="nl",
    )  # fmt: skip
    submission = service.submit(form, follow_up=False)
    assert credentials.canonical_reference(submission.reference) == submission.reference
    assert submission.passphrase is None
    report = service.store.get(submission.reference)
    assert report is not None
    assert report.form.url == "https://example.test/gallery?id=3"
    assert (report.form.country, report.form.site_type) == ("NL", "forum")
    assert report.form.language == "nl"
    assert report.status is ReportStatus.NEW and not report.follow_up
    assert report.timeline.assessed_at is None


def test_no_column_can_hold_a_reporters_address(engine: Engine, service: ReportService) -> None:
    columns = {c["name"] for table in ("reports", "report_messages")
               for c in inspect(engine).get_columns(table)}  # fmt: skip
    assert not {name for name in columns if "ip" in name.split("_") or "address" in name}


@pytest.mark.parametrize(
    ("form", "field", "code"),
    [
        (ReportForm(ReportKind.CSAM), "url", "required"),
        (ReportForm(ReportKind.CSAM, url="javascript:alert(1)"), "url", "invalid"),
        (ReportForm(ReportKind.CSAM, url="ftp://files.test/x"), "url", "invalid"),
        (ReportForm(ReportKind.CSAM, url="https://x.test/" + "a" * 3000), "url", "too_long"),
        (ReportForm(ReportKind.TRAVEL), "description", "required"),
        (ReportForm(ReportKind.GROOMING, description="x" * 5001), "description", "too_long"),
        (ReportForm(ReportKind.TRAVEL, description="d", country="Holland"), "country", "invalid"),
        (ReportForm(ReportKind.SEXTORTION, description="d", contact_email="not-mail"),
         "contact_email", "invalid"),
    ],
)  # fmt: skip
def test_bad_submissions_name_the_field(
    service: ReportService, form: ReportForm, field: str, code: str
) -> None:
    with pytest.raises(ReportError) as caught:
        service.submit(form, follow_up=False)
    assert (caught.value.field, caught.value.code) == (field, code)


def test_follow_up_with_the_passphrase_only(service: ReportService) -> None:
    form = ReportForm(ReportKind.TRAVEL, description="seen at a hotel", place="Pattaya")
    submission = service.submit(form, follow_up=True)
    assert submission.passphrase is not None
    stored = service.store.follow_up_hash(submission.reference)
    assert stored is not None and stored.startswith("$argon2id$")
    assert submission.passphrase not in stored

    # Case, separators and look-alike letters do not matter to the reporter.
    typed = submission.passphrase.lower().replace("-", " ")
    report = service.follow_up(submission.reference.lower(), typed)
    assert report.form.place == "Pattaya"

    with pytest.raises(FollowUpRefusedError):
        service.follow_up(submission.reference, "WRONG-PASS-PHRA-SE00-0000")
    with pytest.raises(FollowUpRefusedError):
        service.follow_up("R-0000-0000", submission.passphrase)
    without = service.submit(form, follow_up=False)
    with pytest.raises(FollowUpRefusedError):
        service.follow_up(without.reference, "")


def test_the_reporter_answers_and_the_thread_keeps_order(service: ReportService) -> None:
    submission = service.submit(
        ReportForm(ReportKind.GROOMING, description="messages to my son"), follow_up=True
    )
    assert submission.passphrase is not None
    service.reply(submission.reference, submission.passphrase, "  the account name is x  ")
    report = service.reply(submission.reference, submission.passphrase, "and another one")
    assert [(m.author, m.body) for m in report.messages] == [
        (Author.REPORTER, "the account name is x"), (Author.REPORTER, "and another one"),
    ]  # fmt: skip
    with pytest.raises(ReportError):
        service.reply(submission.reference, submission.passphrase, "   ")
    with pytest.raises(FollowUpRefusedError):
        service.reply(submission.reference, "nope", "hello")


def test_references_normalise() -> None:
    assert credentials.canonical_reference("r 7k3m q9tx") == "R-7K3M-Q9TX"
    assert credentials.canonical_reference("R-7K3M-Q9TXX") == ""
    assert credentials.normalise("oIl-0") == "0110"
