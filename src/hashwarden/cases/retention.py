"""How long a case is kept, legal holds that block deletion, and deleting cases.

A case's data (items, EXIF, features, series) is personal data about victims and suspects:
GDPR wants it gone when the purpose ends, while an investigation or a court may order it kept.
A retention date says when the case may go; a hold, with its reason, overrides every date and
every delete. Deleting a case removes its rows, its scan journal and the encrypted copies of its
media if any were kept, never the seized media themselves.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

from hashwarden.cases.interfaces import CaseError
from hashwarden.cases.media import CaseMediaStore
from hashwarden.cases.models import Case


@dataclass(frozen=True, slots=True)
class CaseRetention:
    retain_until: date | None = None
    hold_reason: str | None = None
    hold_by: str | None = None
    hold_at: datetime | None = None

    @property
    def held(self) -> bool:
        return self.hold_reason is not None

    def as_json(self) -> dict[str, object]:
        return {
            "retain_until": self.retain_until.isoformat() if self.retain_until else None,
            "held": self.held,
            "hold_reason": self.hold_reason,
            "hold_by": self.hold_by,
            "hold_at": self.hold_at.isoformat() if self.hold_at else None,
        }


class CaseRetentionStore(Protocol):
    def retention(self, case_id: int) -> CaseRetention: ...
    def set_retention(self, case_id: int, retention: CaseRetention) -> None: ...
    def delete_case(self, case_id: int) -> bool:
        """Delete the case and everything of it, unless a hold appeared meanwhile (False)."""


def _now() -> datetime:
    return datetime.now(UTC)


class CaseRetentionService:
    def __init__(
        self, store: CaseRetentionStore, case_folders: Path,
        clock: Callable[[], datetime] = _now, media: CaseMediaStore | None = None,
    ) -> None:
        self.store = store
        #: Where copies of the case's media are kept; ``None``: deleting leaves copies alone.
        self.media = media
        #: ``$HASHWARDEN_HOME/cases``: each case's scan journal lives in a folder of its name.
        self.case_folders = case_folders
        self.clock = clock

    def retention(self, case: Case) -> CaseRetention:
        return self.store.retention(case.id)

    def retain_until(self, case: Case, until: date | None) -> CaseRetention:
        current = self.store.retention(case.id)
        updated = CaseRetention(until, current.hold_reason, current.hold_by, current.hold_at)
        self.store.set_retention(case.id, updated)
        return updated

    def hold(self, case: Case, reason: str, actor: str) -> CaseRetention:
        if not reason.strip():
            raise CaseError("a legal hold needs a reason (e.g. the order's reference)")
        current = self.store.retention(case.id)
        held = CaseRetention(current.retain_until, reason.strip(), actor, self.clock())
        self.store.set_retention(case.id, held)
        return held

    def release(self, case: Case) -> CaseRetention:
        current = self.store.retention(case.id)
        if not current.held:
            raise CaseError(f"case {case.name!r} is not on hold")
        released = CaseRetention(current.retain_until)
        self.store.set_retention(case.id, released)
        return released

    def delete(self, case: Case) -> None:
        current = self.store.retention(case.id)
        if current.held:
            raise CaseError(f"case {case.name!r} is on legal hold ({current.hold_reason})")
        if not self.store.delete_case(case.id):
            raise CaseError(f"case {case.name!r} was put on hold while being deleted")
        # Only now: a hold that won the race inside the transaction keeps the copies too.
        if self.media is not None:
            self.media.forget_case(case.id)
        shutil.rmtree(self.case_folders / case.name, ignore_errors=True)

    def due(self, cases: list[Case]) -> list[tuple[Case, CaseRetention]]:
        """Cases past their retention date, held ones included (they are reported, not deleted)."""
        today = self.clock().date()
        found = []
        for case in cases:
            retention = self.store.retention(case.id)
            if retention.retain_until is not None and retention.retain_until < today:
                found.append((case, retention))
        return found
