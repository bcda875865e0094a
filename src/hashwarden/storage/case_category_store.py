"""``SqlCaseCategoryStore``: categories of case items over SQLAlchemy (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Engine, and_, bindparam, delete, insert, select

from hashwarden.cases.categories import ItemCategory
from hashwarden.core.lists.models import Category
from hashwarden.storage.case_category_tables import case_item_categories
from hashwarden.storage.case_store import path_key
from hashwarden.storage.case_tables import case_items
from hashwarden.storage.database import read_transaction, write_transaction
from hashwarden.storage.migrate import ensure_schema

_CHUNK = 500


def write_categories(
    connection: Connection, case_id: int, categories: Sequence[ItemCategory]
) -> None:
    """Replace the categories of these items inside the caller's transaction (imports use it
    so a file's categories land with its items or not at all)."""
    categories = list({c.path: c for c in categories}.values())  # the last word per item
    for start in range(0, len(categories), _CHUNK):
        chunk = categories[start:start + _CHUNK]
        keys = [path_key(c.path) for c in chunk]
        rows = [{"case_id": case_id, "path_key": key, "scheme": c.category.scheme,
                 "value": c.category.value, "provenance": c.provenance,
                 "created_at": c.created_at} for key, c in zip(keys, chunk, strict=True)]
        _delete_keys(connection, case_id, keys)
        connection.execute(insert(case_item_categories), rows)


def _delete_keys(connection: Connection, case_id: int, keys: Sequence[str]) -> int:
    if not keys:
        return 0
    same = and_(case_item_categories.c.case_id == case_id,
                case_item_categories.c.path_key == bindparam("b_key"))
    result = connection.execute(delete(case_item_categories).where(same),
                                [{"b_key": key} for key in keys])
    return result.rowcount or 0


class SqlCaseCategoryStore:
    def __init__(self, engine: Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate:
            ensure_schema(engine)

    def set_categories(self, case_id: int, categories: Sequence[ItemCategory]) -> None:
        with write_transaction(self.engine, lock=None) as connection:
            write_categories(connection, case_id, categories)

    def clear_categories(self, case_id: int, paths: Sequence[str]) -> int:
        with write_transaction(self.engine, lock=None) as connection:
            return _delete_keys(connection, case_id, [path_key(p) for p in paths])

    def categories(self, case_id: int) -> list[ItemCategory]:
        joined = case_item_categories.join(
            case_items,
            and_(case_items.c.case_id == case_item_categories.c.case_id,
                 case_items.c.path_key == case_item_categories.c.path_key),
        )
        query = (
            select(case_items.c.path, case_item_categories.c.scheme,
                   case_item_categories.c.value, case_item_categories.c.provenance,
                   case_item_categories.c.created_at)
            .select_from(joined)
            .where(case_item_categories.c.case_id == case_id)
            .order_by(case_items.c.path)
        )
        with read_transaction(self.engine) as connection:
            return [
                ItemCategory(row.path, Category(row.scheme, row.value), row.provenance,
                             row.created_at)
                for row in connection.execute(query)
            ]
