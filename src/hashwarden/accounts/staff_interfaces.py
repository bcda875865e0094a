"""What the staff service needs from storage (``hashwarden.storage.staff_store`` implements it)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from hashwarden.accounts.staff_models import StaffCredentials, StaffRole, StaffSession, StaffUser


class StaffStore(Protocol):
    def add(self, username: str, role: StaffRole, password_hash: str, at: datetime) -> StaffUser:
        """Raises ``StaffError`` when the username is taken."""
        ...

    def credentials(self, username: str) -> StaffCredentials | None: ...
    def all(self) -> list[StaffUser]: ...
    def set_password(self, username: str, password_hash: str) -> None: ...
    def set_totp(self, username: str, secret: str | None) -> None: ...

    def disable(self, username: str, at: datetime) -> StaffUser:
        """Marks the account disabled and ends its sessions."""
        ...

    def enable(self, username: str) -> StaffUser: ...

    def add_session(
        self, token_hash: str, user_id: int, csrf_token: str, created_at: datetime,
        expires_at: datetime,
    ) -> None: ...  # fmt: skip

    def session(self, token_hash: str, now: datetime) -> StaffSession | None:
        """The live session with that token hash (None when unknown, expired or disabled)."""
        ...

    def end_session(self, token_hash: str) -> None: ...

    def end_sessions(self, username: str) -> None:
        """Ends every session of the account (unknown usernames: nothing to end)."""
        ...
