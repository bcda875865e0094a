"""List actions, the review queue and the webhook delivery log, on the shared ``metadata``.

``tables.py`` imports this module at its end (like ``account_tables``);
``migrations/versions/0003_review_actions.py`` creates these tables.

Review items and deliveries name their list and entry without foreign keys: the review history
outlives a deleted list, and entry ids are never reused, so counts per entry stay right.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from hashwarden.storage.tables import BigId, UTCDateTime, metadata

list_actions = Table(
    "list_actions",
    metadata,
    Column(
        "list_id",
        Integer,
        ForeignKey("hash_lists.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    #: Action names (a JSON array, sorted).
    Column("actions", JSON, nullable=False),
    Column("webhook_url", Text, nullable=False, default=""),
    #: Signs webhook bodies, so it is kept as given (a digest could not sign); never returned.
    Column("webhook_secret", Text, nullable=False, default=""),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(200), nullable=False),
)

review_items = Table(
    "review_items",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("match_id", String(32), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("list_name", String(100), nullable=False),
    Column("entry_id", BigInteger, nullable=False),
    Column("category", String(201), nullable=True),
    Column("signal_type", String(32), nullable=False),
    Column("distance", Integer, nullable=False),
    Column("variant", String(32), nullable=False),
    #: The queried hash that matched; never media.
    Column("query_value", Text, nullable=False),
    Column("requester", String(200), nullable=False),
    Column("reference", String(200), nullable=False, default=""),
    #: pending, claimed, confirmed, false_positive or escalated.
    Column("status", String(16), nullable=False),
    Column("claimed_by", String(200), nullable=True),
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("claim_expires_at", UTCDateTime, nullable=True),
    Column("decided_by", String(200), nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("reason", Text, nullable=True),
    # The queue: open items (pending or claimed) in id order.
    Index("ix_review_items_status_id", "status", "id"),
    # Decision counts per entry.
    Index("ix_review_items_entry_id_status", "entry_id", "status"),
    sqlite_autoincrement=True,
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("event_id", String(32), nullable=False, unique=True),
    Column("match_id", String(32), nullable=False),
    Column("list_name", String(100), nullable=False),
    Column("entry_id", BigInteger, nullable=False),
    Column("url", Text, nullable=False),
    #: The exact JSON body, signed anew on every attempt.
    Column("body", Text, nullable=False),
    #: pending, delivered or failed.
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    #: Due time of the next attempt; pushed ahead while a sender holds the delivery.
    Column("next_attempt_at", UTCDateTime, nullable=True),
    Column("delivered_at", UTCDateTime, nullable=True),
    # Senders look for due deliveries.
    Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_list_name_id", "list_name", "id"),
    sqlite_autoincrement=True,
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", BigId, primary_key=True),
    Column(
        "delivery_id",
        BigInteger,
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("attempt", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=False, default=""),
    Column("duration_ms", Integer, nullable=False),
    sqlite_autoincrement=True,
)
