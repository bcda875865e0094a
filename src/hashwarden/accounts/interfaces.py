"""What the token service needs from storage (``hashwarden.storage.token_store`` implements it)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from hashwarden.accounts.models import ApiToken, Role


class TokenStore(Protocol):
    def add(
        self,
        *,
        name: str,
        role: Role,
        secret_digest: str,
        created_by: str,
        created_at: datetime,
        granted_lists: tuple[str, ...],
        expires_at: datetime | None,
    ) -> ApiToken: ...

    def by_digest(self, secret_digest: str) -> ApiToken | None: ...
    def get(self, token_id: int) -> ApiToken: ...
    def all(self) -> list[ApiToken]: ...
    def revoke(self, token_id: int, at: datetime) -> ApiToken: ...
    def touch(self, token_id: int, at: datetime) -> None: ...
