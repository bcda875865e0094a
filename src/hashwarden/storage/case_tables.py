"""Cases and their scanned items, on the shared ``metadata``.

``tables.py`` imports this module at its end; ``migrations/versions/0012_cases.py`` creates them.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from hashwarden.storage.tables import UTCDateTime, metadata


def path_key(path: str) -> str:
    """``case_items.path_key`` of a path; links, categories and graph ends use it too."""
    return hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()


cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("description", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

case_items = Table(
    "case_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "case_id",
        Integer,
        ForeignKey("cases.id", ondelete="CASCADE", name="fk_case_items_case_id"),
        nullable=False,
    ),
    Column("path", Text, nullable=False),
    #: SHA-256 of ``path``: paths inside archives grow longer than an index row may be.
    Column("path_key", String(64), nullable=False),
    Column("media_type", String(10), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("md5", String(32), nullable=False),
    Column("sha1", String(40), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("pdq", String(64), nullable=True),
    Column("pdq_quality", Integer, nullable=False),
    Column("vpdq", Text, nullable=True),
    #: ORB features for same-place linking (``signals.orb`` value); never exported.
    Column("features", Text, nullable=True),
    #: ``ExifFacts.as_json`` as JSON text ("{}" without EXIF).
    Column("exif", Text, nullable=False),
    Column("known_list", String(100), nullable=True),
    Column("known_entry_id", Integer, nullable=True),
    Column("known_signal_type", String(32), nullable=True),
    Column("known_distance", Integer, nullable=True),
    Column("known_category", String(200), nullable=True),
    Column("stack_id", Integer, nullable=True),
    Column("scanned_at", UTCDateTime, nullable=False),
    #: When the item's links were computed (``case_links``); NULL until then. A replaced row
    #: starts NULL again, so a rescanned item is linked again without anyone remembering to.
    Column("linked_at", UTCDateTime, nullable=True),
    Index("ux_case_items_path", "case_id", "path_key", unique=True),
    Index("ix_case_items_sha256", "sha256"),
)

#: A series: pictures of one abuse situation, grouped by the investigator within a case.
case_series = Table(
    "case_series",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "case_id",
        Integer,
        ForeignKey("cases.id", ondelete="CASCADE", name="fk_case_series_case_id"),
        nullable=False,
    ),
    Column("name", String(200), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ux_case_series_name", "case_id", "name", unique=True),
)

case_series_items = Table(
    "case_series_items",
    metadata,
    Column(
        "series_id",
        Integer,
        ForeignKey("case_series.id", ondelete="CASCADE", name="fk_case_series_items_series_id"),
        primary_key=True,
    ),
    Column(
        "item_id",
        Integer,
        ForeignKey("case_items.id", ondelete="CASCADE", name="fk_case_series_items_item_id"),
        primary_key=True,
    ),
)
