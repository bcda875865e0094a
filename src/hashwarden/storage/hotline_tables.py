"""Public reports and their follow-up messages, on the shared ``metadata``.

``tables.py`` imports this module at its end; ``migrations/versions/0007_hotline_reports.py``
creates the tables, later revisions add to them. Nothing here can hold a reporter's address:
there is no column for it.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text

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
    #: Retention (``hotline.retention``): the clocks run from ``closed_at``, a hold stops them.
    Column("closed_at", UTCDateTime, nullable=True),
    Column("contact_erased_at", UTCDateTime, nullable=True),
    #: Set when the report was reduced to its tombstone.
    Column("deleted_at", UTCDateTime, nullable=True),
    Column("hold_reason", Text, nullable=True),
    Column("hold_by", String(100), nullable=True),
    Column("hold_at", UTCDateTime, nullable=True),
    Index("ix_reports_status_received_at", "status", "received_at"),
    Index("ix_reports_closed_at", "closed_at"),
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

#: Media fetched from a reported address by triage. ``content`` is kept only for items an analyst
#: still has to assess, and cleared when they decide; known items never store it.
report_items = Table(
    "report_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "report_id",
        Integer,
        ForeignKey("reports.id", ondelete="CASCADE", name="fk_report_items_report_id"),
        nullable=False,
        index=True,
    ),
    Column("source_url", Text, nullable=False),
    Column("media_type", String(16), nullable=False),
    Column("size", Integer, nullable=False),
    #: md5, sha1, sha256, pdq (+ quality), as hashing found them.
    Column("signals", JSON, nullable=False),
    #: ``known`` (matched a list), ``unknown`` (to assess), ``assessed``.
    Column("state", String(16), nullable=False),
    #: For known items: the list, entry and category that matched.
    Column("matched", JSON, nullable=True),
    #: The analyst's decision: scheme, values, list it went to.
    Column("classification", JSON, nullable=True),
    Column("content", LargeBinary, nullable=True),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("assessed_by", String(100), nullable=True),
    Column("assessed_at", UTCDateTime, nullable=True),
    #: Seconds the assessing analyst had the media revealed.
    Column("exposure_seconds", Integer, nullable=False, default=0),
)

#: Notice-and-takedown: where the material is hosted and every notice sent about it.
report_hosting = Table(
    "report_hosting",
    metadata,
    Column(
        "report_id",
        Integer,
        ForeignKey("reports.id", ondelete="CASCADE", name="fk_report_hosting_report_id"),
        primary_key=True,
    ),
    #: ISO 3166 alpha-2.
    Column("country", String(2), nullable=False),
    Column("provider", Text, nullable=False),
)

report_notices = Table(
    "report_notices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "report_id",
        Integer,
        ForeignKey("reports.id", ondelete="CASCADE", name="fk_report_notices_report_id"),
        nullable=False,
        index=True,
    ),
    #: ``host`` (notice to the hosting provider), ``police``, ``hotline`` (partner hotline).
    Column("kind", String(16), nullable=False),
    Column("recipient", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("by", String(100), nullable=False),
)

#: What a deleted report's items were, counted, so statistics outlive the items themselves.
report_tallies = Table(
    "report_tallies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "report_id",
        Integer,
        ForeignKey("reports.id", ondelete="CASCADE", name="fk_report_tallies_report_id"),
        nullable=False,
        index=True,
    ),
    #: The item state (``known``, ``unknown``, ``assessed``), as ``report_items.state``.
    Column("state", String(16), nullable=False),
    #: ``listed`` (known), ``illegal`` or ``not_illegal`` (assessed), "" (never assessed).
    Column("verdict", String(16), nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("item_count", Integer, nullable=False),
)
