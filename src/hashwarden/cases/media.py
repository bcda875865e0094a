"""Where a case's media bytes come from when someone looks at them.

By default case media are only referenced: the seized files stay where they were scanned and are
read again by path. A deployment may instead keep encrypted copies (``storage.case_vault``), so
the console works after the seized disk is unplugged and nothing readable sits on the server.
"""

from __future__ import annotations

from typing import Protocol

from hashwarden.cases.interfaces import CaseError


class CaseMediaMissingError(CaseError):
    """The item's bytes are gone: the file moved, the disk is unplugged, the copy was purged."""


class CaseMediaStore(Protocol):
    #: True when ``keep`` stores a copy (the scan must hand in the bytes of every item).
    keeps_copies: bool

    def keep(self, case_id: int, path: str, data: bytes) -> None:
        """Remember ``data`` as the bytes of ``path`` in the case (a no-op when referencing)."""

    def read(self, case_id: int, path: str) -> bytes:
        """The item's bytes; ``CaseMediaMissingError`` when they cannot be had any more."""

    def forget_case(self, case_id: int) -> None:
        """Drop everything kept for the case (deleting a case never touches the seized media)."""
