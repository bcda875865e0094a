"""``SqlStaffStore``: console staff accounts and sessions over SQLAlchemy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from hashwarden.accounts.staff_models import (
    StaffCredentials,
    StaffRole,
    StaffSession,
    StaffUser,
)
from hashwarden.accounts.staff_services import StaffError
from hashwarden.core.errors import StorageError
from hashwarden.storage.database import read_transaction, write_transaction
from hashwarden.storage.migrate import ensure_schema
from hashwarden.storage.staff_tables import staff_sessions, staff_users


class SqlStaffStore:
    def __init__(self, engine: Engine, *, migrate: bool = True) -> None:
        self.engine = engine
        if migrate:
            ensure_schema(engine)

    def add(self, username: str, role: StaffRole, password_hash: str, at: datetime) -> StaffUser:
        try:
            with write_transaction(self.engine, lock=None) as connection:
                connection.execute(
                    insert(staff_users).values(
                        username=username, role=role.value, password_hash=password_hash,
                        totp_secret=None, created_at=at, disabled_at=None,
                    )
                )
        except StorageError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise StaffError(f"a staff account {username!r} exists already") from exc
            raise
        return self._account(username)

    def credentials(self, username: str) -> StaffCredentials | None:
        with read_transaction(self.engine) as connection:
            row = connection.execute(
                select(staff_users).where(staff_users.c.username == username)
            ).one_or_none()
        if row is None:
            return None
        return StaffCredentials(_user(row._mapping), row.password_hash, row.totp_secret)

    def all(self) -> list[StaffUser]:
        with read_transaction(self.engine) as connection:
            rows = connection.execute(select(staff_users).order_by(staff_users.c.username))
            return [_user(row._mapping) for row in rows]

    def set_password(self, username: str, password_hash: str) -> None:
        self._update(username, password_hash=password_hash)

    def set_totp(self, username: str, secret: str | None) -> None:
        self._update(username, totp_secret=secret)

    def disable(self, username: str, at: datetime) -> StaffUser:
        self._update(username, disabled_at=at)
        self.end_sessions(username)
        return self._account(username)

    def enable(self, username: str) -> StaffUser:
        # Sessions ended at disabling stay ended: the person signs in afresh.
        self._update(username, disabled_at=None)
        return self._account(username)

    def add_session(
        self, token_hash: str, user_id: int, csrf_token: str, created_at: datetime,
        expires_at: datetime,
    ) -> None:  # fmt: skip
        with write_transaction(self.engine, lock=None) as connection:
            connection.execute(
                insert(staff_sessions).values(
                    token_hash=token_hash, user_id=user_id, csrf_token=csrf_token,
                    created_at=created_at, expires_at=expires_at,
                )
            )

    def session(self, token_hash: str, now: datetime) -> StaffSession | None:
        query = (
            select(
                staff_users,
                staff_sessions.c.csrf_token,
                staff_sessions.c.created_at.label("session_created_at"),
                staff_sessions.c.expires_at,
            )
            .join(staff_sessions, staff_users.c.id == staff_sessions.c.user_id)
            .where(staff_sessions.c.token_hash == token_hash)
        )
        with read_transaction(self.engine) as connection:
            row = connection.execute(query).one_or_none()
        if row is None or row.expires_at <= now or row.disabled_at is not None:
            return None
        return StaffSession(
            user=_user(row._mapping),
            csrf_token=str(row.csrf_token),
            created_at=row.session_created_at,
            expires_at=row.expires_at,
        )

    def end_session(self, token_hash: str) -> None:
        with write_transaction(self.engine, lock=None) as connection:
            connection.execute(
                delete(staff_sessions).where(staff_sessions.c.token_hash == token_hash)
            )

    def end_sessions(self, username: str) -> None:
        with write_transaction(self.engine, lock=None) as connection:
            ids = select(staff_users.c.id).where(staff_users.c.username == username)
            connection.execute(delete(staff_sessions).where(staff_sessions.c.user_id.in_(ids)))

    def _account(self, username: str) -> StaffUser:
        found = self.credentials(username)
        assert found is not None
        return found.user

    def _update(self, username: str, **values: Any) -> None:
        with write_transaction(self.engine, lock=None) as connection:
            changed = connection.execute(
                update(staff_users).where(staff_users.c.username == username).values(**values)
            )
        if changed.rowcount == 0:
            raise StaffError(f"no staff account {username!r}")


def _user(row: Any) -> StaffUser:
    return StaffUser(
        id=int(row["id"]),
        username=str(row["username"]),
        role=StaffRole(row["role"]),
        created_at=row["created_at"],
        totp_enabled=row["totp_secret"] is not None,
        disabled_at=row["disabled_at"],
    )
