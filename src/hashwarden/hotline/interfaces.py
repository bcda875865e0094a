"""What the hotline services need from storage (``hashwarden.storage`` implements it in SQL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from hashwarden.hotline.models import Message, Report, ReportForm, ReportStatus


class ReportStore(Protocol):
    def add(self, reference: str, form: ReportForm, follow_up_hash: str | None) -> Report:
        """Store a new report; raises ``DuplicateReferenceError`` if the reference is taken."""
        ...

    def get(self, reference: str) -> Report | None: ...

    def follow_up_hash(self, reference: str) -> str | None:
        """The slow hash of the report's follow-up passphrase (None: none, or no such report)."""
        ...

    def add_message(self, reference: str, message: Message) -> None: ...

    def set_status(
        self, reference: str, status: ReportStatus, at: datetime | None = None
    ) -> Report:
        """Set the status; a final one stamps ``closed_at`` (``at``, default now), others clear it.

        Setting the final status a report already has keeps its ``closed_at``.
        """
        ...

    def queue(self, statuses: Sequence[ReportStatus], limit: int = 200) -> list[Report]:
        """Reports in these statuses, oldest first (without their messages)."""
        ...

    def awaiting_removal(self) -> list[Report]:
        """Reports whose host was sent a notice and whose material is not removed yet.

        Deleted reports (tombstones) are never among them: their address is gone.
        """
        ...

    def received_since(self, since: datetime) -> list[Report]:
        """Every report received at or after ``since`` (without messages)."""
        ...

    def mark(self, reference: str, event: str, at: datetime) -> Report:
        """Set one ``Timeline`` timestamp (``assessed_at``, ``notice_sent_at`` ...)."""
        ...
