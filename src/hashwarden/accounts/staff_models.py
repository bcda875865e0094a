"""People who sign in to the analyst console (API tokens are ``models``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class StaffRole(enum.StrEnum):
    #: Assesses reports and review items, classifies, sends notices.
    ANALYST = "analyst"
    #: An analyst who also manages staff accounts and sees everyone's exposure.
    SUPERVISOR = "supervisor"
    #: Works victim-identification cases (seized media); sees no hotline report. Analysts and
    #: supervisors, in turn, see no case: need-to-know separation between the two sides.
    INVESTIGATOR = "investigator"


@dataclass(frozen=True, slots=True)
class StaffUser:
    id: int
    username: str
    role: StaffRole
    created_at: datetime
    totp_enabled: bool = False
    disabled_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True, slots=True)
class StaffCredentials:
    """What signing in checks; only the store and the service see it."""

    user: StaffUser
    password_hash: str
    totp_secret: str | None


@dataclass(frozen=True, slots=True)
class StaffSession:
    """A signed-in browser. The token itself is only ever in the cookie; the store has its hash."""

    user: StaffUser
    #: Double-submit token for the console's forms, bound to the session.
    csrf_token: str
    created_at: datetime
    expires_at: datetime
