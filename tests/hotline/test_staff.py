"""Console staff accounts over a real store: passwords, sessions, TOTP, disabling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import Engine, select

from hashwarden.accounts.staff_models import StaffRole
from hashwarden.accounts.staff_services import (
    SignInRefusedError,
    StaffError,
    StaffService,
    token_hash,
)
from hashwarden.storage.staff_store import SqlStaffStore
from hashwarden.storage.staff_tables import staff_sessions, staff_users

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def staff(engine: Engine, clock: Clock) -> StaffService:
    service = StaffService(SqlStaffStore(engine), clock)
    service.create("Ana", PASSWORD, StaffRole.ANALYST)
    return service


def test_sign_in_gives_a_session_whose_token_is_never_stored(
    staff: StaffService, engine: Engine, clock: Clock
) -> None:
    token, session = staff.sign_in("ana", PASSWORD)
    assert session.user.username == "ana" and session.user.role is StaffRole.ANALYST
    with engine.connect() as connection:
        stored = connection.execute(select(staff_sessions.c.token_hash)).scalars().all()
        passwords = connection.execute(select(staff_users.c.password_hash)).scalars().all()
    assert stored == [token_hash(token)] and token not in stored
    assert passwords[0].startswith("$argon2id$") and PASSWORD not in passwords[0]
    found = staff.session(token)
    assert found is not None and found.csrf_token == session.csrf_token
    clock.now += timedelta(hours=11)
    assert staff.session(token) is None


@pytest.mark.parametrize(("username", "password"), [("ana", "wrong password!"), ("bo", PASSWORD)])
def test_wrong_names_and_passwords_look_alike(
    staff: StaffService, username: str, password: str
) -> None:
    with pytest.raises(SignInRefusedError, match="wrong username, password or code"):
        staff.sign_in(username, password)


def test_totp_becomes_required_once_enrolled(staff: StaffService) -> None:
    secret, uri = staff.start_totp("ana")
    assert uri.startswith("otpauth://totp/hashwarden:ana?secret=")
    with pytest.raises(SignInRefusedError):
        staff.sign_in("ana", PASSWORD)
    with pytest.raises(SignInRefusedError):
        staff.sign_in("ana", PASSWORD, "000000")
    token, session = staff.sign_in("ana", PASSWORD, pyotp.TOTP(secret).now())
    assert session.user.totp_enabled and staff.session(token) is not None


def test_sign_out_and_disable_end_sessions(staff: StaffService) -> None:
    first, _ = staff.sign_in("ana", PASSWORD)
    second, _ = staff.sign_in("ana", PASSWORD)
    staff.sign_out(first)
    assert staff.session(first) is None and staff.session(second) is not None
    staff.disable("ana")
    assert staff.session(second) is None
    with pytest.raises(SignInRefusedError):
        staff.sign_in("ana", PASSWORD)


def test_account_rules(staff: StaffService) -> None:
    with pytest.raises(StaffError, match="exists already"):
        staff.create("ANA", PASSWORD, StaffRole.SUPERVISOR)
    with pytest.raises(StaffError, match="at least 12"):
        staff.create("cy", "short", StaffRole.ANALYST)
    with pytest.raises(StaffError, match="username"):
        staff.create("no spaces", PASSWORD, StaffRole.ANALYST)
    staff.set_password("ana", "another long password")
    assert staff.sign_in("ana", "another long password")[1].user.username == "ana"
    assert [u.username for u in staff.users()] == ["ana"]


def test_a_disabled_account_can_be_enabled_again(staff: StaffService) -> None:
    token, _ = staff.sign_in("ana", PASSWORD)
    assert not staff.disable("ana").active
    enabled = staff.enable("ana")
    assert enabled.active and enabled.disabled_at is None
    found = staff.user("ana")
    assert found is not None and found.active
    # Sessions ended by disabling stay ended; signing in works again.
    assert staff.session(token) is None
    assert staff.session(staff.sign_in("ana", PASSWORD)[0]) is not None
    with pytest.raises(StaffError, match="no staff account"):
        staff.enable("nobody")
    assert staff.user("nobody") is None


def test_nobody_disables_their_own_account(staff: StaffService) -> None:
    staff.create("sam", PASSWORD, StaffRole.SUPERVISOR)
    with pytest.raises(StaffError, match="your own account"):
        staff.disable("sam", by="sam")
    assert staff.sign_in("sam", PASSWORD)[1].user.active
    assert not staff.disable("ana", by="sam").active


def test_a_new_password_ends_the_accounts_sessions(staff: StaffService) -> None:
    staff.create("sam", PASSWORD, StaffRole.SUPERVISOR)
    ana, _ = staff.sign_in("ana", PASSWORD)
    sam, _ = staff.sign_in("sam", PASSWORD)
    staff.set_password("ana", "another long password")
    assert staff.session(ana) is None and staff.session(sam) is not None
    with pytest.raises(SignInRefusedError):
        staff.sign_in("ana", PASSWORD)
