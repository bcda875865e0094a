"""The global feed of indexable signals that matcher processes load from and then follow."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, func, select

from hashwarden.core.lists.interfaces import IndexedSignal, SignalDelta
from hashwarden.core.lists.models import Signal
from hashwarden.storage.entry_reads import batched
from hashwarden.storage.tables import entry_signals, hash_lists, signal_events


def latest_cursor(connection: Connection) -> int:
    """The newest signal-event id (0 for an empty feed)."""
    return int(connection.scalar(select(func.coalesce(func.max(signal_events.c.id), 0))) or 0)


def signal_changes_since(connection: Connection, cursor: int) -> SignalDelta:
    """What changed after ``cursor``; run in a snapshot transaction so rows and cursor agree.

    Every signal row is added once and removed at most once, and its id is never reused, so the
    net effect of the events after the cursor is: added-and-still-live, or removed-but-known.
    """
    latest = latest_cursor(connection)
    if cursor <= 0:
        live = _indexed(connection, entry_signals.c.removed_seq.is_(None))
        return SignalDelta(added=live, removed_signal_ids=[], cursor=latest)
    if cursor >= latest:
        # A cursor past the end means the database was replaced; follow the new feed from here.
        return SignalDelta(cursor=latest)
    added: set[int] = set()
    removed: set[int] = set()
    events = select(signal_events.c.signal_id, signal_events.c.op).where(
        signal_events.c.id > cursor, signal_events.c.id <= latest
    )
    for signal_id, op in connection.execute(events):
        (added if op == "add" else removed).add(int(signal_id))
    delta = SignalDelta(removed_signal_ids=sorted(removed - added), cursor=latest)
    for ids in batched(sorted(added - removed)):
        delta.added.extend(
            _indexed(connection, entry_signals.c.id.in_(ids), entry_signals.c.removed_seq.is_(None))
        )
    return delta


def _indexed(connection: Connection, *conditions: ColumnElement[bool]) -> list[IndexedSignal]:
    query = (
        select(
            entry_signals.c.id,
            hash_lists.c.name,
            entry_signals.c.entry_id,
            entry_signals.c.signal_type,
            entry_signals.c.value,
        )
        .join(hash_lists, hash_lists.c.id == entry_signals.c.list_id)
        .where(*conditions)
        .order_by(entry_signals.c.id)
    )
    return [
        IndexedSignal(int(signal_id), list_name, int(entry_id), Signal(signal_type, value))
        for signal_id, list_name, entry_id, signal_type, value in connection.execute(query)
    ]
