"""``POST /v1/match`` without FastAPI's per-request machinery, for the upload-screening hot path.

Routing, dependency solving and the response-model round trip cost more than the index lookup
itself. This middleware answers the common case itself: a JSON body that parses into a
``MatchRequest`` from a caller whose token is in the worker's cache and may match. Every other
request (no or unknown token, wrong role, bad body, other content types) is replayed into the
FastAPI route, so errors, authentication and the OpenAPI description stay in one place; both
paths share ``answer_match`` for the work itself.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hashwarden.accounts.models import Permission, Principal
from hashwarden.api.problems import ProblemError, problem, status_for
from hashwarden.api.rate_limit import retry_after_header
from hashwarden.api.routes import match as match_routes
from hashwarden.api.routes.match import answer_match
from hashwarden.api.schemas import MatchRequest
from hashwarden.api.services import ApiServices
from hashwarden.core.errors import HashwardenError

log = logging.getLogger(__name__)

PATH = "/v1/match"
_JSON = b"application/json"


class FastMatch:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # The metrics label, as FastAPI's routing would set it.
        self._route = next(
            route
            for route in match_routes.router.routes
            if isinstance(route, APIRoute) and route.path == PATH and route.methods == {"POST"}
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        secret, json_body = _read_headers(scope)
        if not json_body:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            return  # the client left (or BodyLimit refused the body and answered)
        caller = self._cached_caller(scope, secret)
        request = _parse(body) if caller is not None else None
        if caller is None or request is None:
            await self.app(scope, _replay(body, receive), send)
            return
        scope["route"] = self._route
        api: ApiServices = scope["app"].state.services
        wait = api.limiter.acquire(caller.token_id)
        if wait > 0:
            detail = f"rate limit of {api.limiter.rate:g} requests/s for this token reached"
            await _problem(send, 429, detail, retry_after=retry_after_header(wait))
            return
        try:
            answer = await answer_match(api, caller, request)
        except ProblemError as exc:
            await _problem(send, exc.status, exc.detail, **exc.extra)
            return
        except HashwardenError as exc:
            await _problem(send, status_for(exc), str(exc))
            return
        payload = answer.model_dump_json(exclude_none=True).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-length", str(len(payload)).encode()),
                    (b"content-type", _JSON),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    def _cached_caller(self, scope: Scope, secret: str | None) -> Principal | None:
        if not secret:
            return None
        state = getattr(scope["app"], "state", None)
        api: ApiServices | None = getattr(state, "services", None)
        if api is None:
            return None
        caller = api.token_cache.get(secret)
        return caller if caller is not None and caller.can(Permission.MATCH) else None


def _read_headers(scope: Scope) -> tuple[str | None, bool]:
    """(bearer secret, whether the body is JSON as FastAPI would read it)."""
    secret = None
    json_body = True
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            secret = credentials.strip() if scheme.lower() == "bearer" else None
        elif name == b"content-type":
            json_body = value.split(b";", 1)[0].strip().lower() == _JSON
    return secret, json_body


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _parse(body: bytes) -> MatchRequest | None:
    try:
        return MatchRequest.model_validate_json(body)
    except ValidationError:
        return None  # FastAPI's route reports it, in its words


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _problem(send: Send, status: int, detail: str, **extra: Any) -> None:
    response = problem(status, detail, **extra)
    await send(
        {"type": "http.response.start", "status": status, "headers": response.raw_headers}
    )
    await send({"type": "http.response.body", "body": response.body})
