"""CSV lists with a header row: one column per signal type plus the entry fields.

Default columns: every registered signal type (``md5, sha1, sha256, pdq, photodna, tmk_pdqf``),
then ``category`` (``scheme:value``), ``source``, ``external_id``, ``notes``, ``added_by``,
``added_at``. Headers match case-insensitively, signal columns also by the registry's aliases
(``PDNA``, ``SHA-1``), and ``FormatOptions.column_map`` renames a foreign CSV's headers. Empty
cells are absent values. A cell may hold several values of one type, one per line (quoted): signal
values never contain line breaks, so the split is lossless.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

from hashwarden.core.lists.models import Category, Entry, EntryData, Signal
from hashwarden.core.lists.records import ParsedRecord, RecordProblem
from hashwarden.formats.base import (
    DEFAULT_OPTIONS,
    FormatOptions,
    ListFormat,
    RawLine,
    Record,
    format_timestamp,
    iter_lines,
    parse_timestamp,
)

FIELD_COLUMNS = ("category", "source", "external_id", "notes", "added_by", "added_at")
#: Export-only columns, accepted and ignored on import.
IGNORED_COLUMNS = frozenset({"id", "removed_at"})


@dataclass(frozen=True, slots=True)
class _Column:
    index: int
    #: Signal type name, or one of FIELD_COLUMNS.
    target: str
    is_signal: bool


class CsvFormat(ListFormat):
    name = "csv"
    extensions = (".csv",)
    description = "CSV with a header row: a column per signal type, category, source, notes ..."

    def read(
        self, stream: TextIO, *, source: str, options: FormatOptions = DEFAULT_OPTIONS
    ) -> Iterator[Record]:
        columns: list[_Column] | None = None
        for row in csv_rows(stream, options.max_line_chars):
            if isinstance(row, RecordProblem):
                yield row
                continue
            start = row.line
            if columns is None:
                columns, problems = _header(row.cells, options)
                for message in problems:
                    yield RecordProblem(start, message)
                if not any(column.is_signal for column in columns):
                    return  # every row would fail the same way
                continue
            try:
                entry = _entry(row.cells, columns, options)
            except ValueError as exc:
                yield RecordProblem(start, str(exc))
                continue
            yield ParsedRecord(start, entry)

    def write(
        self, entries: Iterable[Entry], stream: TextIO, options: FormatOptions = DEFAULT_OPTIONS
    ) -> int:
        signal_columns = list(options.signal_columns) or [
            t.name for t in options.signals if t.shareable
        ]
        header = [*signal_columns, *FIELD_COLUMNS]
        if options.include_removed:
            header.append("removed_at")
        # RFC 4180 line ends; also makes the writer quote any cell holding a lone CR.
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(header)
        count = 0
        for entry in entries:
            if entry.is_removed and not options.include_removed:
                continue
            data = entry.data
            by_type: dict[str, list[str]] = {}
            for signal in data.signals:
                by_type.setdefault(signal.type, []).append(signal.value)
            row = ["\n".join(by_type.get(name, ())) for name in signal_columns]
            row += [
                "" if data.category is None else str(data.category),
                data.source,
                data.external_id,
                data.notes,
                data.added_by,
                format_timestamp(data.added_at or entry.added_at),
            ]
            if options.include_removed:
                row.append("" if entry.removed_at is None else format_timestamp(entry.removed_at))
            writer.writerow(row)
            count += 1
        return count


@dataclass(frozen=True, slots=True)
class CsvRow:
    """A non-blank CSV row and the line it starts on."""

    line: int
    cells: list[str]


def csv_rows(stream: TextIO, max_line_chars: int) -> Iterator[CsvRow | RecordProblem]:
    """The rows of a CSV with a header row, the header first; everything wrong as a problem.

    Malformed CSV, unreadable lines and rows whose width differs from the header's come back as
    problems with their line numbers; blank rows are skipped.
    """
    bad_lines: list[RawLine] = []
    lines = _CsvLines(iter_lines(stream, max_line_chars), bad_lines)
    reader = csv.reader(lines, strict=False)
    width: int | None = None
    while True:
        start = lines.consumed + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield from _line_problems(bad_lines)
            yield RecordProblem(start, f"malformed CSV: {exc}")
            continue
        spanned_bad = bool(bad_lines)
        yield from _line_problems(bad_lines)
        if spanned_bad or not any(cell.strip() for cell in row):
            continue
        if width is None:
            width = len(row)
        elif len(row) != width:
            yield RecordProblem(start, f"expected {width} columns as in the header, got {len(row)}")
            continue
        yield CsvRow(start, row)
    yield from _line_problems(bad_lines)


class _CsvLines:
    """Feeds csv.reader clean physical lines; bad ones become blank and are noted aside."""

    def __init__(self, lines: Iterator[RawLine], bad: list[RawLine]) -> None:
        self._lines = lines
        self._bad = bad
        self.consumed = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.consumed = line.number
        if line.problem is not None:
            self._bad.append(line)
            return "\n"
        return line.text + (line.ending or "\n")


def _line_problems(bad: list[RawLine]) -> Iterator[RecordProblem]:
    """The lines ``_CsvLines`` set aside, as problems (and forget them)."""
    for line in bad:
        yield RecordProblem(line.number, line.problem or "unreadable line")
    bad.clear()


def _header(row: list[str], options: FormatOptions) -> tuple[list[_Column], list[str]]:
    mapping = {k.strip().casefold(): v for k, v in options.column_map.items()}
    columns: list[_Column] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for index, cell in enumerate(row):
        raw = cell.strip()
        name = mapping.get(raw.casefold(), raw)
        folded = name.strip().casefold().replace(" ", "_")
        if not folded:
            continue
        if folded in FIELD_COLUMNS:
            target, is_signal = folded, False
        elif name in options.signals:
            target, is_signal = options.signals.canonical_name(name), True
        elif folded in IGNORED_COLUMNS:
            continue
        else:
            if options.strict:
                problems.append(f"unknown column {raw!r}")
            continue
        if target in seen and not is_signal:
            problems.append(f"columns {seen[target]!r} and {raw!r} both give {target!r}")
            continue
        seen[target] = raw
        columns.append(_Column(index, target, is_signal))
    if not any(column.is_signal for column in columns):
        problems.append(
            "header names no signal column (known: "
            + ", ".join(options.signals.names())
            + "); map foreign headers with a column mapping"
        )
    return columns, problems


def _entry(row: list[str], columns: list[_Column], options: FormatOptions) -> EntryData:
    signals: list[Signal] = []
    fields: dict[str, str] = {}
    for column in columns:
        cell = row[column.index]
        if column.is_signal:
            signals.extend(
                Signal(column.target, value.strip())
                for value in cell.splitlines()
                if value.strip()
            )
        else:
            fields[column.target] = cell
    if not signals:
        raise ValueError("row has no signal value")
    category_text = fields.pop("category", "").strip()
    category = Category.parse(category_text, options.default_scheme) if category_text else None
    added_text = fields.pop("added_at", "").strip()
    added_at = None
    if added_text:
        try:
            added_at = parse_timestamp(added_text)
        except ValueError:
            raise ValueError(f"'added_at' is not an ISO 8601 time: {added_text[:60]!r}") from None
    return EntryData(
        signals=tuple(signals),
        category=category,
        added_at=added_at,
        source=fields.get("source", ""),
        external_id=fields.get("external_id", ""),
        notes=fields.get("notes", ""),
        added_by=fields.get("added_by", ""),
    )
