"""``hashwarden hash``: hash media files, one JSON object per file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hashwarden.cli.output import display_path, emit
from hashwarden.config import decode_limits
from hashwarden.core.errors import MediaError
from hashwarden.core.media.hashing import hash_media


def hash_command(
    paths: Annotated[list[Path], typer.Argument(help="Media files to hash.", show_default=False)],
    dihedral: Annotated[
        bool, typer.Option("--dihedral", help="Also print the eight PDQ rotation/flip variants.")
    ] = False,
) -> None:
    """Print MD5, SHA-1, SHA-256 and PDQ of each file as JSON Lines.

    A file that cannot be hashed gets {"path", "error"}; the others are still hashed, and the
    exit status is 1 if any failed.
    """
    limits = decode_limits()
    failed = 0
    for path in paths:
        name = display_path(path)
        if path.is_dir():
            emit({"path": name, "error": f"{name}: is a directory (use `hashwarden scan`)"})
            failed += 1
            continue
        try:
            hashes = hash_media(path, name=name, limits=limits)
        except MediaError as exc:
            emit({"path": name, "error": str(exc), "error_type": type(exc).__name__})
            failed += 1
            continue
        record = hashes.as_json()
        if dihedral and hashes.pdq_dihedral:
            record["pdq_dihedral"] = list(hashes.pdq_dihedral)
        emit(record)
    if failed:
        raise typer.Exit(1)
