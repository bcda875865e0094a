"""``SqlFeedbackStore``: the review verdicts subscribers sent back, per entry and reporter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, select

from hashwarden.core.errors import EntryNotFoundError
from hashwarden.federation.feedback import VERDICTS, FeedbackTotal
from hashwarden.storage.bulk import bulk_insert
from hashwarden.storage.database import read_transaction
from hashwarden.storage.entry_reads import batched
from hashwarden.storage.federation_tables import entry_feedback
from hashwarden.storage.review_store import queue_transaction
from hashwarden.storage.tables import entries, hash_lists

_fb = entry_feedback.c


class SqlFeedbackStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(
        self, list_name: str, reporter: str, totals: Sequence[FeedbackTotal], now: datetime
    ) -> int:
        """Replace ``reporter``'s totals for these entries of the list; all or nothing."""
        wanted = list(dict.fromkeys(total.entry_id for total in totals))
        with queue_transaction(self.engine) as connection:
            found: set[int] = set()
            for ids in batched(wanted):
                query = (
                    select(entries.c.id)
                    .select_from(entries.join(hash_lists, hash_lists.c.id == entries.c.list_id))
                    .where(hash_lists.c.name == list_name, entries.c.id.in_(ids))
                )
                found.update(int(entry_id) for entry_id in connection.scalars(query))
            missing = [entry_id for entry_id in wanted if entry_id not in found]
            if missing:
                raise EntryNotFoundError(list_name, missing[0])
            for ids in batched(wanted):
                connection.execute(
                    delete(entry_feedback).where(_fb.reporter == reporter, _fb.entry_id.in_(ids))
                )
            latest = {total.entry_id: total for total in totals}
            rows = [
                {"entry_id": entry_id, "reporter": reporter, "verdict": verdict,
                 "count": count, "updated_at": now}
                for entry_id, total in latest.items()
                for verdict in VERDICTS
                if (count := getattr(total, verdict)) > 0
            ]  # fmt: skip
            bulk_insert(connection, entry_feedback, rows)
        return len(latest)

    def for_entry(self, entry_id: int) -> dict[str, Any]:
        """Totals over every reporter, and each reporter's own."""
        query = (
            select(_fb.reporter, _fb.verdict, _fb.count, _fb.updated_at)
            .where(_fb.entry_id == entry_id)
            .order_by(_fb.reporter, _fb.verdict)
        )
        totals = dict.fromkeys(VERDICTS, 0)
        reporters: dict[str, dict[str, Any]] = {}
        with read_transaction(self.engine) as connection:
            for reporter, verdict, count, updated_at in connection.execute(query):
                totals[verdict] = totals.get(verdict, 0) + int(count)
                blank = {"reporter": reporter, **dict.fromkeys(VERDICTS, 0)}
                shown = reporters.setdefault(reporter, blank)
                shown[verdict] = int(count)
                shown["updated_at"] = updated_at.isoformat()
        return {**totals, "reporters": list(reporters.values())}
