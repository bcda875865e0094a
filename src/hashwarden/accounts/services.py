"""``TokenService``: issue, check and revoke API tokens; every change goes to the audit log."""

from __future__ import annotations

import builtins
import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from hashwarden.accounts.interfaces import TokenStore
from hashwarden.accounts.models import ApiToken, IssuedToken, Principal, Role
from hashwarden.audit.models import AuditRecord
from hashwarden.audit.services import AuditLog
from hashwarden.core.errors import StorageError, TokenError

log = logging.getLogger(__name__)

SECRET_PREFIX = "hw_"
#: Anything longer is not one of ours; refused before it reaches the database.
MAX_SECRET_LENGTH = 128
MAX_NAME = 100
#: ``last_used_at`` is written at most this often per token, not on every request.
TOUCH_INTERVAL = timedelta(minutes=1)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def secret_digest(secret: str) -> str:
    """What the store keeps instead of the secret.

    A plain SHA-256 is right here, unlike for passwords: the secret carries 256 random bits, so
    there is nothing to brute-force and no need for a slow, salted hash. Looking tokens up by
    digest also means no secret is ever compared byte by byte, so timing reveals nothing.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class TokenService:
    def __init__(
        self,
        store: TokenStore,
        audit: AuditLog,
        clock: Callable[[], datetime] = _utc_now,
        touch_interval: timedelta = TOUCH_INTERVAL,
    ) -> None:
        self.store = store
        self.audit = audit
        self._clock = clock
        self._touch_interval = touch_interval
        # When this process last wrote (or tried to write) each token's last_used_at: a busy
        # database then costs one attempt per interval, not one per request.
        self._touched: dict[int, datetime] = {}

    def create(
        self,
        name: str,
        role: Role,
        *,
        actor: str,
        granted_lists: Iterable[str] = (),
        expires_in: timedelta | None = None,
    ) -> IssuedToken:
        """Issue a token; the returned secret is shown once and never stored."""
        try:
            role = Role(role)
        except ValueError as exc:
            raise TokenError(f"unknown role {role!r}") from exc
        _check_name(name)
        lists = _check_grants(role, granted_lists)
        if expires_in is not None and expires_in <= timedelta(0):
            raise TokenError(f"a token must expire in the future, got {expires_in}")
        now = self._clock()
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        token = self.store.add(
            name=name,
            role=role,
            secret_digest=secret_digest(secret),
            created_by=actor,
            created_at=now,
            granted_lists=lists,
            expires_at=now + expires_in if expires_in is not None else None,
        )
        # Logged after the insert: should logging fail, the secret is never handed out, so the
        # unlogged token cannot be used.
        self.audit.record(
            AuditRecord(
                actor=actor,
                action="tokens.create",
                object=f"token:{token.id}",
                details=_token_details(token),
            )
        )
        return IssuedToken(token=token, secret=secret)

    def authenticate(self, secret: str) -> Principal | None:
        """The caller behind ``secret``; ``None`` when it is unknown, revoked or expired."""
        if not secret.startswith(SECRET_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
            return None
        token = self.store.by_digest(secret_digest(secret))
        now = self._clock()
        if token is None or not token.is_active(now):
            return None
        self._maybe_touch(token, now)
        return Principal(
            token_id=token.id, name=token.name, role=token.role, granted_lists=token.granted_lists
        )

    def revoke(self, token_id: int, *, actor: str) -> ApiToken:
        """Revoke a token for good; revoking it again changes nothing and logs nothing."""
        current = self.store.get(token_id)
        if current.revoked_at is not None:
            return current
        at = self._clock()
        revoked = self.store.revoke(token_id, at)
        if revoked.revoked_at != at:  # another caller revoked it meanwhile, and logged that
            return revoked
        self.audit.record(
            AuditRecord(
                actor=actor,
                action="tokens.revoke",
                object=f"token:{token_id}",
                details={"name": revoked.name, "role": str(revoked.role)},
            )
        )
        return revoked

    def get(self, token_id: int) -> ApiToken:
        return self.store.get(token_id)

    def list(self) -> builtins.list[ApiToken]:
        return self.store.all()

    def _maybe_touch(self, token: ApiToken, now: datetime) -> None:
        since = now - self._touch_interval
        if token.last_used_at is not None and token.last_used_at > since:
            return
        tried = self._touched.get(token.id)
        if tried is not None and tried > since:
            return
        self._touched[token.id] = now
        try:
            self.store.touch(token.id, now)
        except StorageError as exc:
            # Bookkeeping only: a busy database must not turn a valid token away.
            log.warning("could not record the use of token %d: %s", token.id, exc)


def _check_name(name: str) -> None:
    if not 1 <= len(name) <= MAX_NAME or not name.isprintable() or not name.strip():
        raise TokenError(
            f"token name must be 1-{MAX_NAME} printable characters, not blank; got {name!r}"
        )


def _check_grants(role: Role, granted_lists: Iterable[str]) -> tuple[str, ...]:
    lists = tuple(dict.fromkeys(granted_lists))
    if role is not Role.SUBSCRIBER:
        if lists:
            raise TokenError(f"only subscriber tokens are granted lists, not {role} tokens")
        return ()
    if not lists:
        raise TokenError("a subscriber token needs at least one granted list")
    for list_name in lists:
        if not 1 <= len(list_name) <= MAX_NAME or not list_name.isprintable():
            raise TokenError(f"invalid list name {list_name!r}")
    return lists


def _token_details(token: ApiToken) -> dict[str, object]:
    details: dict[str, object] = {"name": token.name, "role": str(token.role)}
    if token.granted_lists:
        details["granted_lists"] = list(token.granted_lists)
    if token.expires_at is not None:
        details["expires_at"] = token.expires_at.isoformat()
    return details
