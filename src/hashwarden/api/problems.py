"""Errors as RFC 9457 problem details (``application/problem+json``).

Domain errors map to status codes here, in one place, so routes just raise them.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hashwarden.core.errors import (
    ConfigError,
    EntryNotFoundError,
    HashwardenError,
    ImportFormatError,
    InvalidSignalError,
    ListError,
    ListExistsError,
    ListNotFoundError,
    MediaError,
    MediaTooLargeError,
    ReviewConflictError,
    ReviewError,
    ReviewItemNotFoundError,
    StorageError,
    TokenError,
    TokenNotFoundError,
)
from hashwarden.formats.registry import UnknownFormatError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class ProblemError(Exception):
    """Raise from a route to answer with a problem document."""

    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra


def problem(status: int, detail: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


#: Most specific first.
_STATUS_BY_ERROR: tuple[tuple[type[HashwardenError], int], ...] = (
    (ListNotFoundError, 404),
    (TokenNotFoundError, 404),
    (EntryNotFoundError, 404),
    (ReviewItemNotFoundError, 404),
    (ReviewConflictError, 409),
    (ListExistsError, 409),
    (MediaTooLargeError, 413),
    (MediaError, 422),
    (InvalidSignalError, 422),
    (ImportFormatError, 422),
    (ListError, 422),
    (ConfigError, 422),
    (UnknownFormatError, 422),
    (TokenError, 422),
    (ReviewError, 422),
    (StorageError, 503),
)


def status_for(error: HashwardenError) -> int:
    for kind, status in _STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return 400


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem document."""

    @app.exception_handler(ProblemError)
    async def _problem(_: Request, exc: ProblemError) -> JSONResponse:
        return problem(exc.status, exc.detail, **exc.extra)

    @app.exception_handler(HashwardenError)
    async def _domain(_: Request, exc: HashwardenError) -> JSONResponse:
        status = status_for(exc)
        if status >= 500:
            log.error("storage failure: %s", exc)
        extra: dict[str, Any] = {}
        if isinstance(exc, ImportFormatError):
            extra["errors"] = [
                {"line": line, "message": message} for line, message in exc.problems[:100]
            ]
        return problem(status, str(exc), **extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"location": ".".join(str(part) for part in error.get("loc", ())),
             "message": str(error.get("msg", ""))}
            for error in exc.errors()
        ][:100]  # fmt: skip
        return problem(422, "the request is not valid", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return problem(500, "internal error; the server log has the details")
