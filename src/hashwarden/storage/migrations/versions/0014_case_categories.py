"""Categories of case items, set by investigators or brought by VICS imports.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_item_categories",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("path_key", sa.String(64), nullable=False),
        sa.Column("scheme", sa.String(40), nullable=False),
        sa.Column("value", sa.String(40), nullable=False),
        sa.Column("provenance", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "path_key", name="pk_case_item_categories"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], ondelete="CASCADE",
            name="fk_case_item_categories_case_id",
        ),
    )


def downgrade() -> None:
    op.drop_table("case_item_categories")
