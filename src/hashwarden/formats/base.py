"""The list-format extension point: one ``ListFormat`` subclass per import/export file format.

Modelled on python-threatexchange's exchange types: a format turns a text stream into records
(``ParsedRecord`` or ``RecordProblem``, each with the 1-based line number an editor shows) and
writes entries back out. Formats check structure only; signal values are validated afterwards by
the list service through the signal registry, so every problem is reported with its line.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, ClassVar, TextIO

from hashwarden.core.lists.models import Entry, HashList
from hashwarden.core.lists.records import ImportRecord
from hashwarden.core.signals.registry import SIGNALS, SignalRegistry

#: Longest line a reader accepts. Hash-list lines are short; a longer one is garbage or an
#: attack, and capping it keeps memory constant on multi-GB files.
MAX_LINE_CHARS = 1 << 20

#: What readers yield: an entry, a problem, or (exchange formats) a withdrawn entry.
Record = ImportRecord


@dataclass(frozen=True)
class FormatOptions:
    """Knobs shared by every format; a format ignores the ones it has no use for."""

    #: plain: the signal type of every line (required for 64-hex lines: sha256 or pdq).
    signal_type: str | None = None
    #: csv: foreign header -> hashwarden column, e.g. ``{"MD5 Hash": "md5"}`` (case-insensitive).
    column_map: Mapping[str, str] = field(default_factory=dict)
    #: Unknown columns (csv) or keys (jsonl) become problems instead of being ignored.
    strict: bool = False
    #: Scheme for categories given without ``scheme:`` (e.g. ``"A"`` under ``"iwf"``).
    default_scheme: str = ""
    #: Export: also write removed entries (with ``removed_at``).
    include_removed: bool = False
    #: Import (ncmec): yield a ``RemovedRecord`` per deletion in the file instead of skipping it.
    with_removals: bool = False
    #: Export (jsonl): the list written as the header line.
    list_header: HashList | None = None
    #: Export (csv): signal columns to write; default every registered type.
    signal_columns: tuple[str, ...] = ()
    #: Import (jsonl): called with the list described by the header line, if the file has one.
    on_header: Callable[[HashList], None] | None = None
    #: vics: regional profile (``US``, ``UK``, ``CA`` ...) for export, and for imports whose
    #: metadata URL names none; empty = the entries' own profile on export, else ``US``.
    profile: str = ""
    max_line_chars: int = MAX_LINE_CHARS
    signals: SignalRegistry = SIGNALS


DEFAULT_OPTIONS = FormatOptions()


class ListFormat(ABC):
    """One file format for hash lists."""

    name: ClassVar[str]
    #: Lower-case file-name endings this format claims (``.jsonl``), used to guess the format.
    extensions: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str] = ""

    @abstractmethod
    def read(
        self, stream: TextIO, *, source: str, options: FormatOptions = DEFAULT_OPTIONS
    ) -> Iterator[Record]:
        """Yield one record or problem per entry of ``stream``, lazily (constant memory)."""

    @abstractmethod
    def write(
        self, entries: Iterable[Entry], stream: TextIO, options: FormatOptions = DEFAULT_OPTIONS
    ) -> int:
        """Write ``entries`` to ``stream``; return how many were written."""


@dataclass(frozen=True, slots=True)
class RawLine:
    """One physical line: ``text`` without its ending, or ``problem`` when it is unusable."""

    number: int
    text: str
    ending: str
    problem: str | None = None


def open_for_read(path: Path) -> TextIO:
    """Open an import file so that bad bytes become per-line problems instead of exceptions."""
    return path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")


def text_stream(binary: BinaryIO) -> TextIO:
    """Wrap a binary stream (stdin, an upload) the same way as ``open_for_read``."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")


def iter_lines(stream: TextIO, max_chars: int = MAX_LINE_CHARS) -> Iterator[RawLine]:
    """Yield physical lines with 1-based numbers, each at most ``max_chars`` long in memory.

    Bad lines (too long, NUL, undecodable bytes) come back with ``problem`` set and no text.
    A stream opened with strict decoding stops at the first bad byte with a final problem line.
    """
    number = 0
    limit = max_chars + 2
    after_cr = False
    while True:
        try:
            chunk = stream.readline(limit)
        except UnicodeDecodeError as exc:
            # A strict decoder fails a whole buffer at once, so the line is only a lower bound.
            yield RawLine(
                number + 1, "", "", f"invalid UTF-8 at or after this line ({exc.reason}); stopped"
            )
            return
        if after_cr and chunk.startswith("\n"):
            # A CRLF split by the length cap: the LF belongs to the line already counted.
            chunk = chunk[1:]
            if not chunk:
                after_cr = False
                continue
        if not chunk:
            return
        number += 1
        text, ending = _split_ending(chunk)
        too_long = False
        while not ending:
            too_long = too_long or len(text) > max_chars
            if not too_long:
                break  # the last line of a stream without a final newline
            try:
                chunk = stream.readline(limit)
            except UnicodeDecodeError:
                chunk = ""
            if not chunk:
                break
            text, ending = _split_ending(chunk)
        after_cr = ending == "\r"
        if too_long or len(text) > max_chars:
            yield RawLine(number, "", ending, f"line longer than {max_chars} characters")
        elif "\x00" in text:
            yield RawLine(number, "", ending, "line contains a NUL byte")
        elif _has_undecodable(text):
            yield RawLine(number, "", ending, "line is not valid UTF-8")
        else:
            if number == 1 and text.startswith("\ufeff"):
                text = text[1:]
            yield RawLine(number, text, ending)


def content_lines(stream: TextIO, max_chars: int = MAX_LINE_CHARS) -> Iterator[RawLine]:
    """The lines of a one-item-per-line file that say something: stripped, without blank and
    ``#`` comment lines; unusable lines still come back with ``problem`` set."""
    for line in iter_lines(stream, max_chars):
        if line.problem is not None:
            yield line
            continue
        text = line.text.strip()
        if text and not text.startswith("#"):
            yield RawLine(line.number, text, line.ending)


def _split_ending(chunk: str) -> tuple[str, str]:
    if chunk.endswith("\r\n"):
        return chunk[:-2], "\r\n"
    if chunk.endswith(("\n", "\r")):
        return chunk[:-1], chunk[-1]
    return chunk, ""


def _has_undecodable(text: str) -> bool:
    # surrogateescape maps each undecodable byte to a lone surrogate U+DC80..U+DCFF.
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def format_timestamp(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``; naive times are taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_timestamp(text: str) -> datetime:
    """Parse ISO 8601; a time without offset is UTC. Raises ``ValueError``."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def open_for_write(path: Path) -> TextIO:
    """Open an export file: UTF-8, line ends written exactly as the format produces them."""
    return path.open("w", encoding="utf-8", newline="")
