"""Public reports and their follow-up messages, on the shared ``metadata``.

``tables.py`` imports this module at its end; ``migrations/versions/0007_hotline_reports.py``
creates the tables. Nothing here can hold a reporter's address: there is no column for it.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text

from hashwarden.storage.tables import BigId, UTCDateTime, metadata

reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("url", Text, nullable=False),
    #: content_type, site_type, country, place, when, who: the optional answers.
    Column("details", JSON, nullable=False),
    Column("description", Text, nullable=False),
    Column("contact_email", Text, nullable=False),
    Column("language", String(16), nullable=False),
    #: argon2id of the follow-up passphrase; NULL when the reporter took none.
    Column("follow_up_hash", Text, nullable=True),
    Column("received_at", UTCDateTime, nullable=False),
    Column("assessed_at", UTCDateTime, nullable=True),
    Column("police_notified_at", UTCDateTime, nullable=True),
    Column("notice_sent_at", UTCDateTime, nullable=True),
    Column("removed_at", UTCDateTime, nullable=True),
    Column("last_checked_at", UTCDateTime, nullable=True),
    Index("ix_reports_status_received_at", "status", "received_at"),
)

report_messages = Table(
    "report_messages",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "report_id",
        Integer,
        ForeignKey("reports.id", ondelete="CASCADE", name="fk_report_messages_report_id"),
        nullable=False,
        index=True,
    ),
    Column("author", String(20), nullable=False),
    Column("body", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
)
