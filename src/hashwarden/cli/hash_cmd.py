"""``hashwarden hash``: hash media files, one JSON object per file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hashwarden.cli.output import display_path, emit
from hashwarden.config import decode_limits, video_limits
from hashwarden.core.errors import MediaError
from hashwarden.core.media.hashing import hash_media
from hashwarden.core.video.options import VideoOptions


def hash_command(
    paths: Annotated[list[Path], typer.Argument(help="Media files to hash.", show_default=False)],
    dihedral: Annotated[
        bool, typer.Option("--dihedral", help="Also print the eight PDQ rotation/flip variants.")
    ] = False,
    every_frame: Annotated[
        bool, typer.Option("--every-frame", help="Videos: hash every frame, not one per second.")
    ] = False,
    seconds_per_hash: Annotated[
        float,
        typer.Option(
            "--seconds-per-hash", min=0.001, help="Videos: seconds between hashed frames."
        ),
    ] = 1.0,
) -> None:
    """Print MD5, SHA-1, SHA-256 and PDQ (images) or vPDQ (videos) of each file as JSON Lines.

    Video frames are rows as Meta's vPDQ writes them: frame number, quality, hash, timestamp.
    Limits: HASHWARDEN_VIDEO_MAX_SECONDS, HASHWARDEN_VIDEO_MAX_PIXELS, HASHWARDEN_VIDEO_TIMEOUT.
    A file that cannot be hashed gets {"path", "error"}; the others are still hashed, and the
    exit status is 1 if any failed.
    """
    limits = decode_limits()
    video = VideoOptions(
        every_frame=every_frame, seconds_per_hash=seconds_per_hash, limits=video_limits()
    )
    failed = 0
    for path in paths:
        name = display_path(path)
        if path.is_dir():
            emit({"path": name, "error": f"{name}: is a directory (use `hashwarden scan`)"})
            failed += 1
            continue
        try:
            hashes = hash_media(path, name=name, limits=limits, video=video)
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
