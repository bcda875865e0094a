"""Stored links between a case's items: written after a scan, read by pages and ``case links``.

``SqlCaseStore`` delegates here. Links are stored whatever the stacks; a same-place link
between two items that are now in one stack is left out when read (``apart``), as stacks move
with every scan and the link itself stays true.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.sql import Select

from hashwarden.cases.models import Link, LinkKind
from hashwarden.storage.case_link_tables import case_links
from hashwarden.storage.case_tables import case_items, path_key
from hashwarden.storage.database import read_transaction, write_transaction

_CHUNK = 500

_a = case_items.alias("end_a")
_b = case_items.alias("end_b")


def _joined(case_id: int, kind: LinkKind, apart: bool) -> Select[Any]:
    """Links of ``kind`` with both ends present, ends by path and item id."""
    query = (
        select(case_links.c.kind, case_links.c.score, _a.c.id.label("a_id"),
               _a.c.path.label("a_path"), _b.c.id.label("b_id"), _b.c.path.label("b_path"))
        .select_from(case_links)
        .join(_a, and_(_a.c.case_id == case_links.c.case_id, _a.c.path_key == case_links.c.a_key))
        .join(_b, and_(_b.c.case_id == case_links.c.case_id, _b.c.path_key == case_links.c.b_key))
        .where(case_links.c.case_id == case_id, case_links.c.kind == kind.value)
    )
    if apart and kind is LinkKind.SAME_PLACE:
        query = query.where(or_(_a.c.stack_id.is_(None), _b.c.stack_id.is_(None),
                                _a.c.stack_id != _b.c.stack_id))
    return query


def _link(row: Any) -> Link:
    # Oriented by item order, as the whole-case computation over the items in id order was.
    a, b = (row.a_path, row.b_path) if row.a_id < row.b_id else (row.b_path, row.a_path)
    return Link(a, b, LinkKind(row.kind), float(row.score))


def read_links(engine: Engine, case_id: int, kind: LinkKind, *,
               paths: Sequence[str] | None = None, offset: int = 0, limit: int | None = None,
               apart: bool = True) -> list[Link]:  # fmt: skip
    """Links of ``kind``, best first (near-duplicates closest first, same-place most pairs
    first), ties in item order; only those touching ``paths`` when given."""
    query = _joined(case_id, kind, apart)
    if paths is not None:
        keys = [path_key(p) for p in paths]
        if not keys:
            return []
        query = query.where(or_(case_links.c.a_key.in_(keys), case_links.c.b_key.in_(keys)))
    first = case((_a.c.id < _b.c.id, _a.c.id), else_=_b.c.id)
    second = case((_a.c.id < _b.c.id, _b.c.id), else_=_a.c.id)
    score = case_links.c.score if kind is LinkKind.NEAR_DUPLICATE else case_links.c.score.desc()
    query = query.order_by(score, first, second).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    with read_transaction(engine) as connection:
        return [_link(row) for row in connection.execute(query)]


def count_links(engine: Engine, case_id: int, kind: LinkKind) -> int:
    query = select(func.count()).select_from(_joined(case_id, kind, True).subquery())
    with read_transaction(engine) as connection:
        return int(connection.execute(query).scalar_one())


def unlinked(engine: Engine, case_id: int) -> list[int]:
    query = (select(case_items.c.id)
             .where(case_items.c.case_id == case_id, case_items.c.linked_at.is_(None))
             .order_by(case_items.c.id))  # fmt: skip
    with read_transaction(engine) as connection:
        return list(connection.execute(query).scalars())


def save_links(engine: Engine, case_id: int, linked: Sequence[int], links: Sequence[Link],
               at: datetime) -> None:  # fmt: skip
    """Store ``links`` (replacing a stored link of the same ends and kind) and mark the items
    ``linked`` (ids) linked, in one transaction: a killed linking resumes where it stopped."""
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for link in links:
        a, b = sorted((path_key(link.a), path_key(link.b)))
        rows[(a, b, link.kind.value)] = {"case_id": case_id, "a_key": a, "b_key": b,
                                         "kind": link.kind.value, "score": link.score,
                                         "found_at": at}
    listed = list(rows.values())
    same = and_(case_links.c.case_id == case_id, case_links.c.a_key == bindparam("d_a"),
                case_links.c.b_key == bindparam("d_b"), case_links.c.kind == bindparam("d_k"))
    with write_transaction(engine, lock=None) as connection:
        for start in range(0, len(listed), _CHUNK):
            chunk = listed[start:start + _CHUNK]
            connection.execute(delete(case_links).where(same), [
                {"d_a": r["a_key"], "d_b": r["b_key"], "d_k": r["kind"]} for r in chunk
            ])
            connection.execute(insert(case_links), chunk)
        for start in range(0, len(linked), _CHUNK):
            connection.execute(
                update(case_items)
                .where(case_items.c.case_id == case_id,
                       case_items.c.id.in_(linked[start:start + _CHUNK]))
                .values(linked_at=at)
            )


def forget_links(engine: Engine, case_id: int) -> None:
    """Drop every link of the case and mark every item unlinked (``case scan --restart``)."""
    with write_transaction(engine, lock=None) as connection:
        connection.execute(delete(case_links).where(case_links.c.case_id == case_id))
        connection.execute(update(case_items).where(case_items.c.case_id == case_id)
                           .values(linked_at=None))


def drop_links_of(connection: Connection, case_id: int, keys: Sequence[str]) -> None:
    """Inside the caller's transaction: the links of items whose rows are being replaced (their
    content may have changed; they are linked again as new)."""
    if keys:
        for end in (case_links.c.a_key, case_links.c.b_key):
            connection.execute(delete(case_links).where(case_links.c.case_id == case_id,
                                                        end.in_(keys)))
