"""A local fake of NCMEC hash sharing v2 ``GET /v2/entries``: a real HTTP server in a thread.

Shapes as python-threatexchange's NCMEC client and its test pages have them
(``threatexchange/exchanges/clients/ncmec/hash_api.py`` and ``tests/data.py``): basic auth;
``{prefix}/v2/entries?from=..&to=..`` answers ``<queryResult>`` with ``<images>`` and ``<videos>``
sections (``count``, ``maxTimestamp``) holding ``image``/``video`` and
``deletedImage``/``deletedVideo`` entries, and, while more pages remain,
``<paging><next>/v2/entries?from=..&to=..&start=..&size=..&max=..</next></paging>``: a path
without the service prefix, times with milliseconds (``2017-10-20T00%3A00%3A00.000Z``).

Entries updated in ``[from, to)`` are served in a scrambled order (not by time), ``page_size``
per page. Faults are injected per page number: an HTTP status, a dropped connection, a cut body.
"""

from __future__ import annotations

import base64
import hashlib
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit
from xml.sax.saxutils import escape, quoteattr

NAMESPACE = "https://hashsharing.ncmec.org/hashsharing/v2"
USER = "pull-tester"
PASSWORD = "s3cret-Pa55word-for-tests"


@dataclass(frozen=True)
class FakeEntry:
    member: str
    id: str
    timestamp: datetime
    kind: str = "image"
    deleted: bool = False
    classification: str | None = "A1"
    #: NCMEC fingerprint element -> value (``md5``, ``sha1``, ``pdna``, ``tmk-pdqf``).
    fingerprints: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Served:
    path: str
    query: dict[str, str]
    page: int
    status: int
    authorized: bool


def scrambled(entries: list[FakeEntry]) -> list[FakeEntry]:
    """A stable order that is not time order (as NCMEC's pages are)."""
    return sorted(entries, key=lambda e: hashlib.sha256(
        f"{e.member}/{e.id}/{e.timestamp.isoformat()}/{e.deleted}".encode()).digest())


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hangs up mid-answer (a refused oversized page) is expected here.
        pass


class FakeNcmec:
    def __init__(self, *, page_size: int = 3, prefix: str = "/hashsharing") -> None:
        self.page_size = page_size
        self.prefix = prefix
        self.entries: list[FakeEntry] = []
        self.order: Callable[[list[FakeEntry]], list[FakeEntry]] = scrambled
        #: page number -> HTTP status it answers (every time) instead of the page.
        self.fail_pages: dict[int, int] = {}
        #: page number -> how many more times the connection is dropped without an answer.
        self.drop_pages: dict[int, int] = {}
        #: page number -> how many more times the page answers ``status`` first.
        self.flaky_pages: dict[int, tuple[int, int]] = {}
        self.cut_pages: set[int] = set()
        #: Put before next links (another origin, or the service prefix).
        self.next_base = ""
        self.served: list[Served] = []
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.prefix}"

    def start(self) -> FakeNcmec:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def page_requests(self) -> list[Served]:
        with self._lock:
            return [s for s in self.served if s.page]

    # -- serving ---------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                fake._serve(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        authorized = request.headers.get("Authorization") == expected
        page = 0
        if not authorized:
            status, body = 401, b"<error>unauthorized</error>"
        elif parts.path != f"{self.prefix}/v2/entries":
            status, body = 404, b"<error>not found</error>"
        else:
            status, page, body = self._entries(query)
        with self._lock:
            self.served.append(Served(parts.path, query, page, status, authorized))
            drop = self.drop_pages.get(page, 0)
            if drop:
                self.drop_pages[page] = drop - 1
            flaky = self.flaky_pages.get(page)
            if flaky and flaky[1]:
                self.flaky_pages[page] = (flaky[0], flaky[1] - 1)
                status, body = flaky[0], b"<error>try again</error>"
        if drop:
            request.close_connection = True
            return
        if page in self.fail_pages:
            status, body = self.fail_pages[page], b"<error>server error</error>"
        if status == 200 and page in self.cut_pages:
            body = body[: len(body) // 2]
        request.send_response(status)
        if status == 401:
            request.send_header("WWW-Authenticate", 'Basic realm="hashsharing"')
        if status in (429, 503):
            request.send_header("Retry-After", "0")
        request.send_header("Content-Type", "application/xml; charset=utf-8")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def _entries(self, query: dict[str, str]) -> tuple[int, int, bytes]:
        try:
            start, end = parse_time(query["from"]), parse_time(query["to"])
            first = int(query.get("start", "1"))
            size = int(query.get("size", str(self.page_size)))
        except (KeyError, ValueError):
            return 400, 0, b"<error>bad request</error>"
        with self._lock:
            chosen = self.order([e for e in self.entries if start <= e.timestamp < end])
        items = chosen[first - 1 : first - 1 + size]
        next_link = ""
        if first - 1 + size < len(chosen):
            next_link = (
                f"{self.next_base}/v2/entries?from={quote(next_time(start))}"
                f"&to={quote(next_time(end))}&start={first + size}&size={size}&max={len(chosen)}"
            )
        page = (first - 1) // size + 1
        return 200, page, render_page(items, next_link).encode()


def parse_time(text: str) -> datetime:
    for pattern in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(text)


def next_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def render_page(items: list[FakeEntry], next_link: str) -> str:
    sections = []
    for kind, section in (("image", "images"), ("video", "videos")):
        mine = [e for e in items if e.kind == kind]
        if not mine:
            continue
        newest = max(e.timestamp for e in mine).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = "".join(_render_entry(e) for e in mine)
        sections.append(f'  <{section} count="{len(mine)}" maxTimestamp="{newest}">\n{body}'
                        f"  </{section}>\n")
    paging = f"  <paging>\n    <next>{escape(next_link)}</next>\n  </paging>\n" if next_link else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<queryResult xmlns="{NAMESPACE}">\n{"".join(sections)}{paging}</queryResult>\n')


def _render_entry(entry: FakeEntry) -> str:
    stamp = entry.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    member = f"<member id={quoteattr(entry.member)}>Member {escape(entry.member)}</member>"
    if entry.deleted:
        tag = "deletedImage" if entry.kind == "image" else "deletedVideo"
        return (f"    <{tag}>\n      {member}\n      <id>{escape(entry.id)}</id>\n"
                f"      <timestamp>{stamp}</timestamp>\n    </{tag}>\n")
    prints = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in entry.fingerprints.items())
    classification = (f"      <classification>{entry.classification}</classification>\n"
                      if entry.classification else "")
    return (f"    <{entry.kind}>\n      {member}\n      <timestamp>{stamp}</timestamp>\n"
            f"      <id>{escape(entry.id)}</id>\n{classification}"
            f"      <fingerprints>{prints}</fingerprints>\n    </{entry.kind}>\n")


class EntryMaker:
    """Synthetic entries: random hashes (benign), members, ids and times after ``base``."""

    def __init__(self, seed: int = 1, base: datetime = datetime(2024, 3, 1, tzinfo=UTC)) -> None:
        self.rng = random.Random(seed)
        self.base = base
        self.count = 0

    def image(self, member: str = "42", *, hours: float | None = None,
              classification: str = "A1") -> FakeEntry:
        self.count += 1
        return FakeEntry(member, f"img-{self.count}", self._time(hours), "image",
                         classification=classification, fingerprints={
                             "md5": f"{self.rng.getrandbits(128):032x}",
                             "sha1": f"{self.rng.getrandbits(160):040x}",
                             "pdna": base64.b64encode(self.rng.randbytes(144)).decode()})

    def video(self, member: str = "43", *, hours: float | None = None) -> FakeEntry:
        self.count += 1
        return FakeEntry(member, f"vid-{self.count}", self._time(hours), "video",
                         classification="B1", fingerprints={
                             "md5": f"{self.rng.getrandbits(128):032x}",
                             "tmk-pdqf": base64.b64encode(self.rng.randbytes(300)).decode()})

    def batch(self, count: int, *, hours: tuple[float, float] = (0, 48)) -> Iterator[FakeEntry]:
        for number in range(count):
            at = self.rng.uniform(*hours)
            yield self.image(hours=at) if number % 4 else self.video(hours=at)

    def _time(self, hours: float | None) -> datetime:
        offset = self.rng.uniform(0, 48) if hours is None else hours
        return (self.base + timedelta(hours=offset)).replace(microsecond=0)


def deleted(entry: FakeEntry, *, hours_later: float = 1) -> FakeEntry:
    """The deletion notice of ``entry``, stamped after it."""
    return FakeEntry(entry.member, entry.id, entry.timestamp + timedelta(hours=hours_later),
                     entry.kind, deleted=True, classification=None)
