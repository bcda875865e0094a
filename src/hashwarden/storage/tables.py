"""The relational schema of the hash-list store (SQLAlchemy Core).

``migrations/versions`` must produce exactly this schema; ``tests/storage`` compares the two.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

#: Constraint names are fixed so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# SQLite only auto-increments (and never reuses) ids on a column declared exactly INTEGER.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no offset, so store UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


hash_lists = Table(
    "hash_lists",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("kind", String(16), nullable=False),
    Column("thresholds", JSON, nullable=False),
    Column("classification_scheme", String(100), nullable=False, default=""),
    #: Sequence number of the list's latest change; bumped with the row locked.
    Column("sequence", BigInteger, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    sqlite_autoincrement=True,
)

entries = Table(
    "entries",
    metadata,
    Column("id", BigId, primary_key=True),
    Column(
        "list_id",
        Integer,
        ForeignKey("hash_lists.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("category_scheme", String(100), nullable=True),
    Column("category_value", String(100), nullable=True),
    Column("source", Text, nullable=False, default=""),
    Column("external_id", Text, nullable=False, default=""),
    Column("notes", Text, nullable=False, default=""),
    Column("added_by", Text, nullable=False, default=""),
    Column("attributes", JSON, nullable=False, default=dict),
    Column("added_at", UTCDateTime, nullable=False),
    #: Set when the entry is removed; the row stays as a tombstone for history and deltas.
    Column("removed_at", UTCDateTime, nullable=True),
    #: Sequence number of the change that last touched the entry.
    Column("sequence", BigInteger, nullable=False),
    # Serves the foreign key and streams a list in id order, a page at a time.
    Index("ix_entries_list_id_id", "list_id", "id"),
    # Exchanges withdraw entries by their own id (NCMEC deletions).
    Index("ix_entries_list_id_external_id", "list_id", "external_id"),
    sqlite_autoincrement=True,
)

entry_signals = Table(
    "entry_signals",
    metadata,
    #: The matcher's index label for this signal: never reused.
    Column("id", BigId, primary_key=True),
    Column(
        "entry_id",
        BigInteger,
        ForeignKey("entries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column(
        "list_id",
        Integer,
        ForeignKey("hash_lists.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("signal_type", String(32), nullable=False),
    Column("value", Text, nullable=False),
    #: ``value`` itself when short, else a digest of it: opaque values (PhotoDNA, TMK) can be
    #: longer than a B-tree index row may be on PostgreSQL.
    Column("lookup_key", String(80), nullable=False),
    #: Sequence number of the list change that removed the signal; NULL while live.
    Column("removed_seq", BigInteger, nullable=True),
    Index("ix_entry_signals_lookup", "signal_type", "lookup_key"),
    sqlite_autoincrement=True,
)

signal_events = Table(
    "signal_events",
    metadata,
    #: The global cursor matchers follow; ids grow in commit order (writers are serialised).
    Column("id", BigId, primary_key=True),
    # No foreign key: removal events must outlive the rows of a deleted list.
    Column("signal_id", BigInteger, nullable=False),
    Column("op", String(8), nullable=False),
    sqlite_autoincrement=True,
)

list_changes = Table(
    "list_changes",
    metadata,
    Column("id", BigId, primary_key=True),
    Column(
        "list_id",
        Integer,
        ForeignKey("hash_lists.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("sequence", BigInteger, nullable=False),
    Column("op", String(8), nullable=False),
    Column("entry_id", BigInteger, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", Text, nullable=False, default=""),
    #: The entry as it was right after the change, so history replays exactly.
    Column("snapshot", JSON, nullable=False),
    UniqueConstraint("list_id", "sequence"),
    sqlite_autoincrement=True,
)

#: Facts about this database itself. ``instance_id`` (a random UUID written by migration 0004)
#: tells index snapshots on disk which database they were built from.
instance_info = Table(
    "instance_info",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# The token and audit tables live in their own module to keep this one about hash lists.
# Importing it here (last, once ``metadata`` and the types exist) puts them on ``metadata``
# however this module is reached, so migrations and schema comparisons see the whole schema.
from hashwarden.storage import account_tables as _account_tables  # noqa: E402, F401
from hashwarden.storage import case_category_tables as _case_categories  # noqa: E402, F401
from hashwarden.storage import case_graph_tables as _case_graph  # noqa: E402, F401
from hashwarden.storage import case_link_tables as _case_links  # noqa: E402, F401
from hashwarden.storage import case_retention_tables as _case_retention  # noqa: E402, F401
from hashwarden.storage import case_tables as _case_tables  # noqa: E402, F401
from hashwarden.storage import federation_tables as _federation_tables  # noqa: E402, F401
from hashwarden.storage import hotline_tables as _hotline_tables  # noqa: E402, F401
from hashwarden.storage import review_tables as _review_tables  # noqa: E402, F401
from hashwarden.storage import staff_tables as _staff_tables  # noqa: E402, F401
