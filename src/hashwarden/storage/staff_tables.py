"""Staff accounts of the analyst console and their sessions, on the shared ``metadata``.

``tables.py`` imports this module at its end; ``migrations/versions/0008_staff.py`` creates them.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text

from hashwarden.storage.tables import UTCDateTime, metadata

staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(63), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    #: argon2id.
    Column("password_hash", Text, nullable=False),
    #: Base32 TOTP secret; NULL when the account signs in without a second factor.
    Column("totp_secret", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("disabled_at", UTCDateTime, nullable=True),
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    #: SHA-256 of the cookie's token; the token itself is never stored.
    Column("token_hash", String(64), primary_key=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("staff_users.id", ondelete="CASCADE", name="fk_staff_sessions_user_id"),
        nullable=False,
        index=True,
    ),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)
