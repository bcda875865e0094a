"""Public reports and follow-up messages (the hotline).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact_email", sa.Text(), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("follow_up_hash", sa.Text(), nullable=True),
        sa.Column("received_at", _TIME, nullable=False),
        sa.Column("assessed_at", _TIME, nullable=True),
        sa.Column("police_notified_at", _TIME, nullable=True),
        sa.Column("notice_sent_at", _TIME, nullable=True),
        sa.Column("removed_at", _TIME, nullable=True),
        sa.Column("last_checked_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        sa.UniqueConstraint("reference", name="uq_reports_reference"),
    )
    op.create_index("ix_reports_status_received_at", "reports", ["status", "received_at"])
    op.create_table(
        "report_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_report_messages"),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            ondelete="CASCADE",
            name="fk_report_messages_report_id",
        ),
    )
    op.create_index("ix_report_messages_report_id", "report_messages", ["report_id"])


def downgrade() -> None:
    op.drop_table("report_messages")
    op.drop_table("reports")
