"""Media that triage fetched from reported addresses.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "report_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("matched", sa.JSON(), nullable=True),
        sa.Column("classification", sa.JSON(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("fetched_at", _TIME, nullable=False),
        sa.Column("assessed_by", sa.String(100), nullable=True),
        sa.Column("assessed_at", _TIME, nullable=True),
        sa.Column("exposure_seconds", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_report_items"),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            ondelete="CASCADE",
            name="fk_report_items_report_id",
        ),
    )
    op.create_index("ix_report_items_report_id", "report_items", ["report_id"])


def downgrade() -> None:
    op.drop_table("report_items")
