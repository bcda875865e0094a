"""What a format reader yields per record of an import file, before the list service checks it."""

from __future__ import annotations

from dataclasses import dataclass

from hashwarden.core.lists.models import EntryData


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    """A record the reader could turn into an entry; ``line`` is 1-based (or the record number)."""

    line: int
    entry: EntryData


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """A record the reader could not turn into an entry, with the reason shown to the user."""

    line: int
    message: str


@dataclass(frozen=True, slots=True)
class RemovedRecord:
    """The source withdrew the entry it calls ``external_id`` (an exchange's deletion notice)."""

    line: int
    external_id: str


ImportRecord = ParsedRecord | RecordProblem | RemovedRecord
