"""Notice-and-takedown: hosting of reported material and the notices sent about it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_hosting",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("report_id", name="pk_report_hosting"),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], ondelete="CASCADE",
            name="fk_report_hosting_report_id",
        ),
    )
    op.create_table(
        "report_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_report_notices"),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], ondelete="CASCADE",
            name="fk_report_notices_report_id",
        ),
    )
    op.create_index("ix_report_notices_report_id", "report_notices", ["report_id"])


def downgrade() -> None:
    op.drop_table("report_notices")
    op.drop_table("report_hosting")
