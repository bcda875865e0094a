"""``hashwarden match``: hash files and match them against the lists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hashwarden.cli.output import display_path, emit
from hashwarden.cli.runtime import Runtime
from hashwarden.config import decode_limits, robust_level
from hashwarden.core.errors import MediaError
from hashwarden.core.media.hashing import hash_media


def match_command(
    paths: Annotated[list[Path], typer.Argument(help="Media files to match.", show_default=False)],
    list_names: Annotated[
        list[str] | None, typer.Option("--list", "-l", help="Only these block lists (repeatable).")
    ] = None,
) -> None:
    """Print {"path", "matches": [...]} per file as JSON Lines.

    Each hit names the list, entry id, signal type, matched value, integer distance, category,
    source and the variant that matched. Exit status 1 if any file could not be hashed.
    """
    runtime = Runtime()
    known = {hash_list.name for hash_list in runtime.lists.lists()}
    for missing in sorted(set(list_names or ()) - known):
        raise typer.BadParameter(f"no hash list named {missing!r}", param_hint="--list")
    matcher = runtime.matcher
    limits = decode_limits()
    robust = robust_level()
    failed = 0
    for path in paths:
        name = display_path(path)
        try:
            hashes = hash_media(
                path, name=name, limits=limits, require_image=False, robust=robust
            )
        except MediaError as exc:
            emit({"path": name, "error": str(exc), "error_type": type(exc).__name__})
            failed += 1
            continue
        outcome = matcher.match_media([hashes], lists=list_names)[0]
        emit({"path": name, "media_type": hashes.media_type, **outcome.as_json()})
    if failed:
        raise typer.Exit(1)
