"""Roles, permissions and API tokens (pure domain: no web or database imports)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Role(enum.StrEnum):
    ADMIN = "admin"
    #: Manages lists and entries.
    CURATOR = "curator"
    #: Matches uploads; never reads lists.
    PLATFORM = "platform"
    #: Works the review queue.
    REVIEWER = "reviewer"
    #: Reads the audit log.
    AUDITOR = "auditor"
    #: Reads the change feeds of the lists granted to it (federation).
    SUBSCRIBER = "subscriber"


class Permission(enum.StrEnum):
    MATCH = "match"
    LISTS_READ = "lists:read"
    LISTS_WRITE = "lists:write"
    CHANGES_READ = "changes:read"
    REVIEW = "review"
    AUDIT_READ = "audit:read"
    TOKENS_MANAGE = "tokens:manage"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.CURATOR: frozenset(
        {Permission.LISTS_READ, Permission.LISTS_WRITE, Permission.CHANGES_READ, Permission.MATCH}
    ),
    Role.PLATFORM: frozenset({Permission.MATCH}),
    Role.REVIEWER: frozenset({Permission.REVIEW}),
    Role.AUDITOR: frozenset({Permission.AUDIT_READ}),
    Role.SUBSCRIBER: frozenset({Permission.CHANGES_READ}),
}


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A token's record. The secret itself is shown once at creation and never stored."""

    id: int
    name: str
    role: Role
    created_at: datetime
    created_by: str
    #: Lists a subscriber token may read; empty for other roles.
    granted_lists: tuple[str, ...] = ()
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    def is_active(self, now: datetime) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or now < self.expires_at


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the authenticated token, as the services see it."""

    token_id: int
    name: str
    role: Role
    granted_lists: tuple[str, ...] = ()

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return f"token:{self.token_id}:{self.name}"

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly created token: the record plus the secret, returned exactly once."""

    token: ApiToken
    secret: str
