"""What the graph, places and timeline pages share: the signed form, the case, the page frame.

Forms post the session's CSRF token like every console form, but only an investigator's post is
read (others get the logged 403 of ``case_access``). Field parsing lives here so that the three
pages word their errors alike; the rules themselves stay in ``CaseGraphService``.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from hashwarden.accounts.staff_models import StaffSession
from hashwarden.cases.graph import CaseGraphService
from hashwarden.web import csrf
from hashwarden.web.console import sessions
from hashwarden.web.console.case_access import investigator
from hashwarden.web.console.routes import read_form
from hashwarden.web.templating import SECURITY_HEADERS, environment


def graph_of(request: Request) -> CaseGraphService:
    service: CaseGraphService = request.app.state.services.case_graph
    return service


def actor(session: StaffSession) -> str:
    """Who an entity or edge is by: the same name the audit log uses."""
    return f"staff:{session.user.username}"


async def investigator_form(request: Request) -> tuple[StaffSession, dict[str, str]] | Response:
    """A form post's investigator and fields; a redirect, a 403, or 400 for a stale form."""
    signed = investigator(request)
    if not isinstance(signed, StaffSession):
        return signed
    data = await read_form(request)
    if not sessions.check_form(signed, data.get(csrf.FIELD, "")):
        return HTMLResponse("form expired: reload the page", status_code=400,
                            headers=SECURITY_HEADERS)
    return signed, data


def render(template: str, session: StaffSession, status_code: int = 200,
           **context: Any) -> Response:  # fmt: skip
    html = environment("en").get_template(template).render(session=session, **context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def optional_number(text: str, what: str, errors: dict[str, str], field: str) -> float | None:
    """A decimal number typed into a form, ``None`` when left empty; a comma decimal separator
    (as many keyboards give) is read as a point."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        errors[field] = f"{what} must be a number, for example -33.8688."
        return None
    if not math.isfinite(value):
        errors[field] = f"{what} must be a finite number."
        return None
    return value


def sentence(error: Exception) -> str:
    text = str(error)
    return f"{text[:1].upper()}{text[1:]}" + ("" if text.endswith(".") else ".")
