"""API tokens and the audit log, on the same ``metadata`` as the hash-list tables.

``tables.py`` imports this module at its end, so whoever uses ``tables.metadata`` (migrations,
their tests) sees every table; ``migrations/versions/0002_accounts_audit.py`` creates these.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table

from hashwarden.storage.tables import BigId, UTCDateTime, metadata

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    #: SHA-256 hex of the secret; the secret itself is never stored.
    Column("secret_digest", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    #: List names a subscriber token may read (a JSON array; empty for other roles).
    Column("granted_lists", JSON, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("last_used_at", UTCDateTime, nullable=True),
    Index("ix_api_tokens_secret_digest", "secret_digest", unique=True),
    # Token ids name tokens in the audit log: never reuse one.
    sqlite_autoincrement=True,
)

audit_events = Table(
    "audit_events",
    metadata,
    #: Ascending in commit order (appends hold the writers' lock); may have gaps.
    Column("id", BigId, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("object", String(500), nullable=False),
    Column("details", JSON, nullable=False),
    Column("prev_digest", String(64), nullable=False),
    Column("digest", String(64), nullable=False),
    # Serves "events by this actor after id N", a page at a time.
    Index("ix_audit_events_actor_id", "actor", "id"),
    sqlite_autoincrement=True,
)
