"""Format-specific entry attributes, lookup by external id, and the database's instance id.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch (copy-and-move) rebuild would drop SQLite's AUTOINCREMENT, and
    # ids must never be reused (they label the matchers' indexes).
    op.add_column(
        "entries",
        sa.Column("attributes", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
    )
    op.create_index("ix_entries_list_id_external_id", "entries", ["list_id", "external_id"])
    instance_info = op.create_table(
        "instance_info",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_instance_info"),
    )
    op.bulk_insert(instance_info, [{"key": "instance_id", "value": str(uuid.uuid4())}])


def downgrade() -> None:
    op.drop_table("instance_info")
    op.drop_index("ix_entries_list_id_external_id", table_name="entries")
    op.drop_column("entries", "attributes")
