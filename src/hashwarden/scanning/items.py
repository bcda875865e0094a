"""What the scanner moves around: files to hash and what became of each one."""

from __future__ import annotations

import os
from dataclasses import dataclass

from hashwarden.core.media.models import MediaHashes

#: Separates an archive's id from a member name: ``photos.zip!/2019/img.jpg``.
MEMBER_SEPARATOR = "!/"


@dataclass(frozen=True, slots=True)
class ScanItem:
    """A regular file found by the walker. ``id`` is the stable name used in reports and resume."""

    id: str
    #: Filesystem path (``os.fsdecode`` form: undecodable bytes kept as surrogates).
    path: str
    size: int


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """One report line: the hashes of a file or archive member, or why there are none."""

    id: str
    hashes: MediaHashes | None = None
    error: str = ""
    #: Short machine-readable class of the error (``CorruptMediaError``, ``skipped``, ``zip_bomb``).
    error_kind: str = ""

    @property
    def ok(self) -> bool:
        return self.hashes is not None


def member_id(archive_id: str, name: str) -> str:
    return f"{archive_id}{MEMBER_SEPARATOR}{name}"


def display_name(name: str) -> str:
    """``name`` with undecodable bytes shown as ``\\xNN``, safe to print or put in CSV/HTML."""
    return os.fsencode(name).decode("utf-8", "backslashreplace") if _has_surrogates(name) else name


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)
