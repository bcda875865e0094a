"""Why a fetch produced no response: refused by the policy, or failed on the network."""

from __future__ import annotations

from hashwarden.core.errors import HashwardenError


class FetchError(HashwardenError):
    """A fetch that did not produce a response; ``reason`` says why (never with content)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# The names read as verdicts at the call site ("except FetchRefused"), hence no Error suffix.
class FetchRefused(FetchError):  # noqa: N818
    """The policy forbids it: bad URL, non-public address, too large, too many redirects."""


class FetchFailed(FetchError):  # noqa: N818
    """The network or the server failed: DNS, connection, timeouts, protocol errors."""
