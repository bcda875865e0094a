"""How long a case is kept, and legal holds that block its deletion, on the shared ``metadata``.

``tables.py`` imports this module at its end; ``migrations/versions/0012_cases.py`` creates it.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text

from hashwarden.storage.tables import UTCDateTime, metadata

case_retention = Table(
    "case_retention",
    metadata,
    Column(
        "case_id",
        Integer,
        ForeignKey("cases.id", ondelete="CASCADE", name="fk_case_retention_case_id"),
        primary_key=True,
    ),
    #: The case may be deleted after this day; NULL: kept until someone deletes it.
    Column("retain_until", Date, nullable=True),
    Column("hold_reason", Text, nullable=True),
    Column("hold_by", String(200), nullable=True),
    Column("hold_at", UTCDateTime, nullable=True),
)
