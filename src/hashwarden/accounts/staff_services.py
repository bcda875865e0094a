"""Staff accounts for the analyst console: argon2id passwords, sessions, optional TOTP."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hashwarden.accounts.staff_interfaces import StaffStore
from hashwarden.accounts.staff_models import StaffRole, StaffSession, StaffUser
from hashwarden.core.errors import HashwardenError

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,62}")
USERNAME_RULE = "a username is 2-63 of a-z, 0-9, '.', '_' or '-'"
MIN_PASSWORD = 12
#: A session lasts a working day at most; signing out ends it at once.
SESSION_LIFETIME = timedelta(hours=10)
ISSUER = "hashwarden"

_HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=1)
_DUMMY = _HASHER.hash("not a password of anyone")


class StaffError(HashwardenError, ValueError):
    """A staff account operation was refused (the message says why)."""


class SignInRefusedError(HashwardenError):
    """Wrong username, password or code: deliberately not saying which."""


def _now() -> datetime:
    return datetime.now(UTC)


def token_hash(token: str) -> str:
    # Session tokens are 256 random bits: a fast hash is enough, a leak of the table is useless.
    return hashlib.sha256(token.encode()).hexdigest()


class StaffService:
    def __init__(self, store: StaffStore, clock: Callable[[], datetime] = _now) -> None:
        self.store = store
        self.clock = clock

    def create(self, username: str, password: str, role: StaffRole) -> StaffUser:
        name = check_username(username)
        check_password(password)
        return self.store.add(name, StaffRole(role), _HASHER.hash(password), self.clock())

    def users(self) -> list[StaffUser]:
        return self.store.all()

    def user(self, username: str) -> StaffUser | None:
        found = self.store.credentials(username)
        return None if found is None else found.user

    def set_password(self, username: str, password: str) -> None:
        """A new password; it also ends the account's sessions.

        A password is reset when it may be known to someone else, who may be signed in with it.
        """
        check_password(password)
        if self.store.credentials(username) is None:
            raise StaffError(f"no staff account {username!r}")
        self.store.set_password(username, _HASHER.hash(password))
        self.store.end_sessions(username)

    def start_totp(self, username: str) -> tuple[str, str]:
        """A new TOTP secret for the account and its ``otpauth://`` URI (for the authenticator app).

        From now on signing in needs a code from it.
        """
        if self.store.credentials(username) is None:
            raise StaffError(f"no staff account {username!r}")
        secret = pyotp.random_base32()
        self.store.set_totp(username, secret)
        uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)
        return secret, uri

    def disable(self, username: str, *, by: str = "") -> StaffUser:
        """Disable the account and end its sessions; ``by`` (the acting account) may not be it.

        Nobody locks themselves out by mistake, and so a supervisor always remains.
        """
        if by and by == username:
            raise StaffError("you cannot disable your own account")
        return self.store.disable(username, self.clock())

    def enable(self, username: str) -> StaffUser:
        return self.store.enable(username)

    def sign_in(self, username: str, password: str, code: str = "") -> tuple[str, StaffSession]:
        """A new session token (for the cookie) and its session; ``SignInRefusedError`` if not."""
        found = self.store.credentials(username.strip().lower())
        try:
            # The dummy hash keeps unknown usernames as slow as known ones.
            _HASHER.verify(found.password_hash if found else _DUMMY, password)
        except (VerificationError, InvalidHashError):
            raise SignInRefusedError("wrong username, password or code") from None
        if found is None or not found.user.active:
            raise SignInRefusedError("wrong username, password or code")
        if found.totp_secret and not pyotp.TOTP(found.totp_secret).verify(
            code.replace(" ", ""), valid_window=1
        ):
            raise SignInRefusedError("wrong username, password or code")
        if _HASHER.check_needs_rehash(found.password_hash):
            self.store.set_password(found.user.username, _HASHER.hash(password))
        token = secrets.token_urlsafe(32)
        now = self.clock()
        csrf_token = secrets.token_urlsafe(32)
        expires = now + SESSION_LIFETIME
        self.store.add_session(token_hash(token), found.user.id, csrf_token, now, expires)
        return token, StaffSession(found.user, csrf_token, now, expires)

    def session(self, token: str) -> StaffSession | None:
        if not token:
            return None
        return self.store.session(token_hash(token), self.clock())

    def sign_out(self, token: str) -> None:
        if token:
            self.store.end_session(token_hash(token))


def check_username(username: str) -> str:
    """The username as stored (trimmed, lower case); ``StaffError`` if it breaks the rules."""
    name = username.strip().lower()
    if not _USERNAME.fullmatch(name):
        raise StaffError(USERNAME_RULE)
    return name


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise StaffError("a password may have at most 1024 characters")
