"""``hashwarden keys ...``: this instance's Ed25519 keys for signing list feeds."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from hashwarden.cli.output import console, emit
from hashwarden.cli.runtime import Runtime

if TYPE_CHECKING:
    from hashwarden.federation.keys import KeyService
    from hashwarden.storage.key_store import StoredKey

keys_app = typer.Typer(help="Manage the keys that sign list feeds.", no_args_is_help=True)


def _keys(runtime: Runtime) -> KeyService:
    from hashwarden.federation.keys import KeyService
    from hashwarden.storage.key_store import SqlKeyStore

    return KeyService(SqlKeyStore(runtime.engine))


def _record(key: StoredKey) -> dict[str, object]:
    return {
        "key_id": key.key_id,
        "algorithm": "ed25519",
        "public_key": key.public_key,
        "created_at": key.created_at.isoformat(),
        "retired_at": key.retired_at.isoformat() if key.retired_at else None,
        "current": key.is_current,
        "endorsed_by": key.endorsed_by or None,
    }


def _log(runtime: Runtime, action: str, key: StoredKey) -> None:
    from hashwarden.audit.models import AuditRecord

    runtime.audit.record(AuditRecord(runtime.actor, action, f"key:{key.key_id}"))


@keys_app.command("create")
def create() -> None:
    """Create the signing key (refused if one exists: use rotate). Prints the public key."""
    from hashwarden.federation.keys import PASSPHRASE_ENV, passphrase_from_env

    runtime = Runtime()
    key = _keys(runtime).create()
    _log(runtime, "keys.create", key)
    emit(_record(key))
    if passphrase_from_env() is None:
        console.print(
            f"[bold yellow]warning:[/] the private key is stored unencrypted in the database; "
            f"set {PASSPHRASE_ENV} to encrypt it"
        )
    console.print("give subscribers the public_key above, over a channel you trust")


@keys_app.command("show")
def show() -> None:
    """Print every key as JSON Lines, the current one first (public parts only)."""
    found = _keys(Runtime()).public_keys()
    if not found:
        console.print("no signing key yet: `hashwarden keys create`")
    for key in found:
        emit(_record(key))


@keys_app.command("rotate")
def rotate() -> None:
    """Retire the current key and create a new one, endorsed by the old one.

    Subscribers follow the endorsement and pin the new key by themselves. After a compromise,
    rotate and have every subscriber re-pin by hand (`subscriptions pin`): a stolen key can
    endorse too.
    """
    runtime = Runtime()
    key = _keys(runtime).rotate()
    _log(runtime, "keys.rotate", key)
    emit(_record(key))
    console.print(
        "pages are signed with the new key from now on; subscribers follow it through the old "
        "key's endorsement"
    )
