"""Bearer-token authentication and per-permission authorisation for routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from hashwarden.accounts.models import Permission, Principal
from hashwarden.api.problems import ProblemError
from hashwarden.api.rate_limit import retry_after_header
from hashwarden.api.services import ApiServices

_bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer hw_...`")


# Dependencies are ``async`` on purpose: FastAPI runs sync ones in its thread pool, and each hop
# between the event loop and a thread can wait a whole GIL switch interval under load.


async def services(request: Request) -> ApiServices:
    found: ApiServices = request.app.state.services
    return found


async def principal(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> Principal:
    """The caller, from ``Authorization: Bearer <token>``; 401 when missing or not valid."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ProblemError(401, "missing bearer token (Authorization: Bearer hw_...)")
    api: ApiServices = request.app.state.services
    secret = credentials.credentials
    found = api.token_cache.get(secret)
    if found is None:
        found = await run_in_threadpool(api.tokens.authenticate, secret)
        if found is None:
            raise ProblemError(401, "the token is unknown, revoked or expired")
        api.token_cache.put(secret, found)
    wait = api.limiter.acquire(found.token_id)
    if wait > 0:
        raise ProblemError(
            429,
            f"rate limit of {api.limiter.rate:g} requests/s for this token reached",
            retry_after=retry_after_header(wait),
        )
    request.state.principal = found
    return found


def require(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting callers whose role grants ``permission`` (403 otherwise)."""

    async def check(caller: Principal = Depends(principal)) -> Principal:
        if not caller.can(permission):
            raise ProblemError(403, f"role {caller.role} may not do this ({permission})")
        return caller

    check.__name__ = f"require_{permission.name.lower()}"
    return check
