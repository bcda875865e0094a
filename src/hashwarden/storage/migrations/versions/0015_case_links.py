"""Stored links between case items, and which items have been linked.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_links",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("a_key", sa.String(64), nullable=False),
        sa.Column("b_key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("found_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("case_id", "a_key", "b_key", "kind", name="pk_case_links"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], ondelete="CASCADE", name="fk_case_links_case_id"
        ),
    )
    op.create_index("ix_case_links_b", "case_links", ["case_id", "b_key"])
    op.create_index("ix_case_links_kind", "case_links", ["case_id", "kind", "score"])
    # NULL for every existing item: they are linked at the case's next scan (or `case relink`).
    op.add_column("case_items", sa.Column("linked_at", _TIME, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_items") as batch:
        batch.drop_column("linked_at")
    op.drop_index("ix_case_links_kind", table_name="case_links")
    op.drop_index("ix_case_links_b", table_name="case_links")
    op.drop_table("case_links")
