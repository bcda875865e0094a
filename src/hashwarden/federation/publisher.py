"""The publishing side: a list's changes since N as one signed feed page.

A snapshot is just ``since=0``: the change log replays the whole list, tombstones included, so
a subscriber needs no second code path to start. Pages are bounded by ``limit``; the manifest
(line 1) covers a digest of the change lines, so those are encoded before it and the page is
then handed out line by line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hashwarden.core.lists.interfaces import ListStore
from hashwarden.core.lists.models import Change, ChangeOp
from hashwarden.federation.envelope import change_line, sign_page
from hashwarden.federation.keys import KeyService
from hashwarden.formats.base import format_timestamp
from hashwarden.formats.jsonl import entry_to_json

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SignedPage:
    manifest: bytes
    body: list[bytes]
    #: Sequence of the last change on the page (``since`` when it is empty).
    until: int

    @property
    def count(self) -> int:
        return len(self.body)

    def lines(self) -> Iterator[bytes]:
        yield self.manifest
        yield from self.body


class Publisher:
    def __init__(
        self,
        store: ListStore,
        keys: KeyService,
        publisher_id: str,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._store = store
        self._keys = keys
        self._publisher_id = publisher_id
        self._clock = clock

    def page(self, list_name: str, since: int, limit: int = DEFAULT_LIMIT) -> SignedPage:
        """The list's changes after ``since`` (at most ``limit``), signed with the current key."""
        signer = self._keys.signer()  # first: no key, no work
        changes = self._store.changes_since(list_name, since, max(1, min(limit, MAX_LIMIT)))
        body = [change_line(c.sequence, c.op, _wire_entry(c)) for c in changes]
        until = changes[-1].sequence if changes else since
        manifest = sign_page(
            body,
            private_key=signer.private_key,
            publisher=self._publisher_id,
            list_name=list_name,
            since=since,
            until=until,
            issued_at=format_timestamp(self._clock()),
        )
        return SignedPage(manifest, body, until)


def _wire_entry(change: Change) -> dict[str, Any]:
    """The entry as a change line carries it: a removal needs only the id (and when)."""
    if change.op is ChangeOp.REMOVE:
        removed_at = change.entry.removed_at or change.at
        return {"id": change.entry.id, "removed_at": format_timestamp(removed_at)}
    return entry_to_json(change.entry, with_removed=True)
