"""The fetcher's responses from real local servers: pages and images, redirects, limits."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator

import pytest
from fetch_server import LOCAL, Handler, Route, Serve, redirect, send, serving

from hashwarden.hotline.fetching import (
    FetchFailed,
    FetchPolicy,
    FetchRefused,
    IPAddress,
    SafeFetcher,
    is_public_address,
)


@pytest.fixture
def serve() -> Iterator[Serve]:
    yield from serving()


# --- Pages and images ------------------------------------------------------------------------

PAGE = b"""<!doctype html><html><head>
<meta property="og:image" content="https://cdn.example.test/og.jpg">
<meta name="description" content="not an image">
</head><body>
<img src="/img/a.jpg"><img src="../img/a.jpg">
<img src="rel.png" srcset="small.jpg 320w, large.jpg 1024w, medium.jpg 640w">
<img srcset="one.jpg, two.jpg 2x">
<picture><source srcset="pic.webp 1x, pic-2x.webp 2x" type="image/webp">
<img src="pic.jpg"></picture>
<video poster="poster.png"><source src="clip.mp4" type="video/mp4"></video>
<a href="photo.JPG?size=full#top">photo</a> <a href="other.html">page</a>
<img src="data:image/png;base64,AAAA"> <a href="javascript:void(0)">x</a>
<img src="rel.png#again">
</body></html>"""


def test_a_page_lists_its_images_as_absolute_urls(serve: Serve) -> None:
    server = serve({"/dir/page.html": lambda h: send(h, PAGE, "text/html; charset=utf-8")})
    page = SafeFetcher(LOCAL).fetch_page(server.url("/dir/page.html"))
    base = server.url("/dir/")
    assert page.status == 200
    assert page.url == server.url("/dir/page.html")
    assert page.images == (
        "https://cdn.example.test/og.jpg",
        server.url("/img/a.jpg"),  # twice in the page, relative two ways: listed once
        base + "rel.png",
        base + "large.jpg",  # widest srcset candidate
        base + "two.jpg",  # densest
        base + "pic-2x.webp",
        base + "pic.jpg",
        base + "poster.png",
        base + "clip.mp4",
        base + "photo.JPG?size=full",
    )
    assert page.images_dropped == 0
    assert "<picture>" in page.html


def test_base_href_and_the_image_cap(serve: Serve) -> None:
    images = "".join(f'<img src="i{n}.jpg">' for n in range(80))
    html = f'<html><head><base href="/media/"></head><body>{images}</body></html>'.encode()
    server = serve({"/": lambda h: send(h, html, "text/html")})
    page = SafeFetcher(LOCAL).fetch_page(server.url("/"))
    assert len(page.images) == LOCAL.max_images == 50
    assert page.images[0] == server.url("/media/i0.jpg")
    assert page.images[-1] == server.url("/media/i49.jpg")
    assert page.images_dropped == 30


def test_fetch_returns_the_bytes_and_fetch_page_wants_html(serve: Serve) -> None:
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4
    server = serve({"/a.jpg": lambda h: send(h, jpeg, "image/jpeg")})
    fetcher = SafeFetcher(LOCAL)
    fetched = fetcher.fetch(server.url("/a.jpg"))
    assert (fetched.status, fetched.content_type, fetched.content) == (200, "image/jpeg", jpeg)
    assert fetcher.fetch(server.url("/gone.jpg")).status == 404
    with pytest.raises(FetchRefused, match="not an HTML page"):
        fetcher.fetch_page(server.url("/a.jpg"))


def test_gzip_is_decoded_and_the_cap_counts_decoded_bytes(serve: Serve) -> None:
    small = b"<html>" + b"x" * 1000 + b"</html>"
    bomb = gzip.compress(b"\0" * 5_000_000)
    twice = gzip.compress(gzip.compress(b"hello"))
    server = serve({
        "/small": lambda h: send(h, gzip.compress(small), "text/html",
                                  headers={"Content-Encoding": "gzip"}),
        "/bomb": lambda h: send(h, bomb, "text/html", headers={"Content-Encoding": "gzip"}),
        "/twice": lambda h: send(h, twice, "text/plain",
                                  headers={"Content-Encoding": "gzip, gzip"}),
    })  # fmt: skip
    fetcher = SafeFetcher(FetchPolicy(allow_private=True, max_bytes=100_000))
    assert fetcher.fetch(server.url("/small")).content == small
    assert len(bomb) < 100_000
    with pytest.raises(FetchRefused, match="100000-byte limit"):
        fetcher.fetch(server.url("/bomb"))
    with pytest.raises(FetchRefused, match="content encoding"):
        fetcher.fetch(server.url("/twice"))


# --- Redirects -------------------------------------------------------------------------------


def test_redirects_are_followed_within_the_limit(serve: Serve) -> None:
    server = serve({
        "/start": redirect("/middle", 301),
        "/middle": redirect("end?x=1#frag", 307),
        "/end": lambda h: send(h, b"done", "text/plain"),
    })  # fmt: skip
    fetched = SafeFetcher(LOCAL).fetch(server.url("/start"))
    assert fetched.content == b"done"
    assert fetched.url == server.url("/end?x=1")


def test_redirect_loops_and_long_chains_are_refused(serve: Serve) -> None:
    routes: dict[str, Route] = {"/a": redirect("/b"), "/b": redirect("/a")}
    for n in range(10):
        routes[f"/chain/{n}"] = redirect(f"/chain/{n + 1}")
    server = serve(routes)
    with pytest.raises(FetchRefused, match="redirect loop"):
        SafeFetcher(LOCAL).fetch(server.url("/a"))
    server.requests.clear()
    three = FetchPolicy(allow_private=True, max_redirects=3)
    with pytest.raises(FetchRefused, match="more than 3 redirects"):
        SafeFetcher(three).fetch(server.url("/chain/0"))
    assert [path for path, _ in server.requests] == [f"/chain/{n}" for n in range(4)]


def test_a_redirect_to_a_private_address_is_refused(serve: Serve) -> None:
    inside = serve({"/": lambda h: send(h, b"internal", "text/plain")})
    outside = serve({
        "/to-inside": redirect(inside.url("/")),
        "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
        "/to-ten": redirect("http://10.0.0.1:8080/"),
        "/to-file": redirect("file:///etc/passwd"),
        "/to-creds": redirect(f"http://admin:admin@127.0.0.1:{inside.port}/"),
    })  # fmt: skip

    def outside_is_public(host: str, address: IPAddress, port: int) -> bool:
        # Stands in for a public host: the outside server alone passes, all else gets the rules.
        return port == outside.port or is_public_address(address)

    policy = FetchPolicy(allow_private=True, address_allowed=outside_is_public,
                         connect_timeout=0.5, total_timeout=3.0)  # fmt: skip
    fetcher = SafeFetcher(policy)
    for path, reason in [("/to-inside", "non-public"), ("/to-metadata", "non-public"),
                         ("/to-ten", "non-public"), ("/to-file", "scheme"),
                         ("/to-creds", "credentials")]:  # fmt: skip
        with pytest.raises(FetchRefused, match=reason):
            fetcher.fetch(outside.url(path))
    assert inside.connections == 0


# --- Size and time limits ----------------------------------------------------------------------


def _chunked(handler: Handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/octet-stream")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    for _ in range(50):
        handler.wfile.write(b"3e8\r\n" + b"z" * 1000 + b"\r\n")
    handler.wfile.write(b"0\r\n\r\n")


def test_oversized_bodies_are_refused(serve: Serve) -> None:
    big = b"y" * 10_000
    server = serve({
        "/declared": lambda h: send(h, big, "image/jpeg"),
        "/chunked": _chunked,
        "/page": lambda h: send(h, b"<html>" + big + b"</html>", "text/html"),
    })  # fmt: skip
    small = SafeFetcher(FetchPolicy(allow_private=True, max_bytes=5_000))
    with pytest.raises(FetchRefused, match="response of 10000 bytes is over the 5000-byte"):
        small.fetch(server.url("/declared"))
    with pytest.raises(FetchRefused, match="over the 5000-byte limit"):
        small.fetch(server.url("/chunked"))
    pages = SafeFetcher(FetchPolicy(allow_private=True, max_page_bytes=5_000))
    assert len(pages.fetch(server.url("/page")).content) == 10_013
    with pytest.raises(FetchRefused, match="5000-byte limit"):
        pages.fetch_page(server.url("/page"))


def test_a_trickling_server_hits_the_total_time_limit(serve: Serve) -> None:
    def trickle(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        for _ in range(1000):
            if handler.server.stop.wait(0.05):
                return
            handler.wfile.write(b"x")
            handler.wfile.flush()

    server = serve({"/": trickle})
    # Each byte comes well within the read timeout: only the total limit can stop this.
    policy = FetchPolicy(allow_private=True, read_timeout=5.0, total_timeout=0.8)
    started = time.monotonic()
    with pytest.raises(FetchFailed, match=r"total time limit of 0\.8 s exceeded"):
        SafeFetcher(policy).fetch(server.url("/"))
    assert time.monotonic() - started < 2


def test_a_silent_server_hits_the_read_timeout(serve: Serve) -> None:
    server = serve({"/": lambda h: h.server.stop.wait(10) and None})
    policy = FetchPolicy(allow_private=True, read_timeout=0.3, total_timeout=10.0)
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="read timed out"):
        SafeFetcher(policy).fetch(server.url("/"))
    assert time.monotonic() - started < 2
