"""``hashwarden staff ...``: accounts of the analyst console (people, not API tokens)."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from hashwarden.accounts.staff_models import StaffRole, StaffUser
from hashwarden.cli.output import console, emit
from hashwarden.cli.runtime import Runtime

staff_app = typer.Typer(help="Manage analyst console accounts.", no_args_is_help=True)
PASSWORD_ENV = "HASHWARDEN_STAFF_PASSWORD"


def _password(confirm: bool = True) -> str:
    """From $HASHWARDEN_STAFF_PASSWORD (scripts), else typed twice without echo."""
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise typer.BadParameter(f"no terminal to type the password in: set {PASSWORD_ENV}")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=confirm))


def _record(user: StaffUser) -> dict[str, object]:
    return {
        "username": user.username,
        "role": str(user.role),
        "totp": user.totp_enabled,
        "created_at": user.created_at.isoformat(),
        "disabled_at": user.disabled_at.isoformat() if user.disabled_at else None,
    }


def _log(runtime: Runtime, action: str, username: str) -> None:
    from hashwarden.audit.models import AuditRecord

    runtime.audit.record(AuditRecord(runtime.actor, action, f"staff:{username}"))


@staff_app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="Sign-in name (a-z, 0-9, . _ -).")],
    role: Annotated[
        StaffRole, typer.Option("--role", help="analyst, supervisor or investigator (cases).")
    ] = StaffRole.ANALYST,
) -> None:
    """Create an account; the password is typed (or read from $HASHWARDEN_STAFF_PASSWORD)."""
    runtime = Runtime()
    user = runtime.staff.create(username, _password(), role)
    _log(runtime, "staff.create", user.username)
    emit(_record(user))


@staff_app.command("ls")
def list_staff() -> None:
    """Every account as JSON Lines (never passwords or secrets)."""
    for user in Runtime().staff.users():
        emit(_record(user))


@staff_app.command("password")
def password(username: Annotated[str, typer.Argument()]) -> None:
    """Set a new password."""
    runtime = Runtime()
    runtime.staff.set_password(username, _password())
    _log(runtime, "staff.password", username)
    console.print(f"password of {username} changed")


@staff_app.command("totp")
def totp(username: Annotated[str, typer.Argument()]) -> None:
    """Require a TOTP code at sign-in; prints the secret and otpauth URI for the app, once."""
    runtime = Runtime()
    secret, uri = runtime.staff.start_totp(username)
    _log(runtime, "staff.totp", username)
    emit({"username": username, "secret": secret, "otpauth_uri": uri})
    console.print("[bold yellow]add it to the authenticator app now:[/] it is not shown again")


@staff_app.command("disable")
def disable(username: Annotated[str, typer.Argument()]) -> None:
    """Disable an account and end its sessions (the account and its history are kept)."""
    runtime = Runtime()
    user = runtime.staff.disable(username)
    _log(runtime, "staff.disable", username)
    emit(_record(user))
