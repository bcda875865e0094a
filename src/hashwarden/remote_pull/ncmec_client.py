"""HTTP for NCMEC hash sharing v2: one ``GET /v2/entries`` page at a time, over basic auth.

Shapes as python-threatexchange's client uses them (``exchanges/clients/ncmec/hash_api.py``):
the first page is ``{base}/v2/entries?from=..&to=..`` with times as ``%Y-%m-%dT%H:%M:%SZ``
(UTC); each page may end in ``<paging><next>/v2/entries?from=..&to=..&start=..&size=..&max=..
</next></paging>``, a path that python-threatexchange appends to the base URL (so under
``https://report.cybertip.org/hashsharing`` it omits the ``/hashsharing`` prefix).

Connection failures, timeouts, 429 and 5xx are retried with exponential backoff; 401 and 403
end the pull at once with a message that names the settings, never their values. Redirects are
not followed and a next link to another host is refused, so credentials go nowhere else.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from hashwarden import __version__
from hashwarden.core.errors import HashwardenError
from hashwarden.remote_pull.settings import PASSWORD_ENV, USER_ENV, NcmecCredentials

ENTRIES_PATH = "/v2/entries"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
#: Tries per page (the first one included).
ATTEMPTS = 4
#: First wait before a retry, doubled each time (seconds); python-threatexchange uses ~0.2.
BACKOFF = 0.5
MAX_WAIT = 30.0
#: NCMEC builds a page of up to 1000 entries per request; python-threatexchange waits 60 s.
TIMEOUT = httpx.Timeout(60.0, connect=10.0)
#: A page holds at most ~1000 entries; far more than that is not a page.
MAX_PAGE_BYTES = 256 << 20


class PullError(HashwardenError):
    """A remote pull stopped; the checkpoint stays where it was."""


class PullAuthError(PullError):
    """The service refused the credentials (401) or the account's access (403)."""


def format_time(moment: datetime) -> str:
    """A window bound as NCMEC takes it: UTC, whole seconds, ``Z``."""
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


class NcmecClient:
    """Use as a context manager; ``first_page`` and ``next_page`` return a page's raw bytes."""

    def __init__(
        self,
        base_url: str,
        credentials: NcmecCredentials,
        *,
        attempts: int = ATTEMPTS,
        backoff: float = BACKOFF,
        timeout: httpx.Timeout | float = TIMEOUT,
        max_page_bytes: int = MAX_PAGE_BYTES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        base = urlsplit(self.base_url)
        self._origin = (base.scheme, base.netloc)
        self._base_path = base.path.rstrip("/")
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_page_bytes = max_page_bytes
        self._sleep = sleep
        self._http = httpx.Client(
            auth=httpx.BasicAuth(credentials.user, credentials.password),
            timeout=timeout,
            follow_redirects=False,
            headers={"Accept": "application/xml", "User-Agent": f"hashwarden/{__version__}"},
        )

    def __enter__(self) -> NcmecClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def first_page(self, start: datetime, end: datetime) -> bytes:
        """The first page of entries updated in ``[start, end)``."""
        url = httpx.URL(self.base_url + ENTRIES_PATH).copy_merge_params(
            {"from": format_time(start), "to": format_time(end)}
        )
        return self._get(url)

    def next_page(self, link: str) -> bytes:
        """The page a ``<paging><next>`` link names."""
        return self._get(self._resolve(link))

    def _resolve(self, link: str) -> httpx.URL:
        text = link.strip()
        try:
            parts = urlsplit(text)
        except ValueError:
            raise PullError("the service sent a malformed next link") from None
        if parts.scheme or parts.netloc:
            if (parts.scheme, parts.netloc) != self._origin:
                raise PullError(
                    "the service sent a next link to another host; refused (the credentials "
                    "would be sent there)"
                )
            url = text
        elif not text.startswith("/"):
            raise PullError("the service sent a next link that is not a path")
        elif self._base_path and text.startswith(self._base_path + "/"):
            url = f"{self._origin[0]}://{self._origin[1]}{text}"
        else:
            url = self.base_url + text
        if not urlsplit(url).path.endswith(ENTRIES_PATH):
            raise PullError("the service sent a next link to something other than /v2/entries")
        return httpx.URL(url)

    def _get(self, url: httpx.URL) -> bytes:
        where = url.path
        for attempt in range(1, self.attempts + 1):
            try:
                with self._http.stream("GET", url) as response:
                    status = response.status_code
                    if status == httpx.codes.OK:
                        return self._body(response, where)
                    retry_after = response.headers.get("Retry-After", "")
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {str(exc)[:200] or 'no detail'}"
                retry_after = ""
            except httpx.HTTPError as exc:  # e.g. a body that does not decode: not transient
                raise PullError(f"GET {where} failed: {type(exc).__name__}") from exc
            else:
                if status in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN):
                    raise PullAuthError(_auth_message(status, self.base_url))
                problem = f"HTTP {status} {httpx.codes.get_reason_phrase(status)}".rstrip()
                if not (status == httpx.codes.TOO_MANY_REQUESTS or status >= 500):
                    raise PullError(f"GET {where} failed: {problem}")
            if attempt == self.attempts:
                raise PullError(f"GET {where} failed after {attempt} attempts: {problem}")
            self._sleep(self._wait(attempt, retry_after))
        raise AssertionError("unreachable")

    def _body(self, response: httpx.Response, where: str) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_page_bytes:
                raise PullError(f"GET {where}: page larger than {self.max_page_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def _wait(self, attempt: int, retry_after: str) -> float:
        if retry_after.strip().isdigit():
            return min(MAX_WAIT, float(retry_after))
        # Jitter keeps several pullers that failed together from retrying in lockstep.
        return min(MAX_WAIT, self.backoff * 2.0 ** (attempt - 1)) * random.uniform(0.8, 1.2)


def _auth_message(status: int, base_url: str) -> str:
    if status == httpx.codes.UNAUTHORIZED:
        return (
            f"{base_url} rejected the credentials (HTTP 401): check {USER_ENV} and "
            f"{PASSWORD_ENV} (or the password file)"
        )
    return (
        f"{base_url} refused access (HTTP 403): the account may not use this hash-sharing "
        "service, or the service does not accept requests from this address"
    )
