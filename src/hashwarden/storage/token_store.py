"""``SqlTokenStore``: the accounts' ``TokenStore`` protocol over SQLAlchemy (SQLite or PostgreSQL).

Opening a store migrates its database to the newest schema first, like ``SqlListStore``.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, text, update

from hashwarden.accounts.models import ApiToken, Role
from hashwarden.core.errors import TokenNotFoundError
from hashwarden.storage.account_tables import api_tokens
from hashwarden.storage.database import (
    create_engine,
    read_transaction,
    storage_errors,
    write_transaction,
)
from hashwarden.storage.migrate import ensure_schema

#: Longest a ``last_used_at`` update waits for a lock before giving up (seconds). It runs while
#: a request is being authenticated, so it must not queue behind a long import.
TOUCH_WAIT = 0.25


class SqlTokenStore:
    def __init__(self, engine: Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate:
            ensure_schema(engine)

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
    ) -> ApiToken:
        with write_transaction(self.engine) as connection:
            token_id = connection.scalar(
                insert(api_tokens)
                .values(
                    name=name,
                    role=role.value,
                    secret_digest=secret_digest,
                    created_at=created_at,
                    created_by=created_by,
                    granted_lists=list(granted_lists),
                    expires_at=expires_at,
                )
                .returning(api_tokens.c.id)
            )
            assert token_id is not None
            return _require(connection, int(token_id))

    def by_digest(self, secret_digest: str) -> ApiToken | None:
        with read_transaction(self.engine) as connection:
            query = select(api_tokens).where(api_tokens.c.secret_digest == secret_digest)
            row = connection.execute(query).one_or_none()
        return None if row is None else _token(row._mapping)

    def get(self, token_id: int) -> ApiToken:
        with read_transaction(self.engine) as connection:
            return _require(connection, token_id)

    def all(self) -> list[ApiToken]:
        with read_transaction(self.engine) as connection:
            rows = connection.execute(select(api_tokens).order_by(api_tokens.c.id))
            return [_token(row._mapping) for row in rows]

    def revoke(self, token_id: int, at: datetime) -> ApiToken:
        """Revoke the token; a token revoked before keeps its first revocation time."""
        with write_transaction(self.engine) as connection:
            connection.execute(
                update(api_tokens)
                .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )
            return _require(connection, token_id)

    def touch(self, token_id: int, at: datetime) -> None:
        """Record a use; raises ``StorageError`` after ``TOUCH_WAIT`` if the database is busy."""
        statement = update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=at)
        if self.engine.dialect.name == "sqlite":
            with write_transaction(self._touch_engine) as connection:
                connection.execute(statement)
            return
        # Not the writers' lock: nothing orders token uses, and imports hold that lock for long.
        with storage_errors(self.engine), self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                wait_ms = int(TOUCH_WAIT * 1000)
                connection.execute(text(f"SET LOCAL lock_timeout = {wait_ms}"))
            connection.execute(statement)

    @cached_property
    def _touch_engine(self) -> Engine:
        # SQLite's lock wait is per connection, so touches get connections of their own.
        if self.engine.url.database in (None, "", ":memory:"):
            return self.engine
        return create_engine(self.engine.url, busy_timeout=TOUCH_WAIT)


def _require(connection: Connection, token_id: int) -> ApiToken:
    row = connection.execute(select(api_tokens).where(api_tokens.c.id == token_id)).one_or_none()
    if row is None:
        raise TokenNotFoundError(token_id)
    return _token(row._mapping)


def _token(row: Any) -> ApiToken:
    return ApiToken(
        id=int(row["id"]),
        name=row["name"],
        role=Role(row["role"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
        granted_lists=tuple(row["granted_lists"] or ()),
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        last_used_at=row["last_used_at"],
    )
