"""Errors of list exchange: refused requests, and the reasons a feed page is rejected."""

from __future__ import annotations

from hashwarden.core.errors import HashwardenError, ListError


class FederationError(HashwardenError):
    """A key or subscription request was refused."""


class SigningKeyError(FederationError):
    """No signing key, a key exists already, or the private key cannot be opened."""


class NoSigningKeyError(SigningKeyError):
    def __init__(self) -> None:
        super().__init__("this instance has no signing key (`hashwarden keys create`)")


class SubscriptionNotFoundError(FederationError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no subscription named {name!r}")


class CursorMovedError(FederationError):
    """Another sync applied pages meanwhile; this one's page no longer continues the cursor."""


class MirrorListError(ListError):
    """Local edits to a list that mirrors a publisher's are refused.

    The mirror's content is whatever the publisher's signed feed says; a local edit would be
    silently overwritten or, worse, make the mirror diverge from the feed it claims to follow.
    """

    def __init__(self, list_name: str, subscription: str) -> None:
        super().__init__(
            f"list {list_name!r} mirrors subscription {subscription!r}: edit it at the "
            "publisher (or `hashwarden subscriptions remove` it to make it a local list)"
        )


class FeedError(HashwardenError):
    """A feed page was rejected; nothing of it may be applied."""


class MalformedPageError(FeedError):
    """The page is not a well-formed feed page (bad JSON, missing or mistyped fields)."""


class UntrustedKeyError(FeedError):
    """The page names a signing key the subscriber has not pinned (and cannot follow to)."""

    def __init__(self, message: str, key_id: str = "") -> None:
        super().__init__(message)
        #: The unpinned key the page was signed with, when known.
        self.key_id = key_id


class BadSignatureError(FeedError):
    """The manifest's signature does not verify: the manifest was altered or forged."""


class DigestMismatchError(FeedError):
    """The change lines are not the ones the signed manifest vouches for."""


class CountMismatchError(FeedError):
    """More or fewer change lines than the manifest announces (truncated or padded page)."""


class ReplayedPageError(FeedError):
    """The page does not continue from the subscriber's cursor (replayed or out of order)."""


class SequenceError(FeedError):
    """Change sequences are not strictly increasing within ``(since, until]``."""


class StalePageError(FeedError):
    """The page was issued too long ago (or too far in the future) to be trusted as current."""
