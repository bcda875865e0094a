"""Victim identification cases and the media items scanned into them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.UniqueConstraint("name", name="uq_cases_name"),
    )
    op.create_table(
        "case_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("path_key", sa.String(64), nullable=False),
        sa.Column("media_type", sa.String(10), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("md5", sa.String(32), nullable=False),
        sa.Column("sha1", sa.String(40), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("pdq", sa.String(64), nullable=True),
        sa.Column("pdq_quality", sa.Integer(), nullable=False),
        sa.Column("vpdq", sa.Text(), nullable=True),
        sa.Column("features", sa.Text(), nullable=True),
        sa.Column("exif", sa.Text(), nullable=False),
        sa.Column("known_list", sa.String(100), nullable=True),
        sa.Column("known_entry_id", sa.Integer(), nullable=True),
        sa.Column("known_signal_type", sa.String(32), nullable=True),
        sa.Column("known_distance", sa.Integer(), nullable=True),
        sa.Column("known_category", sa.String(200), nullable=True),
        sa.Column("stack_id", sa.Integer(), nullable=True),
        sa.Column("scanned_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_items"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], ondelete="CASCADE", name="fk_case_items_case_id"
        ),
    )
    op.create_index("ux_case_items_path", "case_items", ["case_id", "path_key"], unique=True)
    op.create_index("ix_case_items_sha256", "case_items", ["sha256"])
    op.create_table(
        "case_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_series"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], ondelete="CASCADE", name="fk_case_series_case_id"
        ),
    )
    op.create_index("ux_case_series_name", "case_series", ["case_id", "name"], unique=True)
    op.create_table(
        "case_series_items",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series_id", "item_id", name="pk_case_series_items"),
        sa.ForeignKeyConstraint(
            ["series_id"], ["case_series.id"], ondelete="CASCADE",
            name="fk_case_series_items_series_id",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["case_items.id"], ondelete="CASCADE",
            name="fk_case_series_items_item_id",
        ),
    )
    op.create_table(
        "case_retention",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("retain_until", sa.Date(), nullable=True),
        sa.Column("hold_reason", sa.Text(), nullable=True),
        sa.Column("hold_by", sa.String(200), nullable=True),
        sa.Column("hold_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("case_id", name="pk_case_retention"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], ondelete="CASCADE", name="fk_case_retention_case_id"
        ),
    )


def downgrade() -> None:
    op.drop_table("case_retention")
    op.drop_table("case_series_items")
    op.drop_index("ux_case_series_name", table_name="case_series")
    op.drop_table("case_series")
    op.drop_index("ix_case_items_sha256", table_name="case_items")
    op.drop_index("ux_case_items_path", table_name="case_items")
    op.drop_table("case_items")
    op.drop_table("cases")
