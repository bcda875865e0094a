"""TokenService over the SQL token and audit stores, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from hashwarden.accounts.models import ROLE_PERMISSIONS, Permission, Principal, Role
from hashwarden.accounts.services import TokenService
from hashwarden.audit.services import AuditLog
from hashwarden.core.errors import TokenError, TokenNotFoundError
from hashwarden.storage.account_tables import api_tokens, audit_events
from hashwarden.storage.audit_store import SqlAuditStore
from hashwarden.storage.token_store import SqlTokenStore


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def audit(engine: Engine) -> AuditLog:
    return AuditLog(SqlAuditStore(engine))


@pytest.fixture
def tokens(engine: Engine, audit: AuditLog, clock: Clock) -> TokenService:
    return TokenService(SqlTokenStore(engine), audit, clock=clock)


def test_create_then_authenticate(tokens: TokenService, audit: AuditLog, clock: Clock) -> None:
    issued = tokens.create("upload-scanner", Role.PLATFORM, actor="cli:ana")
    assert issued.secret.startswith("hw_") and len(issued.secret) >= 46
    token = issued.token
    assert (token.name, token.role, token.created_by) == (
        "upload-scanner",
        Role.PLATFORM,
        "cli:ana",
    )
    assert token.created_at == clock.now and token.expires_at is None

    principal = tokens.authenticate(issued.secret)
    assert principal == Principal(token.id, "upload-scanner", Role.PLATFORM)
    assert principal.actor == f"token:{token.id}:upload-scanner"
    assert principal.can(Permission.MATCH) and not principal.can(Permission.LISTS_READ)

    second = tokens.create("curation", "curator", actor="cli:ana")  # type: ignore[arg-type]
    assert second.secret != issued.secret and second.token.id > token.id
    assert [t.id for t in tokens.list()] == [token.id, second.token.id]

    [first_event, second_event] = list(audit.events())
    assert (first_event.actor, first_event.action, first_event.object) == (
        "cli:ana",
        "tokens.create",
        f"token:{token.id}",
    )
    assert first_event.details == {"name": "upload-scanner", "role": "platform"}
    assert second_event.details["role"] == "curator"
    assert audit.verify().ok


def test_only_the_digest_is_stored(tokens: TokenService, engine: Engine) -> None:
    issued = tokens.create("feed", Role.SUBSCRIBER, actor="cli:ana", granted_lists=["known"])
    with engine.connect() as connection:
        [token_row] = connection.execute(select(api_tokens)).all()
        event_rows = connection.execute(select(audit_events)).all()
    assert token_row.secret_digest == hashlib.sha256(issued.secret.encode()).hexdigest()
    secret_part = issued.secret.removeprefix("hw_")
    for row in [token_row, *event_rows]:
        assert all(secret_part not in str(value) for value in row)


def test_unknown_malformed_revoked_and_expired_tokens_are_refused(
    tokens: TokenService, audit: AuditLog, clock: Clock
) -> None:
    issued = tokens.create(
        "short-lived", Role.REVIEWER, actor="cli:ana", expires_in=timedelta(hours=1)
    )
    assert issued.token.expires_at == clock.now + timedelta(hours=1)
    assert tokens.authenticate(issued.secret) is not None
    assert tokens.authenticate(issued.secret + "x") is None
    assert tokens.authenticate(issued.secret.removeprefix("hw_")) is None
    assert tokens.authenticate("hw_" + "a" * 500) is None
    assert tokens.authenticate("") is None

    clock.advance(minutes=59, seconds=59)
    assert tokens.authenticate(issued.secret) is not None
    clock.advance(seconds=1)
    assert tokens.authenticate(issued.secret) is None

    other = tokens.create("revoked-soon", Role.AUDITOR, actor="cli:ana")
    revoked = tokens.revoke(other.token.id, actor="cli:bo")
    assert revoked.revoked_at == clock.now
    assert tokens.authenticate(other.secret) is None
    clock.advance(hours=1)
    again = tokens.revoke(other.token.id, actor="cli:bo")
    assert again.revoked_at == revoked.revoked_at
    with pytest.raises(TokenNotFoundError, match="no API token with id 999"):
        tokens.revoke(999, actor="cli:bo")

    actions = [(e.action, e.object, e.actor) for e in audit.events()]
    assert actions == [
        ("tokens.create", f"token:{issued.token.id}", "cli:ana"),
        ("tokens.create", f"token:{other.token.id}", "cli:ana"),
        ("tokens.revoke", f"token:{other.token.id}", "cli:bo"),
    ]


def test_granted_lists_belong_to_subscribers_only(tokens: TokenService, audit: AuditLog) -> None:
    issued = tokens.create(
        "partner", Role.SUBSCRIBER, actor="cli:ana", granted_lists=["known", "ncmec", "known"]
    )
    assert issued.token.granted_lists == ("known", "ncmec")
    principal = tokens.authenticate(issued.secret)
    assert principal is not None and principal.granted_lists == ("known", "ncmec")
    assert principal.can(Permission.CHANGES_READ) and not principal.can(Permission.MATCH)
    [event] = audit.events()
    assert event.details["granted_lists"] == ["known", "ncmec"]

    refused: list[tuple[str, Role | str, list[str], timedelta | None]] = [
        ("platform-with-lists", Role.PLATFORM, ["known"], None),
        ("admin-with-lists", Role.ADMIN, ["known"], None),
        ("subscriber-without", Role.SUBSCRIBER, [], None),
        ("bad-list-name", Role.SUBSCRIBER, [""], None),
        ("", Role.ADMIN, [], None),
        ("   ", Role.ADMIN, [], None),
        ("x" * 101, Role.ADMIN, [], None),
        ("line\nbreak", Role.ADMIN, [], None),
        ("unknown-role", "root", [], None),
        ("already-expired", Role.ADMIN, [], timedelta(0)),
    ]
    for name, role, lists, expires_in in refused:
        with pytest.raises(TokenError):
            tokens.create(
                name,
                role,  # type: ignore[arg-type]
                actor="cli:ana",
                granted_lists=lists,
                expires_in=expires_in,
            )
    assert len(tokens.list()) == 1 and len(list(audit.events())) == 1
    assert tokens.create("x" * 100, Role.ADMIN, actor="cli:ana").token.name == "x" * 100


def test_last_used_is_written_at_most_once_a_minute(
    tokens: TokenService, engine: Engine, audit: AuditLog, clock: Clock
) -> None:
    issued = tokens.create("busy", Role.PLATFORM, actor="cli:ana")
    token_id = issued.token.id
    start = clock.now
    assert tokens.authenticate(issued.secret) is not None
    assert tokens.get(token_id).last_used_at == start

    clock.advance(seconds=59)
    assert tokens.authenticate(issued.secret) is not None
    assert tokens.get(token_id).last_used_at == start
    # Another process (its own service) also sees the recent write and leaves it alone.
    elsewhere = TokenService(SqlTokenStore(engine), audit, clock=clock)
    assert elsewhere.authenticate(issued.secret) is not None
    assert tokens.get(token_id).last_used_at == start

    clock.advance(seconds=1)
    assert tokens.authenticate(issued.secret) is not None
    assert tokens.get(token_id).last_used_at == clock.now


def test_a_busy_database_does_not_turn_a_valid_token_away(
    tokens: TokenService, engine: Engine, clock: Clock
) -> None:
    issued = tokens.create("patient", Role.PLATFORM, actor="cli:ana")
    with _held_write_lock(engine, issued.token.id):
        started = time.monotonic()
        principal = tokens.authenticate(issued.secret)
        assert time.monotonic() - started < 5
    assert principal is not None and principal.token_id == issued.token.id
    assert tokens.get(issued.token.id).last_used_at is None
    # The failed attempt counts: no retry (and no wait) on every request until a minute passed.
    assert tokens.authenticate(issued.secret) is not None
    assert tokens.get(issued.token.id).last_used_at is None
    clock.advance(minutes=1)
    assert tokens.authenticate(issued.secret) is not None
    assert tokens.get(issued.token.id).last_used_at == clock.now


@contextmanager
def _held_write_lock(engine: Engine, token_id: int) -> Iterator[None]:
    """Another writer holding the lock a ``last_used_at`` update needs."""
    if engine.dialect.name == "sqlite":
        other = sqlite3.connect(Path(str(engine.url.database)), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    with engine.connect() as connection, connection.begin():
        query = text("SELECT id FROM api_tokens WHERE id = :id FOR UPDATE")
        connection.execute(query, {"id": token_id})
        yield


def test_role_permission_table() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    # Only admins manage tokens; platforms only match; subscribers only follow change feeds.
    assert {r for r, perms in ROLE_PERMISSIONS.items() if Permission.TOKENS_MANAGE in perms} == {
        Role.ADMIN
    }
    assert ROLE_PERMISSIONS[Role.PLATFORM] == {Permission.MATCH}
    assert ROLE_PERMISSIONS[Role.SUBSCRIBER] == {Permission.CHANGES_READ}
    assert ROLE_PERMISSIONS[Role.AUDITOR] == {Permission.AUDIT_READ}
    assert ROLE_PERMISSIONS[Role.REVIEWER] == {Permission.REVIEW}
    assert Permission.LISTS_WRITE in ROLE_PERMISSIONS[Role.CURATOR]
    for role in Role:
        if role not in (Role.ADMIN, Role.AUDITOR):
            assert Permission.AUDIT_READ not in ROLE_PERMISSIONS[role]
        assert Principal(1, "p", role).can(Permission.MATCH) == (
            Permission.MATCH in ROLE_PERMISSIONS[role]
        )
