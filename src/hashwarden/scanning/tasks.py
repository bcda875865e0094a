"""Work done on a Dask worker (or inline): hash a batch of files and the members of archives.

Functions here are module-level so Dask pickles them by reference; results are compact
``FileOutcome`` objects (``MediaHashes`` or an error string), never pixels or file bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hashwarden.core.errors import MediaError
from hashwarden.core.media.hashing import hash_media
from hashwarden.core.media.limits import DEFAULT_LIMITS, DecodeLimits
from hashwarden.core.robust.levels import RobustLevel
from hashwarden.scanning.archives import ArchiveLimits, Member, file_is_zip, iter_archive
from hashwarden.scanning.items import FileOutcome, ScanItem


@dataclass(frozen=True, slots=True)
class HashOptions:
    limits: DecodeLimits = DEFAULT_LIMITS
    archive_limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    #: Look inside ZIP files (and ZIP-based documents) and hash their members.
    open_archives: bool = True
    #: Compute the eight rotation/flip variants of PDQ (lets matching catch rotated copies).
    dihedral: bool = True
    #: Decode large JPEGs at reduced scale: PDQ close to, not equal to, the exact hash.
    fast: bool = False
    #: Repaired views and local features for matching edited copies (``core.robust``).
    robust: RobustLevel = RobustLevel.OFF
    #: Read camera, time and GPS facts (case scans).
    exif: bool = False


def hash_batch(items: Sequence[ScanItem], options: HashOptions) -> list[FileOutcome]:
    outcomes: list[FileOutcome] = []
    for item in items:
        outcomes.extend(hash_item(item, options))
    return outcomes


def hash_item(item: ScanItem, options: HashOptions) -> list[FileOutcome]:
    """The file's own outcome, then one per archive member when the file is a ZIP."""
    path = Path(item.path)
    outcomes = [_hash(path, item.id, options)]
    if options.open_archives and file_is_zip(path):
        for found in iter_archive(path, item.id, options.archive_limits):
            if isinstance(found, Member):
                outcomes.append(_hash(found.data, found.id, options))
            else:
                outcomes.append(found)
    return outcomes


def _hash(source: Path | bytes, item_id: str, options: HashOptions) -> FileOutcome:
    try:
        hashes = hash_media(
            source, name=item_id, limits=options.limits, require_image=False,
            dihedral=options.dihedral, fast=options.fast, robust=options.robust, exif=options.exif,
        )
    except MediaError as exc:
        message = exc.reason + (f" ({exc.detail})" if exc.detail else "")
        return FileOutcome(item_id, error=message, error_kind=type(exc).__name__)
    except Exception as exc:
        # One hostile file must not end the scan: record it and carry on.
        return FileOutcome(
            item_id, error=f"unexpected error: {type(exc).__name__}: {exc}"[:500],
            error_kind="internal_error",
        )
    return FileOutcome(item_id, hashes=hashes)
