"""``SqlListWriter``: several change batches to one list inside one write transaction.

Large imports write a chunk at a time (bounded memory) yet commit once, so a failure or a
killed process anywhere in the file leaves the list exactly as it was. Lookups see the
transaction's own earlier chunks, which is how records de-duplicate across chunks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, or_, select

from hashwarden.core.lists.interfaces import ListChanges
from hashwarden.core.lists.models import Change, Entry, Signal
from hashwarden.storage.entry_reads import batched, load_entries_by_id
from hashwarden.storage.entry_rows import lookup_key
from hashwarden.storage.list_writes import apply_changes
from hashwarden.storage.tables import entries, entry_signals


class SqlListWriter:
    def __init__(self, connection: Connection, list_row: Any) -> None:
        self._connection = connection
        self.list_id = int(list_row.id)
        self.list_name = str(list_row.name)
        self.sequence = int(list_row.sequence)
        #: Changes applied so far (the store refreshes planner statistics after big ones).
        self.applied = 0

    def find_live_entries(self, signals: Iterable[Signal]) -> list[Entry]:
        return find_live_entries(self._connection, self.list_id, signals)

    def find_live_by_external_id(self, external_ids: Iterable[str]) -> list[Entry]:
        return find_live_by_external_id(self._connection, self.list_id, external_ids)

    def apply(self, changes: ListChanges) -> list[Change]:
        if not (changes.add or changes.update or changes.remove):
            return []
        row = _ListRow(self.list_id, self.list_name, self.sequence)
        applied = apply_changes(self._connection, row, changes, datetime.now(UTC))
        if applied:
            self.sequence = applied[-1].sequence
            self.applied += len(applied)
        return applied


class _ListRow:
    """The columns of a ``hash_lists`` row that ``apply_changes`` reads."""

    def __init__(self, list_id: int, name: str, sequence: int) -> None:
        self.id = list_id
        self.name = name
        self.sequence = sequence


def find_live_entries(
    connection: Connection, list_id: int, signals: Iterable[Signal]
) -> list[Entry]:
    """Live entries of the list that carry any of ``signals`` exactly, by id."""
    entry_ids: set[int] = set()
    for chunk in batched(dict.fromkeys(signals)):
        wanted = {(signal.type, signal.value) for signal in chunk}
        # No list_id in the WHERE clause: SQLite would pick the list_id index and scan the whole
        # list per batch; the lookup index finds the few rows directly.
        query = select(
            entry_signals.c.entry_id,
            entry_signals.c.list_id,
            entry_signals.c.signal_type,
            entry_signals.c.value,
        ).where(entry_signals.c.removed_seq.is_(None), _lookup_conditions(chunk))
        entry_ids.update(
            int(entry_id)
            for entry_id, owner, signal_type, value in connection.execute(query)
            if owner == list_id and (signal_type, value) in wanted
        )
    found = load_entries_by_id(connection, entry_ids)
    return [found[entry_id] for entry_id in sorted(found)]


def find_live_by_external_id(
    connection: Connection, list_id: int, external_ids: Iterable[str]
) -> list[Entry]:
    """Live entries of the list whose ``external_id`` is one of ``external_ids``, by id."""
    entry_ids: set[int] = set()
    for chunk in batched(dict.fromkeys(external_ids)):
        query = select(entries.c.id).where(
            entries.c.list_id == list_id,
            entries.c.external_id.in_(chunk),
            entries.c.removed_at.is_(None),
        )
        entry_ids.update(int(entry_id) for entry_id in connection.scalars(query))
    found = load_entries_by_id(connection, entry_ids)
    return [found[entry_id] for entry_id in sorted(found)]


def _lookup_conditions(signals: Iterable[Signal]) -> ColumnElement[bool]:
    """Per-type ``IN`` clauses, so the (signal_type, lookup_key) index serves each."""
    keys: dict[str, set[str]] = {}
    for signal in signals:
        keys.setdefault(signal.type, set()).add(lookup_key(signal.value))
    return or_(
        *(
            and_(
                entry_signals.c.signal_type == kind,
                entry_signals.c.lookup_key.in_(sorted(values)),
            )
            for kind, values in keys.items()
        )
    )
