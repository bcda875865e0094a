"""CSRF protection for the server-rendered forms: the site's only cookie.

Double submit: a random token in a cookie (HttpOnly, SameSite=Strict, Secure over HTTPS) and the
same token in a hidden field of every form. A forged cross-site post cannot read the cookie to
copy it. The cookie holds nothing about the reporter and expires with the browser session.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response

COOKIE = "hw_csrf"
FIELD = "csrf_token"


def token_for(request: Request) -> str:
    """The request's token (from its cookie), or a new one to set with ``set_cookie``."""
    existing = request.cookies.get(COOKIE, "")
    return existing if _well_formed(existing) else secrets.token_urlsafe(32)


def set_cookie(request: Request, response: Response, token: str) -> None:
    if request.cookies.get(COOKIE) == token:
        return
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def valid(request: Request, submitted: str) -> bool:
    cookie = request.cookies.get(COOKIE, "")
    return _well_formed(cookie) and hmac.compare_digest(cookie, submitted)


def _well_formed(token: str) -> bool:
    return 32 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)
