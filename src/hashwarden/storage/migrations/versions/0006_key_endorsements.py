"""Signing keys carry an endorsement by the key they replaced (subscribers follow rotations).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signing_keys") as batch:
        batch.add_column(sa.Column("endorsed_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("endorsement", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signing_keys") as batch:
        batch.drop_column("endorsement")
        batch.drop_column("endorsed_by")
