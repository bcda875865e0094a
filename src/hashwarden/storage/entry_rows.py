"""Conversions between entries and their rows: column values, signal lookup keys, snapshots."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping

from hashwarden.core.lists.models import Category, Entry, EntryData, HashList, ListKind, Signal

#: Values up to this length are their own lookup key; longer ones are keyed by a digest.
_MAX_PLAIN_KEY = 64


def lookup_key(value: str) -> str:
    if len(value) <= _MAX_PLAIN_KEY:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def canonical_signals(signals: Iterable[Signal]) -> tuple[Signal, ...]:
    """Signals as the store returns them: each once, sorted."""
    return tuple(sorted(set(signals)))


def entry_columns(data: EntryData) -> dict[str, Any]:
    """Column values for ``entries`` (without ids, times and sequence)."""
    return {
        "category_scheme": data.category.scheme if data.category else None,
        "category_value": data.category.value if data.category else None,
        "source": data.source,
        "external_id": data.external_id,
        "notes": data.notes,
        "added_by": data.added_by,
        "attributes": dict(data.attributes),
    }


def entry_data(row: RowMapping, signals: Iterable[Signal]) -> EntryData:
    category = None
    if row["category_scheme"] is not None or row["category_value"] is not None:
        category = Category(row["category_scheme"] or "", row["category_value"] or "")
    return EntryData(
        signals=canonical_signals(signals),
        category=category,
        source=row["source"],
        external_id=row["external_id"],
        notes=row["notes"],
        added_by=row["added_by"],
        added_at=row["added_at"],
        attributes=row["attributes"] or {},
    )


def snapshot(entry: Entry) -> dict[str, Any]:
    """The entry as JSON for ``list_changes.snapshot``."""
    data = entry.data
    return {
        "signals": [[signal.type, signal.value] for signal in data.signals],
        "category": [data.category.scheme, data.category.value] if data.category else None,
        "source": data.source,
        "external_id": data.external_id,
        "notes": data.notes,
        "added_by": data.added_by,
        "attributes": dict(data.attributes),
        "added_at": entry.added_at.isoformat(),
        "removed_at": entry.removed_at.isoformat() if entry.removed_at else None,
    }


def entry_from_snapshot(
    entry_id: int, list_name: str, sequence: int, saved: Mapping[str, Any]
) -> Entry:
    category = saved.get("category")
    added_at = datetime.fromisoformat(saved["added_at"])
    removed_at = saved.get("removed_at")
    data = EntryData(
        signals=tuple(Signal(kind, value) for kind, value in saved["signals"]),
        category=Category(category[0], category[1]) if category else None,
        source=saved.get("source", ""),
        external_id=saved.get("external_id", ""),
        notes=saved.get("notes", ""),
        added_by=saved.get("added_by", ""),
        added_at=added_at,
        attributes=saved.get("attributes") or {},
    )
    return Entry(
        id=entry_id,
        list_name=list_name,
        data=data,
        added_at=added_at,
        sequence=sequence,
        removed_at=datetime.fromisoformat(removed_at) if removed_at else None,
    )


def hash_list(row: RowMapping) -> HashList:
    return HashList(
        name=row["name"],
        description=row["description"],
        kind=ListKind(row["kind"]),
        thresholds={str(key): int(value) for key, value in dict(row["thresholds"]).items()},
        classification_scheme=row["classification_scheme"],
        sequence=int(row["sequence"]),
        created_at=row["created_at"],
        id=int(row["id"]),
    )
