"""Fetching reported URLs for assessment: SSRF-safe, bounded in time and size.

The URL comes from the public, so every hop is treated as hostile. The host is resolved here,
every address it resolves to must be public, and the connection then goes to one of those
vetted addresses: httpx never resolves the name itself, so a DNS answer that changes between
the check and the connection (rebinding) cannot steer it elsewhere. This works through an
httpcore network backend (public httpcore API) behind a small httpx transport, because
``httpx.HTTPTransport`` takes no network backend. The Host header and the TLS server name
stay the URL's own host, so virtual hosting and certificate checks work as usual.

Nothing fetched is logged or kept; error messages name hosts and addresses, never content.

- ``errors``: ``FetchError`` and its two kinds, ``FetchRefused`` and ``FetchFailed``.
- ``addresses``: the public-address classifier and the extra blocked ranges.
- ``policy``: ``FetchPolicy``, the limits of one fetch.
- ``resolver``: DNS resolution bounded by the fetch's deadline.
- ``transport``: the pinned network backend, its deadline stream and the httpx transport.
- ``pages``: HTML decoding and image and video URL extraction; ``Page``.
- ``fetcher``: ``SafeFetcher``: vetting each hop, redirects, capped body reading; ``Fetched``.
"""

from hashwarden.hotline.fetching.addresses import (
    EXTRA_BLOCKED_NETWORKS,
    IPAddress,
    is_public_address,
)
from hashwarden.hotline.fetching.errors import FetchError, FetchFailed, FetchRefused
from hashwarden.hotline.fetching.fetcher import Fetched, SafeFetcher
from hashwarden.hotline.fetching.pages import (
    IMAGE_EXTENSIONS,
    VIDEO_EXTENSIONS,
    Page,
    extract_media_urls,
    largest_srcset_candidate,
)
from hashwarden.hotline.fetching.policy import DEFAULT_PORTS, AddressCheck, FetchPolicy, MiB
from hashwarden.hotline.fetching.resolver import Resolver

__all__ = [
    "DEFAULT_PORTS",
    "EXTRA_BLOCKED_NETWORKS",
    "IMAGE_EXTENSIONS",
    "VIDEO_EXTENSIONS",
    "AddressCheck",
    "FetchError",
    "FetchFailed",
    "FetchPolicy",
    "FetchRefused",
    "Fetched",
    "IPAddress",
    "MiB",
    "Page",
    "Resolver",
    "SafeFetcher",
    "extract_media_urls",
    "is_public_address",
    "largest_srcset_candidate",
]
