"""Categories investigators (or VICS imports) gave case items, on ``metadata``.

``tables.py`` imports this module at its end; ``migrations/versions/0014_case_categories.py``
creates the table.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table

from hashwarden.storage.tables import UTCDateTime, metadata

#: Keyed by ``case_items.path_key`` like the graph's item ends: a resumed scan replaces an item's
#: row, and the investigator's work on it must survive that.
case_item_categories = Table(
    "case_item_categories",
    metadata,
    Column(
        "case_id",
        Integer,
        ForeignKey("cases.id", ondelete="CASCADE", name="fk_case_item_categories_case_id"),
        primary_key=True,
    ),
    Column("path_key", String(64), primary_key=True),
    Column("scheme", String(40), nullable=False),
    Column("value", String(40), nullable=False),
    #: ``cli:<user>``, ``staff:<user>``, ``vics:<file>``.
    Column("provenance", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
