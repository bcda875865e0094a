"""The case graph (victims, offenders, places, edges) and imported hashes, on ``metadata``.

``tables.py`` imports this module at its end; ``migrations/versions/0013_case_graph.py``
creates the tables.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, String, Table, Text

from hashwarden.storage.tables import UTCDateTime, metadata

case_entities = Table(
    "case_entities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "case_id",
        Integer,
        ForeignKey("cases.id", ondelete="CASCADE", name="fk_case_entities_case_id"),
        nullable=False,
    ),
    #: victim, offender or place.
    Column("kind", String(16), nullable=False),
    Column("label", String(200), nullable=False),
    Column("notes", Text, nullable=False),
    #: Places only, WGS 84 degrees; NULL when nobody knows where the place is.
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ux_case_entities_label", "case_id", "kind", "label", unique=True),
)

#: Directed edges between nodes of a case. Item ends are keyed by ``case_items.path_key``, not
#: by id: a resumed scan replaces an item's row, and its edges must survive that.
case_edges = Table(
    "case_edges",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "case_id",
        Integer,
        ForeignKey("cases.id", ondelete="CASCADE", name="fk_case_edges_case_id"),
        nullable=False,
    ),
    Column("source_type", String(16), nullable=False),
    Column("source_key", String(64), nullable=False),
    Column("target_type", String(16), nullable=False),
    Column("target_key", String(64), nullable=False),
    Column("kind", String(50), nullable=False),
    Column("provenance", String(200), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index(
        "ux_case_edges_ends", "case_id", "source_type", "source_key", "target_type",
        "target_key", "kind", unique=True,
    ),
)

#: Hashes of case items that hashwarden cannot compute (PhotoDNA, TMK+PDQF, names it does not
#: know), brought by VICS imports: stored and passed on, never dropped.
case_item_hashes = Table(
    "case_item_hashes",
    metadata,
    Column(
        "case_id",
        Integer,
        ForeignKey("cases.id", ondelete="CASCADE", name="fk_case_item_hashes_case_id"),
        primary_key=True,
    ),
    Column("path_key", String(64), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
