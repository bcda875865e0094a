"""Members of ZIP archives, read into memory (never extracted) behind zip-bomb guards.

Header sizes are not trusted: each member is read in chunks and abandoned as soon as it exceeds
the per-member cap, the archive's remaining total budget, or ``max_ratio`` times the compressed
size the reader actually consumes from. Unsafe names (``../``, absolute paths) are reported and
their content skipped, encrypted members are reported, and archives nested in archives are opened
down to ``max_depth``.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from hashwarden.scanning.items import FileOutcome, member_id

MIB = 1024 * 1024
_CHUNK = MIB
#: Local-file-header and end-of-central-directory signatures (the latter: an empty archive).
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    max_members: int = 10_000
    max_member_bytes: int = 256 * MIB
    #: Uncompressed bytes read from one archive on disk, nested archives included.
    max_total_bytes: int = 1024 * MIB
    #: Largest uncompressed/compressed ratio accepted for a member above ``ratio_free_bytes``.
    max_ratio: int = 100
    ratio_free_bytes: int = MIB
    #: Archive inside archive inside archive: depth 2 opens the first level of nesting.
    max_depth: int = 2


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    data: bytes
    depth: int


@dataclass(slots=True)
class _Budget:
    remaining: int
    seen_ids: set[str] = field(default_factory=set)


class _RefusedError(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def is_zip(head: bytes) -> bool:
    return head[:4] in _ZIP_MAGIC


def file_is_zip(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return is_zip(handle.read(4))
    except OSError:
        return False


def iter_archive(
    source: Path | bytes, archive_id: str, limits: ArchiveLimits = ArchiveLimits()
) -> Iterator[Member | FileOutcome]:
    """Every member of the ZIP ``source`` (and of ZIPs inside it) or the problem with it."""
    yield from _iter_zip(source, archive_id, limits, 1, _Budget(limits.max_total_bytes))


def _iter_zip(
    source: Path | bytes, archive_id: str, limits: ArchiveLimits, depth: int, budget: _Budget
) -> Iterator[Member | FileOutcome]:
    try:
        handle: BinaryIO = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
        with handle, zipfile.ZipFile(handle) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            if len(infos) > limits.max_members:
                yield _archive_problem(
                    archive_id, budget, "too_many_members",
                    f"{len(infos)} members > limit {limits.max_members}; only the first are read",
                )
                infos = infos[: limits.max_members]
            for info in infos:
                yield from _member(archive, info, archive_id, limits, depth, budget)
                if budget.remaining <= 0:
                    yield _archive_problem(
                        archive_id, budget, "zip_bomb",
                        f"archive expands beyond {limits.max_total_bytes} bytes; rest not read",
                    )
                    return
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        yield _archive_problem(
            archive_id, budget, "corrupt_archive", f"unreadable ZIP archive: {exc}"
        )


def _member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    archive_id: str,
    limits: ArchiveLimits,
    depth: int,
    budget: _Budget,
) -> Iterator[Member | FileOutcome]:
    item_id = _unique(member_id(archive_id, info.filename), budget)
    unsafe = unsafe_name(info.filename)
    if unsafe is not None:
        yield FileOutcome(item_id, error=f"unsafe member name ({unsafe}); not read",
                          error_kind="unsafe_name")
        return
    if info.flag_bits & 0x1:
        yield FileOutcome(item_id, error="encrypted member; not read", error_kind="encrypted")
        return
    try:
        data = _read_bounded(archive, info, limits, budget)
    except _RefusedError as exc:
        yield FileOutcome(item_id, error=str(exc), error_kind=exc.kind)
        return
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
            NotImplementedError) as exc:
        yield FileOutcome(item_id, error=f"member unreadable: {exc}", error_kind="corrupt_archive")
        return
    yield Member(item_id, data, depth)
    if is_zip(data):
        if depth >= limits.max_depth:
            yield _archive_problem(
                item_id, budget, "nested_too_deep",
                f"archive nested deeper than {limits.max_depth}; its members are not read",
            )
        else:
            yield from _iter_zip(data, item_id, limits, depth + 1, budget)


def _read_bounded(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ArchiveLimits, budget: _Budget
) -> bytes:
    # The reader consumes at most compress_size bytes of the archive, so the ratio bound holds
    # whatever the header's file_size claims.
    by_ratio = max(limits.ratio_free_bytes, limits.max_ratio * info.compress_size)
    allowed = min(limits.max_member_bytes, by_ratio, budget.remaining)
    chunks: list[bytes] = []
    total = 0
    with archive.open(info) as stream:
        while chunk := stream.read(min(_CHUNK, allowed - total + 1)):
            total += len(chunk)
            if total > allowed:
                budget.remaining -= total
                raise _overflow(total, allowed, by_ratio, limits, budget)
            chunks.append(chunk)
    budget.remaining -= total
    return b"".join(chunks)


def _overflow(
    total: int, allowed: int, by_ratio: int, limits: ArchiveLimits, budget: _Budget
) -> _RefusedError:
    if allowed == by_ratio:
        return _RefusedError(
            "zip_bomb",
            f"zip bomb suspected: member expands beyond {limits.max_ratio}x its compressed size",
        )
    if allowed == limits.max_member_bytes:
        return _RefusedError("too_large", f"member larger than {limits.max_member_bytes} bytes")
    return _RefusedError("zip_bomb", f"archive expands beyond {limits.max_total_bytes} bytes")


def unsafe_name(name: str) -> str | None:
    """Why ``name`` would escape an extraction directory, or ``None`` if it would not."""
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or _DRIVE.match(normalised):
        return "absolute path"
    if ".." in normalised.split("/"):
        return "path traversal"
    if "\x00" in name:
        return "NUL in name"
    return None


def _unique(item_id: str, budget: _Budget) -> str:
    # Archives may repeat a name; report ids must stay unique.
    candidate, n = item_id, 1
    while candidate in budget.seen_ids:
        n += 1
        candidate = f"{item_id}#{n}"
    budget.seen_ids.add(candidate)
    return candidate


def _archive_problem(archive_id: str, budget: _Budget, kind: str, message: str) -> FileOutcome:
    # The archive's own line carries its hashes; archive-wide problems get the "<id>!/" line.
    return FileOutcome(
        _unique(member_id(archive_id, ""), budget), error=message, error_kind=kind
    )
