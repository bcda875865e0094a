"""``SqlListStore``: the ``ListStore`` protocol over SQLAlchemy (SQLite or PostgreSQL).

Opening a store migrates its database to the newest schema first (pass ``migrate=False`` to
skip that, e.g. for a read-only replica that someone else migrates).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from hashwarden.core.errors import (
    EntryNotFoundError,
    ListExistsError,
    ListNotFoundError,
    StorageError,
)
from hashwarden.core.lists.interfaces import ListChanges, ListPatch, SignalDelta
from hashwarden.core.lists.models import Change, ChangeOp, Entry, HashList, Signal
from hashwarden.storage import signal_feed
from hashwarden.storage.database import read_transaction, storage_errors, write_transaction
from hashwarden.storage.entry_reads import (
    batched,
    live_in_list,
    load_entries,
    load_entries_by_id,
)
from hashwarden.storage.entry_rows import entry_from_snapshot, hash_list
from hashwarden.storage.list_writer import (
    SqlListWriter,
    find_live_by_external_id,
    find_live_entries,
)
from hashwarden.storage.migrate import ensure_schema
from hashwarden.storage.tables import (
    entries,
    entry_signals,
    hash_lists,
    list_changes,
    signal_events,
)

#: Entries fetched per round trip while streaming a list.
PAGE = 1000
#: A batch this large refreshes PostgreSQL's planner statistics after it commits.
ANALYZE_AFTER = 5000


def _now() -> datetime:
    return datetime.now(UTC)


class SqlListStore:
    def __init__(self, engine: Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate:
            ensure_schema(engine)

    # -- lists ---------------------------------------------------------------------------------

    def create_list(self, hash_list: HashList) -> HashList:
        now = _now()
        try:
            with write_transaction(self.engine) as connection:
                if _find_list(connection, hash_list.name) is not None:
                    raise ListExistsError(hash_list.name)
                connection.execute(
                    insert(hash_lists).values(
                        name=hash_list.name,
                        description=hash_list.description,
                        kind=hash_list.kind.value,
                        thresholds=dict(hash_list.thresholds),
                        classification_scheme=hash_list.classification_scheme,
                        sequence=0,
                        created_at=now,
                        updated_at=now,
                    )
                )
                return _require_list(connection, hash_list.name)
        except StorageError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                # Only the unique name can clash: another writer created the list meanwhile.
                raise ListExistsError(hash_list.name) from exc
            raise

    def get_list(self, name: str) -> HashList:
        with read_transaction(self.engine) as connection:
            return _require_list(connection, name)

    def all_lists(self) -> list[HashList]:
        with read_transaction(self.engine) as connection:
            rows = connection.execute(select(hash_lists).order_by(hash_lists.c.name))
            return [hash_list(row._mapping) for row in rows]

    def update_list(self, name: str, patch: ListPatch) -> HashList:
        values: dict[str, Any] = {}
        if patch.description is not None:
            values["description"] = patch.description
        if patch.kind is not None:
            values["kind"] = patch.kind.value
        if patch.thresholds is not None:
            values["thresholds"] = dict(patch.thresholds)
        if patch.classification_scheme is not None:
            values["classification_scheme"] = patch.classification_scheme
        with write_transaction(self.engine) as connection:
            _lock_list(connection, name)
            if values:
                connection.execute(
                    update(hash_lists)
                    .where(hash_lists.c.name == name)
                    .values(**values, updated_at=_now())
                )
            return _require_list(connection, name)

    def delete_list(self, name: str) -> None:
        with write_transaction(self.engine) as connection:
            list_row = _lock_list(connection, name)
            # The rows go with the list (ON DELETE CASCADE); the feed must say so first.
            live = (
                select(entry_signals.c.id)
                .where(entry_signals.c.list_id == list_row.id)
                .where(entry_signals.c.removed_seq.is_(None))
                .order_by(entry_signals.c.id)
            )
            signal_ids = [int(signal_id) for signal_id in connection.scalars(live)]
            for ids in batched(signal_ids):
                connection.execute(
                    insert(signal_events), [{"signal_id": i, "op": "remove"} for i in ids]
                )
            connection.execute(delete(hash_lists).where(hash_lists.c.id == list_row.id))

    # -- changes -------------------------------------------------------------------------------

    def apply(self, list_name: str, changes: ListChanges) -> list[Change]:
        """Apply every change atomically; each add/update/remove takes the next sequence number."""
        with self.writing(list_name) as writer:
            return writer.apply(changes)

    @contextmanager
    def writing(self, list_name: str) -> Iterator[SqlListWriter]:
        """One write transaction on the list for several batches; commits when the block ends."""
        with write_transaction(self.engine) as connection:
            writer = SqlListWriter(connection, _lock_list(connection, list_name))
            yield writer
        if writer.applied >= ANALYZE_AFTER and self.engine.dialect.name == "postgresql":
            self._analyze()

    def _analyze(self) -> None:
        # Until autovacuum catches up, the planner believes a freshly imported table is tiny
        # and sorts whole lists to page through them; fresh statistics fix the plans at once.
        with storage_errors(self.engine), self.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("ANALYZE entries, entry_signals, list_changes")

    def changes_since(self, list_name: str, sequence: int, limit: int = 1000) -> list[Change]:
        with read_transaction(self.engine) as connection:
            list_row = _require_list_row(connection, list_name)
            query = (
                select(list_changes)
                .where(list_changes.c.list_id == list_row.id)
                .where(list_changes.c.sequence > sequence)
                .order_by(list_changes.c.sequence)
                .limit(max(0, limit))
            )
            return [
                Change(
                    sequence=int(row.sequence),
                    op=ChangeOp(row.op),
                    entry=entry_from_snapshot(
                        int(row.entry_id), list_name, int(row.sequence), row.snapshot
                    ),
                    at=row.at,
                )
                for row in connection.execute(query)
            ]

    def signal_changes_since(self, cursor: int) -> SignalDelta:
        with read_transaction(self.engine, snapshot=True) as connection:
            return signal_feed.signal_changes_since(connection, cursor)

    def latest_signal_cursor(self) -> int:
        with read_transaction(self.engine) as connection:
            return signal_feed.latest_cursor(connection)

    # -- entries -------------------------------------------------------------------------------

    def get_entry(self, list_name: str, entry_id: int) -> Entry:
        with read_transaction(self.engine) as connection:
            list_row = _require_list_row(connection, list_name)
            found = load_entries(
                connection, and_(entries.c.id == entry_id, entries.c.list_id == list_row.id)
            )
        if not found:
            raise EntryNotFoundError(list_name, entry_id)
        return found[0]

    def entries(self, list_name: str, include_removed: bool = False) -> Iterator[Entry]:
        """Stream the list's entries by id, a page per short transaction."""
        with read_transaction(self.engine) as connection:
            list_id = int(_require_list_row(connection, list_name).id)
        after = 0
        while True:
            condition = and_(entries.c.list_id == list_id, entries.c.id > after)
            if not include_removed:
                condition = and_(condition, entries.c.removed_at.is_(None))
            with read_transaction(self.engine) as connection:
                page = load_entries(connection, condition, limit=PAGE)
            yield from page
            if len(page) < PAGE:
                return
            after = page[-1].id

    def count_entries(self, list_name: str) -> int:
        with read_transaction(self.engine) as connection:
            list_id = int(_require_list_row(connection, list_name).id)
            query = select(func.count()).select_from(entries).where(live_in_list(list_id))
            return int(connection.scalar(query) or 0)

    def find_live_entries(self, list_name: str, signals: Iterable[Signal]) -> list[Entry]:
        """Live entries of the list that carry any of ``signals`` exactly (for de-duplication)."""
        with read_transaction(self.engine) as connection:
            list_id = int(_require_list_row(connection, list_name).id)
            return find_live_entries(connection, list_id, signals)

    def find_live_by_external_id(self, list_name: str, external_ids: Iterable[str]) -> list[Entry]:
        """Live entries of the list whose ``external_id`` is one of ``external_ids``."""
        with read_transaction(self.engine) as connection:
            list_id = int(_require_list_row(connection, list_name).id)
            return find_live_by_external_id(connection, list_id, external_ids)

    def get_entries(self, entry_ids: Iterable[int]) -> dict[int, Entry]:
        with read_transaction(self.engine) as connection:
            return load_entries_by_id(connection, entry_ids)


def _find_list(connection: Connection, name: str) -> Any:
    return connection.execute(select(hash_lists).where(hash_lists.c.name == name)).one_or_none()


def _require_list_row(connection: Connection, name: str) -> Any:
    row = _find_list(connection, name)
    if row is None:
        raise ListNotFoundError(name)
    return row


def _require_list(connection: Connection, name: str) -> HashList:
    return hash_list(_require_list_row(connection, name)._mapping)


def _lock_list(connection: Connection, name: str) -> Any:
    """The list row, locked until commit (FOR UPDATE; SQLite already holds the write lock)."""
    query = select(hash_lists).where(hash_lists.c.name == name).with_for_update()
    row = connection.execute(query).one_or_none()
    if row is None:
        raise ListNotFoundError(name)
    return row
