"""Console sign-in state: the session cookie and the per-session CSRF token of its forms."""

from __future__ import annotations

import hmac

from fastapi import Request, Response

from hashwarden.accounts.staff_models import StaffSession
from hashwarden.accounts.staff_services import StaffService

COOKIE = "hw_session"


class SignInRequired(Exception):  # noqa: N818 - control flow, turned into a redirect
    """The request has no live session: the console sends the browser to the sign-in page."""


def staff_service(request: Request) -> StaffService:
    service: StaffService = request.app.state.services.staff
    return service


def current(request: Request) -> StaffSession:
    """The request's live session, else ``SignInRequired``."""
    session = staff_service(request).session(request.cookies.get(COOKIE, ""))
    if session is None:
        raise SignInRequired
    return session


def check_form(session: StaffSession, submitted: str) -> bool:
    return hmac.compare_digest(session.csrf_token, submitted)


def set_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https",
        path="/console",
    )  # fmt: skip


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/console")
