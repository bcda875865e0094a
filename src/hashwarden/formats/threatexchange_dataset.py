"""The CSV ``threatexchange dataset -P --csv`` prints: a row per signal and collaboration.

Source, python-threatexchange 1.2.17: ``threatexchange/cli/dataset_cmd.py``
(``execute_print_signals`` and ``_print_csv``, "Generate a simple CSV file for one collaboration
for ease of distribution"): a ``csv.DictWriter`` header ``signal_type,signal_str,collab,category,
tags``, ``\\r\\n`` line ends; ``category`` is the name of the aggregate opinion
(``exchanges/fetch_state.py`` ``AggregateSignalOpinionCategory``: ``NEGATIVE_CLASS``,
``INVESTIGATION_SEED``, ``POSITIVE_CLASS``, ``DISPUTED``) and ``tags`` its tags joined by spaces.
(``cli/dataset/simple_serialization.py`` also defines a CSV, ``CliIndicatorSerialization`` of
``threat_updates`` indicators, but nothing in 1.2.17 calls it, so no user holds such files.)

Import: a row is an entry. ``collab`` becomes ``source``; the opinion becomes the category
``threatexchange:<NAME>`` (a ``NEGATIVE_CLASS`` row is a known false positive or test data: it
arrives labelled, not dropped); tags and a ThreatExchange type name that differs from
hashwarden's go to ``attributes["threatexchange"]``. Header names match case-insensitively,
``signal_type`` and ``signal_str`` are required, other columns are ignored (problems if strict).
Rows of types hashwarden lacks are problems.

Export: a row per signal with a ThreatExchange name (see ``threatexchange_names``), live entries
only. ``collab`` is the source, else the list name; the category is the entry's own
``threatexchange:`` one, else ``POSITIVE_CLASS`` (``NEGATIVE_CLASS`` for an allow list given as
``FormatOptions.list_header``); any other category (``iwf:A``) is added to the tags, since TE
opinions are not classifications.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TextIO

from hashwarden.core.lists.models import Category, Entry, EntryData, ListKind, Signal
from hashwarden.core.lists.records import ParsedRecord, RecordProblem
from hashwarden.formats.base import (
    DEFAULT_OPTIONS,
    FormatOptions,
    ListFormat,
    Record,
)
from hashwarden.formats.csv_format import csv_rows
from hashwarden.formats.threatexchange_file import ATTRIBUTES_KEY, recorded_te_name
from hashwarden.formats.threatexchange_names import hashwarden_type, te_name, unsupported

COLUMNS = ("signal_type", "signal_str", "collab", "category", "tags")
REQUIRED = COLUMNS[:2]
CATEGORY_SCHEME = "threatexchange"
OPINIONS = ("NEGATIVE_CLASS", "INVESTIGATION_SEED", "POSITIVE_CLASS", "DISPUTED")


class ThreatExchangeDatasetFormat(ListFormat):
    name = "threatexchange-dataset"
    extensions = (".te.csv",)
    description = "CSV of 'threatexchange dataset -P --csv' (signal_type, signal_str, collab ...)"

    def read(
        self, stream: TextIO, *, source: str, options: FormatOptions = DEFAULT_OPTIONS
    ) -> Iterator[Record]:
        columns: dict[str, int] | None = None
        for row in csv_rows(stream, options.max_line_chars):
            if isinstance(row, RecordProblem):
                yield row
                continue
            start = row.line
            if columns is None:
                columns, problems = _header(row.cells, options.strict)
                for message in problems:
                    yield RecordProblem(start, message)
                if not all(name in columns for name in REQUIRED):
                    return  # every row would fail the same way
                continue
            parsed = _entry(row.cells, columns, options)
            if isinstance(parsed, str):
                yield RecordProblem(start, parsed)
            else:
                yield ParsedRecord(start, parsed)

    def write(
        self, entries: Iterable[Entry], stream: TextIO, options: FormatOptions = DEFAULT_OPTIONS
    ) -> int:
        # The same dialect as TE's DictWriter, so TE-sourced lists export byte for byte.
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        header = options.list_header
        default_opinion = (
            "NEGATIVE_CLASS" if header is not None and header.kind == ListKind.ALLOW
            else "POSITIVE_CLASS"
        )
        count = 0
        for entry in entries:
            if entry.is_removed:
                continue
            data = entry.data
            recorded = recorded_te_name(data.attributes)
            opinion, tags = _opinion_and_tags(data, default_opinion)
            collab = data.source or entry.list_name
            rows = [
                [te, signal.value, collab, opinion, " ".join(tags)]
                for signal in data.signals
                if (te := te_name(signal.type, recorded)) is not None
            ]
            if rows:
                writer.writerows(rows)
                count += 1
        return count


def _header(row: Sequence[str], strict: bool) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    problems: list[str] = []
    for index, cell in enumerate(row):
        name = cell.strip().casefold()
        if name in COLUMNS:
            if name in columns:
                problems.append(f"column {name!r} appears twice")
            columns.setdefault(name, index)
        elif strict and name:
            problems.append(f"unknown column {cell.strip()[:40]!r}")
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        problems.append(
            f"header lacks {', '.join(missing)} (expected {','.join(COLUMNS)}, "
            "as 'threatexchange dataset -P --csv' writes)"
        )
    return columns, problems


def _entry(
    row: Sequence[str], columns: Mapping[str, int], options: FormatOptions
) -> EntryData | str:
    def cell(name: str, strip: bool = True) -> str:
        index = columns.get(name)
        text = "" if index is None else row[index]
        return text.strip() if strip else text

    te, value = cell("signal_type").lower(), cell("signal_str")
    hw = hashwarden_type(te, options)
    if hw is None:
        return unsupported(te) if te else "empty signal_type"
    if not value:
        return "empty signal_str"
    opinion = cell("category").upper()
    if opinion and opinion not in OPINIONS:
        return f"unknown category {opinion[:40]!r} (expected one of {', '.join(OPINIONS)})"
    details: dict[str, Any] = {}
    if te != hw:
        details["signal_type"] = te
    tags = cell("tags").split()
    if tags:
        details["tags"] = tags
    return EntryData(
        signals=(Signal(hw, value),),
        category=Category(CATEGORY_SCHEME, opinion) if opinion else None,
        source=cell("collab", strip=False),
        attributes={ATTRIBUTES_KEY: details} if details else {},
    )


def _opinion_and_tags(data: EntryData, default_opinion: str) -> tuple[str, list[str]]:
    details = data.attributes.get(ATTRIBUTES_KEY)
    raw_tags = details.get("tags") if isinstance(details, Mapping) else None
    tags = [_tag(t) for t in raw_tags if isinstance(t, str)] if isinstance(raw_tags, list) else []
    category = data.category
    if category is not None and category.scheme == CATEGORY_SCHEME and category.value in OPINIONS:
        return category.value, [t for t in tags if t]
    if category is not None:
        extra = _tag(str(category))
        if extra not in tags:
            tags.append(extra)
    return default_opinion, [t for t in tags if t]


def _tag(text: str) -> str:
    # TE joins tags with spaces, so a tag must not contain any.
    return "_".join(text.split())
