"""``SqlCaseGraphStore``: victims, offenders, places, edges and VICS imports over SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError

from hashwarden.cases.categories import ItemCategory
from hashwarden.cases.graph_models import (
    OFFENDER_IDENTIFIED,
    VICTIM_IDENTIFIED,
    Edge,
    Entity,
    EntityKind,
    ImportedItem,
    ImportResult,
    NodeRef,
    NodeType,
)
from hashwarden.cases.interfaces import CaseError
from hashwarden.core.errors import StorageError
from hashwarden.storage.case_category_store import write_categories
from hashwarden.storage.case_graph_tables import case_edges, case_entities, case_item_hashes
from hashwarden.storage.case_store import item_row, path_key
from hashwarden.storage.case_tables import case_items, case_series, case_series_items, cases
from hashwarden.storage.database import read_transaction, write_transaction
from hashwarden.storage.migrate import ensure_schema

_CHUNK = 500


def _entity(row: Any) -> Entity:
    return Entity(row.id, row.case_id, EntityKind(row.kind), row.label, row.notes,
                  row.created_by, row.created_at, row.latitude, row.longitude)


def _stored_key(node: NodeRef) -> str:
    return path_key(node.key) if node.type is NodeType.ITEM else node.key


def _edge_row(case_id: int, edge: Edge) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "source_type": edge.source.type.value, "source_key": _stored_key(edge.source),
        "target_type": edge.target.type.value, "target_key": _stored_key(edge.target),
        "kind": edge.kind, "provenance": edge.provenance, "confidence": edge.confidence,
        "created_at": edge.created_at,
    }


def _replace_edges(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    same = and_(*(
        getattr(case_edges.c, name) == bindparam(f"b_{name}")
        for name in ("case_id", "source_type", "source_key", "target_type", "target_key", "kind")
    ))
    connection.execute(delete(case_edges).where(same),
                       [{f"b_{k}": v for k, v in row.items()} for row in rows])
    connection.execute(insert(case_edges), list(rows))


class SqlCaseGraphStore:
    def __init__(self, engine: Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate:
            ensure_schema(engine)

    def add_entity(self, case_id: int, kind: EntityKind, label: str, notes: str,
                   created_by: str, at: datetime, latitude: float | None = None,
                   longitude: float | None = None) -> Entity:
        values = {"case_id": case_id, "kind": kind.value, "label": label, "notes": notes,
                  "latitude": latitude, "longitude": longitude, "created_by": created_by,
                  "created_at": at}
        try:
            with write_transaction(self.engine, lock=None) as connection:
                entity_id = connection.execute(
                    insert(case_entities).values(values).returning(case_entities.c.id)
                ).scalar_one()
        except StorageError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise CaseError(f"the case has a {kind.value} labelled {label!r} already") from exc
            raise
        return Entity(entity_id, case_id, kind, label, notes, created_by, at, latitude, longitude)

    def entities(self, case_id: int, kind: EntityKind | None = None) -> list[Entity]:
        query = select(case_entities).where(case_entities.c.case_id == case_id)
        if kind is not None:
            query = query.where(case_entities.c.kind == kind.value)
        with read_transaction(self.engine) as connection:
            rows = connection.execute(
                query.order_by(case_entities.c.kind, case_entities.c.label)
            ).all()
        return [_entity(row) for row in rows]

    def save_edges(self, case_id: int, edges: Sequence[Edge]) -> None:
        rows = [_edge_row(case_id, edge) for edge in edges]
        with write_transaction(self.engine, lock=None) as connection:
            for start in range(0, len(rows), _CHUNK):
                _replace_edges(connection, rows[start:start + _CHUNK])

    def edges(self, case_id: int) -> list[Edge]:
        with read_transaction(self.engine) as connection:
            paths = dict(connection.execute(
                select(case_items.c.path_key, case_items.c.path)
                .where(case_items.c.case_id == case_id)
            ).all())
            rows = connection.execute(
                select(case_edges).where(case_edges.c.case_id == case_id)
                .order_by(case_edges.c.id)
            ).all()

        def node(kind: str, key: str) -> NodeRef:
            node_type = NodeType(kind)
            if node_type is NodeType.ITEM:
                key = paths.get(key, "?" + key)
            return NodeRef(node_type, key)

        return [
            Edge(node(row.source_type, row.source_key), node(row.target_type, row.target_key),
                 row.kind, row.provenance, row.confidence, row.created_at)
            for row in rows
        ]

    def other_hashes(self, case_id: int) -> dict[str, dict[str, str]]:
        with read_transaction(self.engine) as connection:
            rows = connection.execute(
                select(case_items.c.path, case_item_hashes.c.name, case_item_hashes.c.value)
                .join(case_items, and_(case_items.c.case_id == case_item_hashes.c.case_id,
                                       case_items.c.path_key == case_item_hashes.c.path_key))
                .where(case_item_hashes.c.case_id == case_id)
                .order_by(case_item_hashes.c.name)
            ).all()
        found: dict[str, dict[str, str]] = {}
        for path, name, value in rows:
            found.setdefault(path, {})[name] = value
        return found

    def import_items(self, case_id: int | None, new_case: tuple[str, str] | None,
                     items: Sequence[ImportedItem], actor: str, provenance: str,
                     at: datetime) -> ImportResult:
        try:
            with write_transaction(self.engine, lock=None) as connection:
                return _Import(connection, actor, provenance, at).run(case_id, new_case, items)
        except StorageError as exc:
            if isinstance(exc.__cause__, IntegrityError) and case_id is None and new_case:
                raise CaseError(f"a case named {new_case[0]!r} exists already") from exc
            raise


class _Import:
    """One VICS import inside one transaction: a malformed row anywhere leaves no trace."""

    def __init__(self, connection: Connection, actor: str, provenance: str,
                 at: datetime) -> None:
        self.connection = connection
        self.actor = actor
        self.provenance = provenance
        self.at = at

    def run(self, case_id: int | None, new_case: tuple[str, str] | None,
            items: Sequence[ImportedItem]) -> ImportResult:
        created = case_id is None
        if case_id is None:
            if new_case is None:
                raise CaseError("an import needs a case")
            case_id = self.connection.execute(
                insert(cases).values(name=new_case[0], description=new_case[1], created_at=self.at)
                .returning(cases.c.id)
            ).scalar_one()
        paths, added, existing = self._items(case_id, items)
        ids = dict(self.connection.execute(
            select(case_items.c.path_key, case_items.c.id).where(case_items.c.case_id == case_id)
        ).all())
        self._hashes(case_id, items, paths)
        series = self._series(case_id, items, paths, ids)
        flags = [
            Edge(NodeRef(NodeType.ITEM, path), NodeRef(NodeType.CASE, str(case_id)), kind,
                 self.provenance, 1.0, self.at)
            for imported, path in zip(items, paths, strict=True)
            for kind, flagged in ((VICTIM_IDENTIFIED, imported.victim_identified),
                                  (OFFENDER_IDENTIFIED, imported.offender_identified))
            if flagged
        ]
        rows = list({(r["source_key"], r["kind"]): r
                     for r in (_edge_row(case_id, edge) for edge in flags)}.values())
        for start in range(0, len(rows), _CHUNK):
            _replace_edges(self.connection, rows[start:start + _CHUNK])
        categorised = [ItemCategory(path, imported.category, self.provenance, self.at)
                       for imported, path in zip(items, paths, strict=True)
                       if imported.category is not None]
        write_categories(self.connection, case_id, categorised)
        return ImportResult(case_id, created, added, existing, series, len(rows),
                            len({c.path for c in categorised}))

    def _items(self, case_id: int, items: Sequence[ImportedItem]) -> tuple[list[str], int, int]:
        """The path each imported item ends up at; new paths are inserted."""
        present: set[str] = set()
        by_hash: dict[str, str] = {}
        for path, *hashes in self.connection.execute(
            select(case_items.c.path, case_items.c.md5, case_items.c.sha1, case_items.c.sha256)
            .where(case_items.c.case_id == case_id).order_by(case_items.c.id)
        ):
            present.add(path)
            for value in hashes:
                if value:
                    by_hash.setdefault(value, path)
        paths: list[str] = []
        fresh: list[dict[str, Any]] = []
        existing = 0
        for imported in items:
            item = imported.item
            path = item.path
            if imported.synthetic:
                path = next((by_hash[h] for h in (item.sha1, item.md5, item.sha256)
                             if h and h in by_hash), path)
            paths.append(path)
            if path in present:
                existing += 1
                continue
            present.add(path)
            fresh.append(item_row(case_id, item, self.at))
            for value in (item.md5, item.sha1, item.sha256):
                if value:
                    by_hash.setdefault(value, path)
        for start in range(0, len(fresh), _CHUNK):
            self.connection.execute(insert(case_items), fresh[start:start + _CHUNK])
        return paths, len(fresh), existing

    def _hashes(self, case_id: int, items: Sequence[ImportedItem], paths: list[str]) -> None:
        rows = {
            (path_key(path), name): value
            for imported, path in zip(items, paths, strict=True)
            for name, value in imported.other_hashes.items()
        }
        if not rows:
            return
        self.connection.execute(
            delete(case_item_hashes).where(
                case_item_hashes.c.case_id == case_id,
                case_item_hashes.c.path_key == bindparam("b_key"),
                case_item_hashes.c.name == bindparam("b_name"),
            ),
            [{"b_key": key, "b_name": name} for key, name in rows],
        )
        self.connection.execute(insert(case_item_hashes), [
            {"case_id": case_id, "path_key": key, "name": name, "value": value}
            for (key, name), value in rows.items()
        ])

    def _series(self, case_id: int, items: Sequence[ImportedItem], paths: list[str],
                ids: dict[str, int]) -> int:
        wanted: dict[str, set[int]] = {}
        for imported, path in zip(items, paths, strict=True):
            for name in imported.series:
                wanted.setdefault(name, set()).add(ids[path_key(path)])
        if not wanted:
            return 0
        known = dict(self.connection.execute(
            select(case_series.c.name, case_series.c.id).where(case_series.c.case_id == case_id)
        ).all())
        for name in wanted:
            if name not in known:
                known[name] = self.connection.execute(
                    insert(case_series).values(case_id=case_id, name=name,
                                               created_by=self.actor, created_at=self.at)
                    .returning(case_series.c.id)
                ).scalar_one()
        series_ids = [known[name] for name in wanted]
        present = {(row.series_id, row.item_id) for row in self.connection.execute(
            select(case_series_items.c.series_id, case_series_items.c.item_id)
            .where(case_series_items.c.series_id.in_(series_ids))
        )}
        fresh = [{"series_id": known[name], "item_id": item}
                 for name, members in wanted.items() for item in sorted(members)
                 if (known[name], item) not in present]
        if fresh:
            self.connection.execute(insert(case_series_items), fresh)
        return len(wanted)
