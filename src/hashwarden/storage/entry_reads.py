"""Loading entries with their signals, in batches that stay within every backend's limits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, and_, select

from hashwarden.core.lists.models import Entry, Signal
from hashwarden.storage.entry_rows import entry_data
from hashwarden.storage.tables import entries, entry_signals, hash_lists

#: Ids per ``IN (...)`` clause: well under SQLite's and PostgreSQL's parameter limits.
BATCH = 500

T = TypeVar("T")


def batched(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def load_entries(
    connection: Connection, condition: ColumnElement[bool], limit: int | None = None
) -> list[Entry]:
    """Entries matching ``condition`` ordered by id, each with the signals it had at its state.

    A live entry carries its live signals; a tombstone carries the signals removed with it.
    """
    query = (
        select(entries, hash_lists.c.name.label("list_name"))
        .join(hash_lists, hash_lists.c.id == entries.c.list_id)
        .where(condition)
        .order_by(entries.c.id)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = [row._mapping for row in connection.execute(query)]
    if not rows:
        return []
    signals = _signals_for(connection, rows)
    return [
        Entry(
            id=int(row["id"]),
            list_name=row["list_name"],
            data=entry_data(row, signals.get(int(row["id"]), ())),
            added_at=row["added_at"],
            sequence=int(row["sequence"]),
            removed_at=row["removed_at"],
        )
        for row in rows
    ]


def _signals_for(connection: Connection, rows: Sequence[Any]) -> dict[int, list[Signal]]:
    wanted = {int(row["id"]): row for row in rows}
    found: dict[int, list[Signal]] = defaultdict(list)
    for ids in batched(wanted):
        query = select(
            entry_signals.c.entry_id,
            entry_signals.c.signal_type,
            entry_signals.c.value,
            entry_signals.c.removed_seq,
        ).where(entry_signals.c.entry_id.in_(ids))
        for entry_id, signal_type, value, removed_seq in connection.execute(query):
            row = wanted[int(entry_id)]
            if row["removed_at"] is None:
                keep = removed_seq is None
            else:
                keep = removed_seq is not None and int(removed_seq) == int(row["sequence"])
            if keep:
                found[int(entry_id)].append(Signal(signal_type, value))
    return found


def load_entries_by_id(connection: Connection, entry_ids: Iterable[int]) -> dict[int, Entry]:
    result: dict[int, Entry] = {}
    for ids in batched(dict.fromkeys(entry_ids)):
        for entry in load_entries(connection, entries.c.id.in_(ids)):
            result[entry.id] = entry
    return result


def live_in_list(list_id: int) -> ColumnElement[bool]:
    return and_(entries.c.list_id == list_id, entries.c.removed_at.is_(None))
