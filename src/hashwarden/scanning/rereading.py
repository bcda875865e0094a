"""The bytes of hashed items, read again in the scan's parent process (to keep copies of them).

Workers send back hashes, never bytes, so a caller that needs the bytes reads them here: plain
files by path, archive members by opening each archive once for all its members in the batch
(a ZIP's members always arrive in the batch of the ZIP itself). Each item's SHA-256 is checked
against what the worker hashed: a copy must be of the very bytes the case records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from hashwarden.core.errors import HashwardenError
from hashwarden.scanning.archives import ArchiveLimits, Member, iter_archive
from hashwarden.scanning.items import MEMBER_SEPARATOR, display_name


class ItemChangedError(HashwardenError):
    """A scanned item cannot be read again as it was hashed (moved, changed, unreadable)."""

    def __init__(self, item_id: str, why: str) -> None:
        super().__init__(
            f"{display_name(item_id)}: {why} since it was hashed, so no copy was kept; "
            "mount seized media read-only and run the scan again (it resumes)"
        )


def read_again(
    items: Sequence[tuple[str, str]], limits: ArchiveLimits = ArchiveLimits()
) -> Iterator[tuple[str, bytes]]:
    """``(id, bytes)`` of every ``(id, sha256)`` given, one item in memory at a time.

    ``limits`` must be the scan's, so an archive yields the same members under the same ids.
    """
    expected = dict(items)
    members: dict[str, set[str]] = {}
    for item_id, sha256 in expected.items():
        source = _source_file(item_id)
        if source is None:
            raise ItemChangedError(item_id, "it is not there any more")
        if source == item_id:
            yield item_id, _checked(item_id, _read_file(item_id), sha256)
        else:
            members.setdefault(source, set()).add(item_id)
    for archive, wanted in members.items():
        for found in iter_archive(Path(archive), archive, limits):
            if isinstance(found, Member) and found.id in wanted:
                wanted.discard(found.id)
                yield found.id, _checked(found.id, found.data, expected[found.id])
                if not wanted:
                    break
        if wanted:
            raise ItemChangedError(min(wanted), "its archive no longer holds it")


def _source_file(item_id: str) -> str | None:
    """The file on disk that holds the item: itself, or the outermost archive it came from.

    Tried prefix by prefix because a folder may be named ``x!``, making ``x!/a.jpg`` a plain file.
    """
    if Path(item_id).is_file():
        return item_id
    index = item_id.find(MEMBER_SEPARATOR)
    while index >= 0:
        if Path(item_id[:index]).is_file():
            return item_id[:index]
        index = item_id.find(MEMBER_SEPARATOR, index + 1)
    return None


def _read_file(item_id: str) -> bytes:
    try:
        return Path(item_id).read_bytes()
    except OSError as exc:
        raise ItemChangedError(item_id, f"it became unreadable ({exc.strerror})") from exc


def _checked(item_id: str, data: bytes, sha256: str) -> bytes:
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ItemChangedError(item_id, "its content changed")
    return data
