"""Typed errors raised by the core. Adapters turn them into exit codes or HTTP problems."""

from __future__ import annotations

from pathlib import Path


class HashwardenError(Exception):
    """Base class for every error hashwarden raises on purpose."""


class MediaError(HashwardenError):
    """A media file could not be hashed. Always names the file."""

    reason = "unreadable media"

    def __init__(self, source: str | Path, detail: str = "") -> None:
        self.source = str(source)
        self.detail = detail
        message = f"{self.source}: {self.reason}"
        if detail:
            message += f" ({detail})"
        super().__init__(message)


class EmptyMediaError(MediaError):
    reason = "file is empty"


class UnsupportedMediaError(MediaError):
    reason = "unknown or unsupported file format"


class CorruptMediaError(MediaError):
    reason = "file is corrupt or truncated"


class MediaTooLargeError(MediaError):
    reason = "file exceeds the configured size or pixel limit"


class DecompressionBombError(MediaTooLargeError):
    reason = "decompression bomb: declared pixel count exceeds the limit"


class UnreadableMediaError(MediaError):
    reason = "file cannot be read"


class InvalidSignalError(HashwardenError, ValueError):
    """A hash string is malformed for its signal type, or the type is unknown."""


class UnknownSignalTypeError(InvalidSignalError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"unknown signal type {name!r}")


class ListError(HashwardenError):
    """A hash-list operation was refused."""


class ListNotFoundError(ListError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no hash list named {name!r}")


class ListExistsError(ListError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"a hash list named {name!r} already exists")


class EntryNotFoundError(ListError):
    def __init__(self, list_name: str, entry_id: int) -> None:
        super().__init__(f"list {list_name!r} has no live entry {entry_id}")


class ImportFormatError(HashwardenError):
    """An import file is malformed. Carries every bad line so the user can fix them all at once."""

    def __init__(self, source: str, problems: list[tuple[int, str]], total: int = 0) -> None:
        self.source = source
        #: The first bad lines (a huge broken file keeps only the first ones in memory).
        self.problems = problems
        #: Every bad line counted, including those not kept in ``problems``.
        self.total = max(total, len(problems))
        shown = "; ".join(f"line {line}: {msg}" for line, msg in problems[:20])
        more = f" (and {self.total - 20} more)" if self.total > 20 else ""
        super().__init__(f"{source}: {self.total} invalid line(s): {shown}{more}")


class ConfigError(HashwardenError):
    """A setting (environment variable, option) has an invalid value."""


class StorageError(HashwardenError):
    """The database is unreachable, locked or not migrated."""


class TokenError(HashwardenError, ValueError):
    """An API-token request was refused (bad name, role or list grants)."""


class TokenNotFoundError(TokenError):
    def __init__(self, token_id: int) -> None:
        self.token_id = token_id
        super().__init__(f"no API token with id {token_id}")


class AuditError(HashwardenError, ValueError):
    """An audit record cannot be logged as given (missing actor or action, details not JSON)."""


class ReviewError(HashwardenError, ValueError):
    """A hit-action or review request was refused (bad action, webhook, decision or reason)."""


class ReviewItemNotFoundError(ReviewError):
    def __init__(self, item_id: int) -> None:
        self.item_id = item_id
        super().__init__(f"no review item with id {item_id}")


class ReviewConflictError(ReviewError):
    """The item is claimed by someone else, already decided, or the caller's claim ran out."""
