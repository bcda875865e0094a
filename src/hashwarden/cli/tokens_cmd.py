"""``hashwarden tokens ...``: issue, list and revoke API tokens."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from hashwarden.accounts.models import ApiToken, Role
from hashwarden.cli.output import console, emit, escape
from hashwarden.cli.runtime import Runtime

tokens_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)

_DURATION = re.compile(r"(\d+)([dhm])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_duration(text: str) -> timedelta:
    """``30d``, ``12h`` or ``90m`` as a ``timedelta`` (positive)."""
    match = _DURATION.fullmatch(text.strip())
    if match is None or int(match.group(1)) == 0:
        raise typer.BadParameter(f"wants a positive NUMBER with d, h or m, e.g. 30d; got {text!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@tokens_app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="What the token is for.")],
    role: Annotated[Role, typer.Option("--role", help="What the token may do.")],
    granted: Annotated[
        list[str] | None,
        typer.Option("--list", help="subscriber: a list it may follow (repeatable)."),
    ] = None,
    expires_in: Annotated[
        str | None, typer.Option("--expires-in", help="Lifetime, e.g. 30d, 12h or 90m.")
    ] = None,
) -> None:
    """Issue a token and print its secret, once, as JSON."""
    lifetime = parse_duration(expires_in) if expires_in is not None else None
    runtime = Runtime()
    issued = runtime.tokens.create(
        name, role, actor=runtime.actor, granted_lists=granted or (), expires_in=lifetime
    )
    token = issued.token
    emit({"id": token.id, "name": token.name, "role": str(token.role), "token": issued.secret})
    console.print(
        "[bold yellow]warning:[/] store this token now: it is not shown again "
        "(only its digest is kept)"
    )


@tokens_app.command("ls")
def list_tokens() -> None:
    """Print every token as JSON Lines (never the secrets)."""
    now = datetime.now(UTC)
    for token in Runtime().tokens.list():
        emit(_token_record(token, now))


@tokens_app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="Id of the token (see tokens ls).")],
) -> None:
    """Revoke a token; requests carrying it are refused from now on."""
    runtime = Runtime()
    token = runtime.tokens.revoke(token_id, actor=runtime.actor)
    console.print(f"revoked token {token.id} ([bold]{escape(token.name)}[/], {token.role})")


def _token_record(token: ApiToken, now: datetime) -> dict[str, object]:
    return {
        "id": token.id,
        "name": token.name,
        "role": str(token.role),
        "granted_lists": list(token.granted_lists),
        "created_at": token.created_at.isoformat(),
        "created_by": token.created_by,
        "expires_at": _iso(token.expires_at),
        "revoked_at": _iso(token.revoked_at),
        "last_used_at": _iso(token.last_used_at),
        "active": token.is_active(now),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
