"""Near-duplicate and same-place links between case items, on ``metadata``.

``tables.py`` imports this module at its end; ``migrations/versions/0015_case_links.py`` creates
the table (and ``case_items.linked_at``, which says which items have been linked).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
)

from hashwarden.storage.tables import UTCDateTime, metadata

#: Computed once when a scan or import brings items, not on every page view: same-place linking
#: verifies a dozen candidates per picture. Ends are ``case_items.path_key`` values (``a_key``
#: below ``b_key``) like the graph's item ends: a resumed scan replaces an item's row.
case_links = Table(
    "case_links",
    metadata,
    Column(
        "case_id",
        Integer,
        ForeignKey("cases.id", ondelete="CASCADE", name="fk_case_links_case_id"),
        nullable=False,
    ),
    Column("a_key", String(64), nullable=False),
    Column("b_key", String(64), nullable=False),
    #: ``LinkKind`` value.
    Column("kind", String(20), nullable=False),
    #: near-duplicate: PDQ bits or vPDQ distance; same-place: verified keypoint pairs.
    Column("score", Float, nullable=False),
    Column("found_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("case_id", "a_key", "b_key", "kind", name="pk_case_links"),
    # The other end's lookups (an item's page, replacing a rescanned item's links).
    Index("ix_case_links_b", "case_id", "b_key"),
    # A page of one kind, best first.
    Index("ix_case_links_kind", "case_id", "kind", "score"),
)
