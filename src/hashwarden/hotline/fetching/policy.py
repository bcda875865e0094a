"""The limits of one fetch: sizes, timeouts, redirects, schemes, reachable addresses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hashwarden.hotline.fetching.addresses import IPAddress

#: Decides whether ``(host, address, port)`` may be reached, on top of the built-in rules.
AddressCheck = Callable[[str, IPAddress, int], bool]

MiB = 1024 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one fetch; ``total_timeout`` bounds everything from DNS to the last byte."""

    max_bytes: int = 20 * MiB
    max_page_bytes: int = 2 * MiB
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 20.0
    max_redirects: int = 5
    max_images: int = 50
    allowed_schemes: frozenset[str] = frozenset({"http", "https"})
    #: Tests only: lets loopback and private addresses through the built-in rules.
    allow_private: bool = False
    #: Extra say on each resolved address of every hop; it can only refuse more.
    address_allowed: AddressCheck | None = None
    user_agent: str = "hashwarden-hotline-fetcher/1.0"

    def __post_init__(self) -> None:
        if not self.allowed_schemes <= {"http", "https"}:
            raise ValueError("only http and https can be allowed")
        limits = (self.max_bytes, self.max_page_bytes, self.max_images)
        timeouts = (self.connect_timeout, self.read_timeout, self.total_timeout)
        if min(limits) <= 0 or min(timeouts) <= 0 or self.max_redirects < 0:
            raise ValueError("limits and timeouts must be positive")
