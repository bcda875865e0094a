"""Applying a batch of list changes inside the caller's write transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, select, text, update

from hashwarden.core.errors import EntryNotFoundError, ListError
from hashwarden.core.lists.interfaces import ListChanges
from hashwarden.core.lists.models import Change, ChangeOp, Entry, EntryData, Signal
from hashwarden.storage.bulk import bulk_insert
from hashwarden.storage.entry_reads import BATCH, batched, load_entries_by_id
from hashwarden.storage.entry_rows import canonical_signals, entry_columns, lookup_key, snapshot
from hashwarden.storage.tables import (
    entries,
    entry_signals,
    hash_lists,
    list_changes,
    signal_events,
)


def allocate_ids(connection: Connection, table: Table, count: int) -> list[int]:
    """``count`` fresh ids for ``table``, in increasing order; the caller holds the write lock.

    Inserting with known ids lets both backends use their bulk paths (fetching generated ids
    back in order would cost SQLite a statement per row).
    """
    if count == 0:
        return []
    if connection.dialect.name == "postgresql":
        query = text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
        )
        return sorted(
            int(i) for i in connection.execute(query, {"table": table.name, "n": count}).scalars()
        )
    # AUTOINCREMENT tables remember their highest id ever in sqlite_sequence; SQLite advances it
    # when we insert explicit ids above it, so ids are never reused here either.
    used = connection.execute(
        text("SELECT seq FROM sqlite_sequence WHERE name = :table"), {"table": table.name}
    ).scalar()
    highest = connection.execute(select(func.max(table.c.id))).scalar()
    start = max(int(used or 0), int(highest or 0)) + 1
    return list(range(start, start + count))


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass
class _Batch:
    """Rows collected for one list: the change log and the signal event feed."""

    list_id: int
    list_name: str
    actor: str
    now: datetime
    sequence: int
    changes: list[Change] = field(default_factory=list)

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence

    def log(self, connection: Connection, op: ChangeOp, logged: Sequence[Entry]) -> None:
        if not logged:
            return
        rows = [
            {
                "list_id": self.list_id,
                "sequence": entry.sequence,
                "op": op.value,
                "entry_id": entry.id,
                "at": self.now,
                "actor": self.actor,
                "snapshot": snapshot(entry),
            }
            for entry in logged
        ]
        bulk_insert(connection, list_changes, rows)
        self.changes.extend(Change(entry.sequence, op, entry, self.now) for entry in logged)


def apply_changes(
    connection: Connection,
    list_row: Any,
    changes: ListChanges,
    now: datetime,
) -> list[Change]:
    """Write ``changes`` to the (already locked) list; adds, then updates, then removes."""
    batch = _Batch(int(list_row.id), list_row.name, changes.actor, now, int(list_row.sequence))
    touched = [entry_id for entry_id, _ in changes.update] + list(changes.remove)
    if len(set(touched)) != len(touched):
        raise ListError("a change batch may update or remove each entry only once")
    current = load_entries_by_id(connection, touched)
    for entry_id in touched:
        found = current.get(entry_id)
        if found is None or found.list_name != batch.list_name or found.is_removed:
            raise EntryNotFoundError(batch.list_name, entry_id)
    live_signals = _live_signal_ids(connection, touched)

    for chunk in batched(changes.add, BATCH):
        _add(connection, batch, chunk)
    for update_chunk in batched(changes.update, BATCH):
        _update(connection, batch, update_chunk, current, live_signals)
    for remove_chunk in batched(changes.remove, BATCH):
        _remove(connection, batch, remove_chunk, current, live_signals)

    if batch.changes:
        connection.execute(
            update(hash_lists)
            .where(hash_lists.c.id == batch.list_id)
            .values(sequence=batch.sequence, updated_at=now)
        )
    return batch.changes


def _normalised(data: EntryData, added_at: datetime) -> EntryData:
    return replace(data, signals=canonical_signals(data.signals), added_at=as_utc(added_at))


def _add(connection: Connection, batch: _Batch, chunk: Sequence[EntryData]) -> None:
    new = [_normalised(data, data.added_at or batch.now) for data in chunk]
    sequences = [batch.next_sequence() for _ in new]
    rows = [
        {
            **entry_columns(data),
            "list_id": batch.list_id,
            "added_at": data.added_at,
            "removed_at": None,
            "sequence": sequence,
        }
        for data, sequence in zip(new, sequences, strict=True)
    ]
    ids = allocate_ids(connection, entries, len(rows))
    bulk_insert(connection, entries, [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
    _insert_signals(
        connection,
        batch,
        [(entry_id, data.signals) for entry_id, data in zip(ids, new, strict=True)],
    )
    added = [
        Entry(entry_id, batch.list_name, data, data.added_at or batch.now, sequence)
        for entry_id, data, sequence in zip(ids, new, sequences, strict=True)
    ]
    batch.log(connection, ChangeOp.ADD, added)


def _update(
    connection: Connection,
    batch: _Batch,
    chunk: Sequence[tuple[int, EntryData]],
    current: dict[int, Entry],
    live_signals: dict[int, dict[Signal, int]],
) -> None:
    updated: list[Entry] = []
    gone: list[tuple[int, int]] = []
    fresh: list[tuple[int, Sequence[Signal]]] = []
    for entry_id, data in chunk:
        before = current[entry_id]
        after = _normalised(data, data.added_at or before.added_at)
        sequence = batch.next_sequence()
        old = live_signals.get(entry_id, {})
        new_set = set(after.signals)
        gone.extend(
            (signal_id, sequence) for signal, signal_id in old.items() if signal not in new_set
        )
        fresh.append((entry_id, [signal for signal in after.signals if signal not in old]))
        assert after.added_at is not None
        updated.append(replace(before, data=after, added_at=after.added_at, sequence=sequence))
    connection.execute(
        update(entries)
        # SET columns come from the parameter keys.
        .where(entries.c.id == bindparam("entry_id")),
        [
            {
                **entry_columns(entry.data),
                "entry_id": entry.id,
                "added_at": entry.added_at,
                "sequence": entry.sequence,
            }
            for entry in updated
        ],
    )
    _retire_signals(connection, gone)
    _insert_signals(connection, batch, fresh)
    batch.log(connection, ChangeOp.UPDATE, updated)


def _remove(
    connection: Connection,
    batch: _Batch,
    chunk: Sequence[int],
    current: dict[int, Entry],
    live_signals: dict[int, dict[Signal, int]],
) -> None:
    removed = [
        replace(current[entry_id], removed_at=batch.now, sequence=batch.next_sequence())
        for entry_id in chunk
    ]
    connection.execute(
        update(entries).where(entries.c.id == bindparam("entry_id")),
        [
            {"entry_id": entry.id, "removed_at": batch.now, "sequence": entry.sequence}
            for entry in removed
        ],
    )
    _retire_signals(
        connection,
        [
            (signal_id, entry.sequence)
            for entry in removed
            for signal_id in live_signals.get(entry.id, {}).values()
        ],
    )
    batch.log(connection, ChangeOp.REMOVE, removed)


def _insert_signals(
    connection: Connection, batch: _Batch, owned: Sequence[tuple[int, Sequence[Signal]]]
) -> None:
    rows = [
        {
            "entry_id": entry_id,
            "list_id": batch.list_id,
            "signal_type": signal.type,
            "value": signal.value,
            "lookup_key": lookup_key(signal.value),
            "removed_seq": None,
        }
        for entry_id, signals in owned
        for signal in signals
    ]
    if not rows:
        return
    ids = allocate_ids(connection, entry_signals, len(rows))
    bulk_insert(
        connection, entry_signals, [{**row, "id": i} for row, i in zip(rows, ids, strict=True)]
    )
    bulk_insert(connection, signal_events, [{"signal_id": i, "op": "add"} for i in ids])


def _retire_signals(connection: Connection, retired: Sequence[tuple[int, int]]) -> None:
    """Mark ``(signal_id, sequence)`` rows removed and tell the event feed."""
    if not retired:
        return
    connection.execute(
        update(entry_signals).where(entry_signals.c.id == bindparam("signal_id")),
        [{"signal_id": signal_id, "removed_seq": sequence} for signal_id, sequence in retired],
    )
    bulk_insert(
        connection,
        signal_events,
        [{"signal_id": signal_id, "op": "remove"} for signal_id, _ in sorted(retired)],
    )


def _live_signal_ids(
    connection: Connection, entry_ids: Sequence[int]
) -> dict[int, dict[Signal, int]]:
    found: dict[int, dict[Signal, int]] = defaultdict(dict)
    for ids in batched(entry_ids):
        query = select(
            entry_signals.c.id,
            entry_signals.c.entry_id,
            entry_signals.c.signal_type,
            entry_signals.c.value,
        ).where(entry_signals.c.entry_id.in_(ids), entry_signals.c.removed_seq.is_(None))
        for signal_id, entry_id, signal_type, value in connection.execute(query):
            found[int(entry_id)][Signal(signal_type, value)] = int(signal_id)
    return found
