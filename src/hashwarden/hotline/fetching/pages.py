"""HTML pages: decoding them and extracting the URLs of their images and videos."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx

from hashwarden.hotline.fetching.policy import DEFAULT_PORTS

IMAGE_EXTENSIONS = frozenset(
    {"jpg", "jpeg", "jpe", "jfif", "pjpeg", "png", "gif", "webp", "bmp", "tif", "tiff",
     "heic", "heif", "avif", "jxl"}
)  # fmt: skip
VIDEO_EXTENSIONS = frozenset(
    {"mp4", "m4v", "mov", "webm", "mkv", "avi", "wmv", "flv", "mpg", "mpeg", "3gp", "ogv"}
)  # fmt: skip
_OG_IMAGE_KEYS = frozenset(
    {"og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"}
)


@dataclass(frozen=True)
class Page:
    """An HTML page and the absolute URLs of its images and videos, in page order."""

    url: str
    status: int
    html: str = field(repr=False)
    images: tuple[str, ...]
    #: How many further media URLs the page had beyond ``max_images``.
    images_dropped: int = 0


def decode_html(content: bytes, content_type: str) -> str:
    """The page's text: BOM, then the Content-Type charset, then a ``<meta>`` one, else UTF-8."""
    charset = None
    if content.startswith(codecs.BOM_UTF8):
        charset = "utf-8-sig"
    else:
        match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
        if match is None:
            head = content[:2048].decode("ascii", errors="replace")
            match = re.search(r"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", head, re.IGNORECASE)
        charset = match.group(1) if match else None
    try:
        return content.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return content.decode("utf-8", errors="replace")


# --- Extracting media URLs -----------------------------------------------------------------


def extract_media_urls(html: str, page_url: str) -> list[str]:
    """Absolute http(s) URLs of the page's images and videos: deduplicated, in page order."""
    collector = _MediaCollector()
    collector.feed(html)
    collector.close()
    base = _join(page_url, collector.base) if collector.base else page_url
    urls: list[str] = []
    for raw in collector.found:
        url = _join(base or page_url, raw)
        if url is not None and url not in urls:
            urls.append(url)
    return urls


def _join(base: str, raw: str) -> str | None:
    """``raw`` resolved against ``base`` without its fragment; None unless http(s)."""
    # Browsers drop tabs and newlines inside URLs and trim the ends.
    cleaned = re.sub(r"[\t\n\r]", "", raw).strip()
    if not cleaned:
        return None
    try:
        url = httpx.URL(base).join(cleaned).copy_with(fragment=None)
    except (httpx.InvalidURL, ValueError):
        return None
    if url.scheme not in DEFAULT_PORTS or not url.host:
        return None
    return str(url)


def _has_media_extension(url: str) -> bool:
    name = url.split("#", 1)[0].split("?", 1)[0].rsplit("/", 1)[-1]
    _stem, dot, suffix = name.rpartition(".")
    return bool(dot) and suffix.lower() in IMAGE_EXTENSIONS | VIDEO_EXTENSIONS


def largest_srcset_candidate(srcset: str) -> str | None:
    """The URL of the widest (``w``) or else densest (``x``) candidate of a srcset."""
    best: str | None = None
    best_score = (-1, -1.0)
    for url, descriptor in _srcset_candidates(srcset):
        score = (0, 1.0)
        for token in descriptor.split():
            try:
                if token.endswith("w"):
                    score = (1, float(token[:-1]))
                elif token.endswith("x"):
                    score = (0, float(token[:-1]))
            except ValueError:
                continue
        if score > best_score:
            best, best_score = url, score
    return best


def _srcset_candidates(srcset: str) -> Iterator[tuple[str, str]]:
    """Split a srcset the way the HTML spec does: URLs may hold commas, descriptors parens."""
    pos, end = 0, len(srcset)
    while pos < end:
        while pos < end and (srcset[pos].isspace() or srcset[pos] == ","):
            pos += 1
        start = pos
        while pos < end and not srcset[pos].isspace():
            pos += 1
        url, descriptor = srcset[start:pos], ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            start, depth = pos, 0
            while pos < end:
                char = srcset[pos]
                if char == "(":
                    depth += 1
                elif char == ")" and depth:
                    depth -= 1
                elif char == "," and not depth:
                    break
                pos += 1
            descriptor = srcset[start:pos].strip()
        if url:
            yield url, descriptor


class _MediaCollector(HTMLParser):
    """Collects raw media URLs from tags; resolving them is left to the caller."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value for name, value in attrs if value is not None}
        get = values.get
        if tag == "base":
            if self.base is None and get("href"):
                self.base = get("href")
        elif tag == "img":
            # data-src / data-srcset: lazy-loading scripts keep the real image there.
            self._add(get("src"), get("data-src"))
            self._add_srcset(get("srcset"), get("data-srcset"))
        elif tag == "source":
            self._add_srcset(get("srcset"))
            src, kind = get("src"), get("type", "").lower()
            if src and (kind.startswith(("image/", "video/")) or _has_media_extension(src)):
                self._add(src)
        elif tag == "video":
            self._add(get("poster"), get("src"))
        elif tag == "a":
            href = get("href")
            if href and _has_media_extension(href):
                self._add(href)
        elif tag == "meta":
            key = (get("property") or get("name") or "").lower()
            if key in _OG_IMAGE_KEYS:
                self._add(get("content"))

    def _add(self, *urls: str | None) -> None:
        self.found.extend(url for url in urls if url)

    def _add_srcset(self, *srcsets: str | None) -> None:
        for srcset in srcsets:
            if srcset:
                self._add(largest_srcset_candidate(srcset))
