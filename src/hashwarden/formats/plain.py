"""Plain hash lists: one hash per line, as hotlines share MD5, SHA-1 and PDQ lists.

A line is ``<value>``, ``<type> <value>`` or ``<type>,<value>``; ``md5sum``-style lines
(``<hex>  <file name>``) keep the hash and drop the name. Blank lines and ``#`` comments are
skipped. Without ``FormatOptions.signal_type`` the type of a bare hex value is inferred from its
length: 32 is MD5, 40 is SHA-1. 64 hex characters can be SHA-256 or PDQ, and guessing wrong would
silently never match, so those lines are problems until the type is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TextIO

from hashwarden.core.lists.models import Entry, EntryData, Signal
from hashwarden.core.lists.records import ParsedRecord, RecordProblem
from hashwarden.formats.base import (
    DEFAULT_OPTIONS,
    FormatOptions,
    ListFormat,
    Record,
    content_lines,
)

_BY_LENGTH = {32: "md5", 40: "sha1"}
_TYPED = re.compile(r"([A-Za-z][\w+-]*)\s*[,;\s]\s*(\S.*)")
_HASHSUM = re.compile(r"([0-9A-Fa-f]+)\s+\*?\S.*")
_HEX = re.compile(r"[0-9A-Fa-f]+")


class PlainFormat(ListFormat):
    name = "plain"
    extensions = (".txt", ".hashes", ".md5", ".sha1", ".pdq", ".lst")
    description = "One hash per line (optionally '<type> <value>'); # comments"

    def read(
        self, stream: TextIO, *, source: str, options: FormatOptions = DEFAULT_OPTIONS
    ) -> Iterator[Record]:
        forced = options.signal_type
        if forced is not None and forced in options.signals:
            forced = options.signals.canonical_name(forced)
        for line in content_lines(stream, options.max_line_chars):
            if line.problem is not None:
                yield RecordProblem(line.number, line.problem)
                continue
            parsed = parse_line(line.text, forced, options)
            if isinstance(parsed, str):
                yield RecordProblem(line.number, parsed)
            else:
                yield ParsedRecord(line.number, EntryData(signals=(parsed,)))

    def write(
        self, entries: Iterable[Entry], stream: TextIO, options: FormatOptions = DEFAULT_OPTIONS
    ) -> int:
        """Bare values of ``signal_type`` if given, else ``<type> <value>`` for every signal."""
        only = options.signal_type
        if only is not None and only in options.signals:
            only = options.signals.canonical_name(only)
        count = 0
        for entry in entries:
            if entry.is_removed and not options.include_removed:
                continue
            for signal in entry.signals:
                if only is None:
                    stream.write(f"{signal.type} {signal.value}\n")
                elif signal.type == only:
                    stream.write(f"{signal.value}\n")
            count += 1
        return count


def parse_line(text: str, forced: str | None, options: FormatOptions) -> Signal | str:
    """The signal on a stripped, non-comment line, or the problem message."""
    typed = _TYPED.fullmatch(text)
    if typed is not None and typed.group(1) in options.signals:
        return Signal(options.signals.canonical_name(typed.group(1)), typed.group(2).strip())
    hashsum = _HASHSUM.fullmatch(text)
    value = hashsum.group(1) if hashsum is not None else text
    if forced is not None:
        return Signal(forced, value)
    if typed is not None and hashsum is None:
        return f"unknown signal type {typed.group(1)[:40]!r}"
    if not _HEX.fullmatch(value):
        return (
            f"cannot tell the signal type of {value[:40]!r}: write '<type> <value>' "
            "or give the type (--type)"
        )
    inferred = _BY_LENGTH.get(len(value))
    if inferred is not None:
        return Signal(inferred, value)
    if len(value) == 64:
        return (
            "64 hex characters may be sha256 or pdq: give the type (--type sha256 or --type pdq) "
            "or write '<type> <value>'"
        )
    return f"cannot infer the signal type of a {len(value)}-character hex value: give the type"
