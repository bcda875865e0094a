"""Signing keys, subscriptions, feedback and remote-pull checkpoints (list exchange).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("private_key", sa.Text(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("retired_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_signing_keys"),
        sa.UniqueConstraint("key_id", name="uq_signing_keys_key_id"),
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("publisher_url", sa.Text(), nullable=False),
        sa.Column("remote_list", sa.String(100), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("public_keys", sa.JSON(), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("last_attempt_at", _TIME, nullable=True),
        sa.Column("last_success_at", _TIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _TIME, nullable=True),
        sa.Column("feedback_cursor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["hash_lists.id"],
            name="fk_subscriptions_list_id_hash_lists",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"),
        sa.UniqueConstraint("name", name="uq_subscriptions_name"),
        sa.UniqueConstraint("list_id", name="uq_subscriptions_list_id"),
    )
    op.create_table(
        "subscription_entries",
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("remote_entry_id", sa.BigInteger(), nullable=False),
        sa.Column("local_entry_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name="fk_subscription_entries_subscription_id_subscriptions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "subscription_id", "remote_entry_id", name="pk_subscription_entries"
        ),
    )
    op.create_index(
        "ix_subscription_entries_local_entry_id", "subscription_entries", ["local_entry_id"]
    )
    op.create_table(
        "entry_feedback",
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("reporter", sa.String(200), nullable=False),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "reporter", "verdict", name="pk_entry_feedback"),
    )
    op.create_table(
        "pull_checkpoints",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_pull_checkpoints"),
    )


def downgrade() -> None:
    op.drop_table("pull_checkpoints")
    op.drop_table("entry_feedback")
    op.drop_index("ix_subscription_entries_local_entry_id", table_name="subscription_entries")
    op.drop_table("subscription_entries")
    op.drop_table("subscriptions")
    op.drop_table("signing_keys")
