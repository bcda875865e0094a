"""``hashwarden case media-key``: the key of encrypted case media (``HASHWARDEN_CASE_MEDIA``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hashwarden.audit.models import AuditRecord
from hashwarden.cli.case_cmd import case_app
from hashwarden.cli.output import emit
from hashwarden.cli.runtime import Runtime
from hashwarden.config import CASE_MEDIA_KEY_FILE_ENV, case_media_key_file


@case_app.command("media-key")
def media_key(
    path: Annotated[
        Path | None,
        typer.Argument(help=f"Where to write the key (default: ${CASE_MEDIA_KEY_FILE_ENV})."),
    ] = None,
) -> None:
    """Create the key that seals case media copies: owner-only, never overwrites a key."""
    from hashwarden.storage.case_vault import key_id
    from hashwarden.storage.case_vault_key import create_key_file, read_key_file

    target = path or case_media_key_file()
    if target is None:
        raise typer.BadParameter(f"give PATH or set {CASE_MEDIA_KEY_FILE_ENV}", param_hint="PATH")
    create_key_file(target)
    fingerprint = key_id(read_key_file(target)).hex()
    runtime = Runtime()
    runtime.audit.record(
        AuditRecord(runtime.actor, "cases.media_key", "case-media", {"key_id": fingerprint})
    )
    emit({"key_file": str(target.absolute()), "key_id": fingerprint})
