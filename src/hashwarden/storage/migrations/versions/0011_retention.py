"""Retention clocks and legal holds on reports; tallies that outlive deleted reports' items.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)
_FINAL = ("not_illegal", "forwarded", "taken_down", "closed")


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("closed_at", _TIME, nullable=True))
        batch.add_column(sa.Column("contact_erased_at", _TIME, nullable=True))
        batch.add_column(sa.Column("deleted_at", _TIME, nullable=True))
        batch.add_column(sa.Column("hold_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("hold_by", sa.String(100), nullable=True))
        batch.add_column(sa.Column("hold_at", _TIME, nullable=True))
    op.create_index("ix_reports_closed_at", "reports", ["closed_at"])
    # When existing reports were closed is not recorded: their clocks start now, which keeps
    # them at least as long as the policy asks (never shorter than the preservation rule).
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    reports = sa.table("reports", sa.column("status", sa.String), sa.column("closed_at", _TIME))
    op.execute(reports.update().where(reports.c.status.in_(_FINAL)).values(closed_at=now))
    op.create_table(
        "report_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("fetched_at", _TIME, nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_report_tallies"),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], ondelete="CASCADE",
            name="fk_report_tallies_report_id",
        ),
    )
    op.create_index("ix_report_tallies_report_id", "report_tallies", ["report_id"])


def downgrade() -> None:
    op.drop_table("report_tallies")
    op.drop_index("ix_reports_closed_at", table_name="reports")
    with op.batch_alter_table("reports") as batch:
        for name in ("hold_at", "hold_by", "hold_reason", "deleted_at", "contact_erased_at",
                     "closed_at"):  # fmt: skip
            batch.drop_column(name)
