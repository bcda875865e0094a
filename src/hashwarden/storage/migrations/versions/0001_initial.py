"""Initial schema: hash lists, entries, their signals, the signal event feed and list history.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copy of the id type as of this revision (tables.py may move on).
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "hash_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("classification_scheme", sa.String(100), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_hash_lists"),
        sa.UniqueConstraint("name", name="uq_hash_lists_name"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "entries",
        sa.Column("id", BigId, nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("category_scheme", sa.String(100), nullable=True),
        sa.Column("category_value", sa.String(100), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("added_by", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_entries"),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["hash_lists.id"],
            name="fk_entries_list_id_hash_lists",
            ondelete="CASCADE",
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_entries_list_id_id", "entries", ["list_id", "id"])
    op.create_table(
        "entry_signals",
        sa.Column("id", BigId, nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("signal_type", sa.String(32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("lookup_key", sa.String(80), nullable=False),
        sa.Column("removed_seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_entry_signals"),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entries.id"],
            name="fk_entry_signals_entry_id_entries",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["hash_lists.id"],
            name="fk_entry_signals_list_id_hash_lists",
            ondelete="CASCADE",
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_entry_signals_entry_id", "entry_signals", ["entry_id"])
    op.create_index("ix_entry_signals_list_id", "entry_signals", ["list_id"])
    op.create_index("ix_entry_signals_lookup", "entry_signals", ["signal_type", "lookup_key"])
    op.create_table(
        "signal_events",
        sa.Column("id", BigId, nullable=False),
        sa.Column("signal_id", sa.BigInteger(), nullable=False),
        sa.Column("op", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_signal_events"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "list_changes",
        sa.Column("id", BigId, nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("op", sa.String(8), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_list_changes"),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["hash_lists.id"],
            name="fk_list_changes_list_id_hash_lists",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("list_id", "sequence", name="uq_list_changes_list_id_sequence"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("list_changes")
    op.drop_table("signal_events")
    op.drop_table("entry_signals")
    op.drop_table("entries")
    op.drop_table("hash_lists")
