"""The fetcher: vets and pins every hop, follows redirects, reads bodies under the caps."""

from __future__ import annotations

import ipaddress
import re
import ssl
import time
from dataclasses import dataclass, field
from ipaddress import IPv6Address

import certifi
import httpx

from hashwarden.hotline.fetching.addresses import IPAddress, is_public_address
from hashwarden.hotline.fetching.errors import FetchFailed, FetchRefused
from hashwarden.hotline.fetching.pages import Page, decode_html, extract_media_urls
from hashwarden.hotline.fetching.policy import DEFAULT_PORTS, FetchPolicy
from hashwarden.hotline.fetching.resolver import Resolver, getaddrinfo, resolve
from hashwarden.hotline.fetching.transport import PinnedBackend, PinnedTransport

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Only single-layer codings: stacked ones ("gzip, gzip") multiply the expansion of each chunk
# before the size cap can see it.
_ALLOWED_ENCODINGS = frozenset({"", "identity", "gzip", "x-gzip", "deflate"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_HOSTNAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?")


@dataclass(frozen=True)
class Fetched:
    """A final (non-redirect) response."""

    url: str
    status: int
    content_type: str
    content: bytes = field(repr=False)


class SafeFetcher:
    """Fetches hostile URLs under a :class:`FetchPolicy`; safe to share between threads."""

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """``resolver`` and ``ssl_context`` replace getaddrinfo and the certifi CA bundle."""
        self.policy = policy or FetchPolicy()
        self._resolver = resolver or getaddrinfo
        # Built once: loading the CA bundle per fetch is slow. certifi, not the environment,
        # so SSL_CERT_FILE and the like cannot change what is trusted.
        self._ssl_context = ssl_context or ssl.create_default_context(cafile=certifi.where())

    def fetch(self, url: str) -> Fetched:
        """Fetch ``url`` (following vetted redirects) with the ``max_bytes`` cap."""
        return self._fetch(url, self.policy.max_bytes, "*/*", html_only=False)

    def fetch_page(self, url: str) -> Page:
        """Fetch an HTML page and list its image and video URLs."""
        cap = min(self.policy.max_page_bytes, self.policy.max_bytes)
        accept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
        fetched = self._fetch(url, cap, accept, html_only=True)
        html = decode_html(fetched.content, fetched.content_type)
        found = extract_media_urls(html, fetched.url)
        limit = self.policy.max_images
        return Page(
            url=fetched.url,
            status=fetched.status,
            html=html,
            images=tuple(found[:limit]),
            images_dropped=max(0, len(found) - limit),
        )

    def _fetch(self, url: str, cap: int, accept: str, *, html_only: bool) -> Fetched:
        policy = self.policy
        deadline = time.monotonic() + policy.total_timeout
        backend = PinnedBackend(deadline)
        timeout = httpx.Timeout(
            connect=policy.connect_timeout,
            read=policy.read_timeout,
            write=policy.read_timeout,
            pool=policy.connect_timeout,
        )
        headers = {"User-Agent": policy.user_agent, "Accept": accept,
                   "Accept-Encoding": "gzip, deflate"}  # fmt: skip
        # trust_env=False: proxy variables would add transports that resolve names themselves.
        client = httpx.Client(
            transport=PinnedTransport(backend, self._ssl_context),
            trust_env=False,
            follow_redirects=False,
            timeout=timeout,
            headers=headers,
        )
        try:
            with client:
                return self._follow(client, backend, url, cap, html_only, deadline)
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline:
                limit = f"{policy.total_timeout:g} s"
                raise FetchFailed(f"total time limit of {limit} exceeded") from None
            raise FetchFailed(_timeout_reason(exc)) from None
        except httpx.ConnectError as exc:
            raise FetchFailed(f"could not connect: {exc}") from None
        except httpx.HTTPError as exc:
            # Protocol errors can quote what the server sent, so only the kind is reported.
            raise FetchFailed(f"HTTP error ({type(exc).__name__})") from None

    def _follow(
        self,
        client: httpx.Client,
        backend: PinnedBackend,
        url: str,
        cap: int,
        html_only: bool,
        deadline: float,
    ) -> Fetched:
        # Fragments are never sent; dropping them keeps loop detection and final URLs plain.
        current = _parse_url(url).copy_with(fragment=None)
        visited: set[str] = set()
        for hop in range(self.policy.max_redirects + 1):
            host, port, addresses = self._vet(current, deadline)
            backend.pin(host, port, addresses)
            visited.add(str(current))
            with client.stream("GET", current) as response:
                location = response.headers.get("location")
                if response.status_code in _REDIRECT_STATUSES and location:
                    try:
                        target = response.url.join(location).copy_with(fragment=None)
                    except httpx.InvalidURL:
                        raise FetchRefused("redirect to an invalid URL") from None
                    if str(target) in visited:
                        raise FetchRefused(f"redirect loop at host {target.host}")
                    if hop == self.policy.max_redirects:
                        raise FetchRefused(f"more than {self.policy.max_redirects} redirects")
                    current = target
                    continue
                content_type = response.headers.get("content-type", "")
                if html_only and content_type and _media_type(content_type) not in _HTML_TYPES:
                    raise FetchRefused(f"not an HTML page ({_media_type(content_type)[:60]})")
                content = _read_capped(response, cap, deadline)
                return Fetched(str(response.url), response.status_code, content_type, content)
        raise AssertionError("unreachable: the loop returns or raises")

    def _vet(self, url: httpx.URL, deadline: float) -> tuple[str, int, tuple[str, ...]]:
        """Check one hop's URL and resolve it; returns the host, port and vetted addresses."""
        if url.scheme not in self.policy.allowed_schemes:
            raise FetchRefused(f"scheme {url.scheme!r} is not allowed")
        if url.userinfo:
            raise FetchRefused("URLs with credentials are refused")
        # raw_host is already IDNA-encoded by httpx: the form DNS, Host and SNI all use.
        host = url.raw_host.decode("ascii").lower()
        if not host:
            raise FetchRefused("URL has no host")
        port = url.port if url.port is not None else DEFAULT_PORTS[url.scheme]
        if not 0 < port < 65536:
            raise FetchRefused(f"port {port} is out of range")
        try:
            addresses: list[IPAddress] = [ipaddress.ip_address(host)]
        except ValueError:
            if len(host) > 254 or not _HOSTNAME.fullmatch(host) or not _idna_ok(url):
                raise FetchRefused("malformed host name") from None
            addresses = resolve(self._resolver, host, port, deadline)
        for address in addresses:
            # A zone index picks a local interface: meaningless for a public address.
            if isinstance(address, IPv6Address) and address.scope_id:
                raise FetchRefused(f"host {host} gives an address with a zone index")
            if not self._address_ok(host, address, port):
                raise FetchRefused(f"host {host} resolves to a non-public address ({address})")
        return host, port, tuple(str(address) for address in addresses)

    def _address_ok(self, host: str, address: IPAddress, port: int) -> bool:
        policy = self.policy
        if not (policy.allow_private or is_public_address(address)):
            return False
        return policy.address_allowed is None or policy.address_allowed(host, address, port)


def _parse_url(url: str) -> httpx.URL:
    try:
        return httpx.URL(url.strip())
    except (httpx.InvalidURL, ValueError):
        # IDNA errors arrive as plain ValueErrors (idna.IDNAError).
        raise FetchRefused("invalid URL") from None


def _idna_ok(url: httpx.URL) -> bool:
    try:
        url.host  # noqa: B018 - decoding the punycode labels is the check
    except ValueError:
        return False
    return True


def _timeout_reason(exc: httpx.TimeoutException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, httpx.WriteTimeout):
        return "sending the request timed out"
    return "the server stopped answering (read timed out)"


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _read_capped(response: httpx.Response, cap: int, deadline: float) -> bytes:
    """The decoded body, refused past ``cap`` bytes; the deadline also bounds each read."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in _ALLOWED_ENCODINGS:
        raise FetchRefused(f"unsupported content encoding {encoding[:40]!r}")
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > cap:
        raise FetchRefused(f"response of {int(declared)} bytes is over the {cap}-byte limit")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > cap:
            raise FetchRefused(f"response is over the {cap}-byte limit")
        chunks.append(chunk)
        if time.monotonic() >= deadline:
            raise httpx.ReadTimeout("total time limit reached")
    return b"".join(chunks)
