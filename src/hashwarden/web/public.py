"""The public report site: home, the report forms, anonymous follow-up, safety advice.

Works without JavaScript and loads nothing from elsewhere (reporters may use Tor Browser); the
report form's one script, ``static/autosave.js``, only keeps answers in the tab while it is open
(autosave helps on long forms). The language comes from ``?lang=``, the switcher's links (which
carry it) or Accept-Language; no cookie remembers it. Nothing about the reporter's connection
is stored or logged; abuse limits count under a keyed hash that lives only in memory
(``abuse``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from hashwarden.hotline.models import ReportForm, ReportKind, ReportStatus
from hashwarden.hotline.services import FollowUpRefusedError, ReportError, ReportService
from hashwarden.web import csrf
from hashwarden.web.abuse import SubmissionLimiter
from hashwarden.web.i18n import LANGUAGES, Language, countries, negotiate, translations
from hashwarden.web.templating import render

router = APIRouter(include_in_schema=False)
#: Largest form body accepted (the longest answers are 5,000 characters each).
MAX_FORM_BYTES = 64 * 1024
_FIELDS = ("url", "content_type", "site_type", "description", "country", "place", "when", "who",
           "contact_email")  # fmt: skip


def _language(request: Request) -> Language:
    code = negotiate(request.query_params.get("lang"), request.headers.get("accept-language", ""))
    return LANGUAGES[code]


def _services(request: Request) -> tuple[ReportService, SubmissionLimiter]:
    api = request.app.state.services
    return api.reports, api.report_limiter


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    return render(request, _language(request), "public/home.html")


@router.get("/advice", response_class=HTMLResponse)
def advice(request: Request) -> Response:
    return render(request, _language(request), "public/advice.html")


@router.get("/report", response_class=HTMLResponse)
def report_form(request: Request, type: str = "") -> Response:
    lang = _language(request)
    try:
        kind = ReportKind(type)
    except ValueError:
        return render(request, lang, "public/choose.html")
    return _form(request, lang, kind, {}, {})


@router.post("/report", response_class=HTMLResponse)
async def submit_report(request: Request) -> Response:
    lang = _language(request)
    data = await _form_data(request)
    if data is None:
        return render(request, lang, "public/choose.html", status_code=413)
    try:
        kind = ReportKind(data.get("type", ""))
    except ValueError:
        return render(request, lang, "public/choose.html", status_code=400)
    if not csrf.valid(request, data.get(csrf.FIELD, "")):
        return _form(request, lang, kind, data, {}, status_code=400, expired=True)
    reports, limiter = _services(request)
    if not limiter.allow(_client(request)):
        return _form(request, lang, kind, data, {}, status_code=429, limited=True)
    answers = {name: data.get(name, "") for name in _FIELDS}
    form = ReportForm(kind=kind, language=lang.code, **answers)
    try:
        submission = await run_in_threadpool(
            reports.submit, form, follow_up=data.get("follow_up") == "yes"
        )
    except ReportError as exc:
        return _form(request, lang, kind, data, {exc.field: exc.code}, status_code=422)
    # The page's script clears the autosaved answers: the report is safely sent.
    return render(
        request, lang, "public/report_done.html", scripts=True,
        reference=submission.reference, passphrase=submission.passphrase,
    )  # fmt: skip


@router.get("/follow-up", response_class=HTMLResponse)
def follow_up_form(request: Request) -> Response:
    return _follow_up(request, _language(request))


@router.post("/follow-up", response_class=HTMLResponse)
async def follow_up(request: Request) -> Response:
    lang = _language(request)
    data = await _form_data(request)
    if data is None or not csrf.valid(request, (data or {}).get(csrf.FIELD, "")):
        return _follow_up(request, lang, status_code=400, refused=True)
    reports, limiter = _services(request)
    # Passphrase guesses count against the same budget as submissions.
    if not limiter.allow(_client(request)):
        return _follow_up(request, lang, status_code=429, limited=True)
    reference, passphrase = data.get("reference", ""), data.get("passphrase", "")
    message = data.get("message")
    try:
        if message is None:
            report = await run_in_threadpool(reports.follow_up, reference, passphrase)
        else:
            report = await run_in_threadpool(reports.reply, reference, passphrase, message)
    except FollowUpRefusedError:
        return _follow_up(request, lang, status_code=403, refused=True, reference=reference)
    except ReportError:
        report = await run_in_threadpool(reports.follow_up, reference, passphrase)
        return _follow_up(request, lang, 422, report=report, passphrase=passphrase,
                          message_error=True)  # fmt: skip
    return _follow_up(request, lang, report=report, passphrase=passphrase)


def _follow_up(
    request: Request, lang: Language, status_code: int = 200, **context: Any
) -> Response:
    report = context.get("report")
    defaults: dict[str, Any] = {
        "report": None, "passphrase": "", "refused": False, "limited": False, "reference": "",
        "message_error": False, "status_text": _status_text(lang, report.status) if report else "",
    }  # fmt: skip
    return render(request, lang, "public/follow_up.html", status_code, **{**defaults, **context})


def _status_text(lang: Language, status: ReportStatus) -> str:
    _ = translations(lang.code).gettext
    texts = {
        ReportStatus.NEW: _("Received: waiting for an analyst"),
        ReportStatus.IN_ASSESSMENT: _("An analyst is assessing it"),
        ReportStatus.ILLEGAL: _("Assessed as illegal: removal is under way"),
        ReportStatus.NOT_ILLEGAL: _("Assessed: not illegal under the law we apply"),
        ReportStatus.FORWARDED: _("Passed on to the police or the hotline of another country"),
        ReportStatus.TAKEN_DOWN: _("The material has been removed"),
        ReportStatus.CLOSED: _("Closed"),
    }
    return texts[status]


async def _form_data(request: Request) -> dict[str, str] | None:
    """The urlencoded body as single values, or None when it is too large."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    return dict(pairs)


def _form(
    request: Request,
    lang: Language,
    kind: ReportKind,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    **flags: bool,
) -> Response:
    _ = translations(lang.code).gettext
    headings = {
        ReportKind.CSAM: _("Report child sexual abuse material"),
        ReportKind.TRAVEL: _("Report sexual exploitation of children in travel and tourism"),
        ReportKind.GROOMING: _("Report grooming"),
        ReportKind.SEXTORTION: _("Report sextortion"),
    }
    labels = {
        "url": _("Web address (URL) of the material"),
        "url_optional": _("Web address (optional)"),
        "url_profile": _("Web address of the profile or page"),
        "content_type": _("What kind of material is it?"),
        "site_type": _("Where is it?"),
        "description": _("Anything else we should know?"),
        "description_travel": _("What happened?"),
        "description_contact": _("What happened?"),
        "country": _("Country"),
        "place": _("Place"),
        "when": _("When"),
        "who": _("Who is involved?"),
        "contact_email": _("Your e-mail address (optional)"),
    }
    content_types = [
        ("images", _("Pictures")), ("videos", _("Videos")), ("text", _("Stories or text")),
        ("drawings", _("Drawings, animations or computer-made images")), ("other", _("Other")),
    ]  # fmt: skip
    site_types = [
        ("website", _("A website")), ("forum", _("A forum or message board")),
        ("image_host", _("An image or video hosting site")),
        ("social", _("A social network")), ("chat", _("A chat or messaging app")),
        ("cloud", _("A file-sharing or cloud storage link")),
        ("p2p", _("A peer-to-peer network")), ("game", _("An online game")),
        ("other", _("Somewhere else")),
    ]  # fmt: skip
    return render(
        request, lang, "public/report_form.html", status_code, scripts=True,
        kind=kind.value, heading=headings[kind], labels=labels, values=values, errors=errors,
        content_types=content_types, site_types=site_types, countries=countries(lang.code),
        limited=flags.get("limited", False) or flags.get("expired", False),
    )  # fmt: skip
