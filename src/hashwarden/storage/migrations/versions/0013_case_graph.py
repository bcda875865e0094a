"""The case graph: victims, offenders, places, edges; hashes that VICS imports bring.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_entities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_entities"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], ondelete="CASCADE", name="fk_case_entities_case_id"
        ),
    )
    op.create_index(
        "ux_case_entities_label", "case_entities", ["case_id", "kind", "label"], unique=True
    )
    op.create_table(
        "case_edges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("source_type", sa.String(16), nullable=False),
        sa.Column("source_key", sa.String(64), nullable=False),
        sa.Column("target_type", sa.String(16), nullable=False),
        sa.Column("target_key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("provenance", sa.String(200), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_edges"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], ondelete="CASCADE", name="fk_case_edges_case_id"
        ),
    )
    op.create_index(
        "ux_case_edges_ends", "case_edges",
        ["case_id", "source_type", "source_key", "target_type", "target_key", "kind"],
        unique=True,
    )
    op.create_table(
        "case_item_hashes",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("path_key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "path_key", "name", name="pk_case_item_hashes"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], ondelete="CASCADE", name="fk_case_item_hashes_case_id"
        ),
    )


def downgrade() -> None:
    op.drop_table("case_item_hashes")
    op.drop_index("ux_case_edges_ends", table_name="case_edges")
    op.drop_table("case_edges")
    op.drop_index("ux_case_entities_label", table_name="case_entities")
    op.drop_table("case_entities")
