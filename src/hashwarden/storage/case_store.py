"""``SqlCaseStore``: cases and their items over SQLAlchemy (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from hashwarden.cases.interfaces import CaseError, PictureHash, SeriesPicture
from hashwarden.cases.models import Case, CaseItem, KnownMatch, Link, LinkKind, ScannedItem, Series
from hashwarden.core.errors import StorageError
from hashwarden.storage import case_link_store
from hashwarden.storage.case_tables import (
    case_items,
    case_series,
    case_series_items,
    cases,
    path_key,
)
from hashwarden.storage.database import read_transaction, write_transaction
from hashwarden.storage.migrate import ensure_schema

#: Rows per statement when saving a scan's batch.
_CHUNK = 500


__all__ = ["SqlCaseStore", "item_row", "path_key"]


def item_row(case_id: int, item: ScannedItem, at: datetime) -> dict[str, Any]:
    known = item.known
    return {
        "case_id": case_id, "path": item.path, "path_key": path_key(item.path),
        "media_type": item.media_type, "size": item.size, "md5": item.md5, "sha1": item.sha1,
        "sha256": item.sha256, "pdq": item.pdq, "pdq_quality": item.pdq_quality,
        "vpdq": item.vpdq, "features": item.features,
        "exif": json.dumps(item.exif, sort_keys=True, ensure_ascii=True),
        "known_list": known.list_name if known else None,
        "known_entry_id": known.entry_id if known else None,
        "known_signal_type": known.signal_type if known else None,
        "known_distance": known.distance if known else None,
        "known_category": known.category if known else None,
        "stack_id": None, "scanned_at": at, "linked_at": None,
    }


def _item(row: Any) -> CaseItem:
    known = None
    if row.known_list is not None:
        known = KnownMatch(row.known_list, row.known_entry_id, row.known_signal_type,
                           row.known_distance, row.known_category)
    scanned = ScannedItem(
        path=row.path, media_type=row.media_type, size=row.size, md5=row.md5, sha1=row.sha1,
        sha256=row.sha256, pdq=row.pdq, pdq_quality=row.pdq_quality, vpdq=row.vpdq,
        features=row.features, exif=json.loads(row.exif), known=known,
    )
    return CaseItem(row.id, row.case_id, scanned, row.scanned_at, row.stack_id)


class SqlCaseStore:
    def __init__(self, engine: Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate:
            ensure_schema(engine)

    def create_case(self, name: str, description: str, at: datetime) -> Case:
        with write_transaction(self.engine, lock=None) as connection:
            case_id = connection.execute(
                insert(cases).values(name=name, description=description, created_at=at)
                .returning(cases.c.id)
            ).scalar_one()
        return Case(case_id, name, at, description)

    def get_case(self, name: str) -> Case | None:
        with read_transaction(self.engine) as connection:
            row = connection.execute(select(cases).where(cases.c.name == name)).one_or_none()
        return None if row is None else Case(row.id, row.name, row.created_at, row.description)

    def cases(self) -> list[Case]:
        with read_transaction(self.engine) as connection:
            rows = connection.execute(select(cases).order_by(cases.c.name)).all()
        return [Case(row.id, row.name, row.created_at, row.description) for row in rows]

    def save_items(self, case_id: int, items: Sequence[ScannedItem], at: datetime) -> None:
        rows = [item_row(case_id, item, at) for item in items]
        with write_transaction(self.engine, lock=None) as connection:
            for start in range(0, len(rows), _CHUNK):
                chunk = rows[start:start + _CHUNK]
                keys = [row["path_key"] for row in chunk]
                connection.execute(
                    delete(case_items).where(
                        case_items.c.case_id == case_id, case_items.c.path_key.in_(keys)
                    )
                )
                # A replaced item may have new content: its links go with its old row.
                case_link_store.drop_links_of(connection, case_id, keys)
                connection.execute(insert(case_items), chunk)

    def items(self, case_id: int) -> Iterator[CaseItem]:
        with read_transaction(self.engine) as connection:
            rows = connection.execute(
                select(case_items).where(case_items.c.case_id == case_id)
                .order_by(case_items.c.id)
            ).all()
        return iter([_item(row) for row in rows])

    def item(self, case_id: int, path: str) -> CaseItem | None:
        with read_transaction(self.engine) as connection:
            row = connection.execute(
                select(case_items).where(
                    case_items.c.case_id == case_id, case_items.c.path_key == path_key(path)
                )
            ).one_or_none()
        return None if row is None else _item(row)

    def count_items(self, case_id: int) -> int:
        with read_transaction(self.engine) as connection:
            return int(connection.execute(
                select(func.count()).select_from(case_items)
                .where(case_items.c.case_id == case_id)
            ).scalar_one())

    def pictures(self, case_id: int) -> list[PictureHash]:
        query = (
            select(case_items.c.id, case_items.c.path, case_items.c.pdq,
                   case_items.c.pdq_quality)
            .where(case_items.c.case_id == case_id, case_items.c.pdq.is_not(None))
            .order_by(case_items.c.id)
        )
        with read_transaction(self.engine) as connection:
            rows = connection.execute(query).all()
        return [PictureHash(row.id, row.path, row.pdq, row.pdq_quality) for row in rows]

    def series_pictures(self, other_than: int) -> list[SeriesPicture]:
        query = (
            select(cases.c.name.label("case_name"), case_series.c.id.label("series_id"),
                   case_series.c.name.label("series_name"), case_items.c.id,
                   case_items.c.path, case_items.c.pdq, case_items.c.pdq_quality)
            .select_from(case_series_items)
            .join(case_series, case_series.c.id == case_series_items.c.series_id)
            .join(cases, cases.c.id == case_series.c.case_id)
            # A series holds items of its own case only.
            .join(case_items, (case_items.c.id == case_series_items.c.item_id)
                  & (case_items.c.case_id == case_series.c.case_id))
            .where(case_series.c.case_id != other_than, case_items.c.pdq.is_not(None))
            .order_by(case_series.c.case_id, case_series.c.name, case_items.c.id)
        )
        with read_transaction(self.engine) as connection:
            rows = connection.execute(query).all()
        return [
            SeriesPicture(row.case_name, row.series_id, row.series_name,
                          PictureHash(row.id, row.path, row.pdq, row.pdq_quality))
            for row in rows
        ]

    def set_stacks(self, case_id: int, stacks: Mapping[int, int]) -> None:
        with write_transaction(self.engine, lock=None) as connection:
            connection.execute(
                update(case_items).where(case_items.c.case_id == case_id).values(stack_id=None)
            )
            if stacks:
                connection.execute(
                    update(case_items)
                    .where(case_items.c.id == bindparam("item_id"))
                    .values(stack_id=bindparam("stack")),
                    [{"item_id": item, "stack": stack} for item, stack in stacks.items()],
                )

    def create_series(self, case_id: int, name: str, created_by: str, at: datetime,
                      item_ids: Sequence[int]) -> Series:
        try:
            with write_transaction(self.engine, lock=None) as connection:
                series_id = connection.execute(
                    insert(case_series).values(case_id=case_id, name=name,
                                               created_by=created_by, created_at=at)
                    .returning(case_series.c.id)
                ).scalar_one()
                self._add(connection, series_id, item_ids)
        except StorageError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise CaseError(f"the case has a series named {name!r} already") from exc
            raise
        return Series(series_id, case_id, name, created_by, at, tuple(sorted(set(item_ids))))

    def add_to_series(self, series_id: int, item_ids: Sequence[int]) -> None:
        with write_transaction(self.engine, lock=None) as connection:
            self._add(connection, series_id, item_ids)

    @staticmethod
    def _add(connection: Any, series_id: int, item_ids: Sequence[int]) -> None:
        present = set(connection.execute(
            select(case_series_items.c.item_id).where(case_series_items.c.series_id == series_id)
        ).scalars())
        fresh = sorted(set(item_ids) - present)
        if fresh:
            connection.execute(insert(case_series_items),
                               [{"series_id": series_id, "item_id": item} for item in fresh])

    def series(self, case_id: int | None = None) -> list[Series]:
        query = select(case_series).order_by(case_series.c.case_id, case_series.c.name)
        if case_id is not None:
            query = query.where(case_series.c.case_id == case_id)
        with read_transaction(self.engine) as connection:
            rows = connection.execute(query).all()
            members: dict[int, list[int]] = {}
            for series_id, item_id in connection.execute(
                select(case_series_items.c.series_id, case_series_items.c.item_id).where(
                    case_series_items.c.series_id.in_([row.id for row in rows])
                )
            ):
                members.setdefault(series_id, []).append(item_id)
        return [
            Series(row.id, row.case_id, row.name, row.created_by, row.created_at,
                   tuple(sorted(members.get(row.id, ()))))
            for row in rows
        ]

    def unlinked(self, case_id: int) -> list[int]:
        return case_link_store.unlinked(self.engine, case_id)

    def save_links(self, case_id: int, linked: Sequence[int], links: Sequence[Link],
                   at: datetime) -> None:  # fmt: skip
        case_link_store.save_links(self.engine, case_id, linked, links, at)

    def forget_links(self, case_id: int) -> None:
        case_link_store.forget_links(self.engine, case_id)

    def links(self, case_id: int, kind: LinkKind, *, paths: Sequence[str] | None = None,
              offset: int = 0, limit: int | None = None, apart: bool = True) -> list[Link]:
        return case_link_store.read_links(self.engine, case_id, kind, paths=paths,
                                          offset=offset, limit=limit, apart=apart)

    def count_links(self, case_id: int, kind: LinkKind) -> int:
        return case_link_store.count_links(self.engine, case_id, kind)
