"""``hashwarden scan``: walk folders (and zips), hash in parallel with Dask, match, report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hashwarden.cli.options import Resume, Scheduler, Workers
from hashwarden.cli.output import console, escape
from hashwarden.cli.runtime import Runtime
from hashwarden.config import decode_limits, robust_level

if TYPE_CHECKING:
    from hashwarden.core.matching.matcher import Matcher
    from hashwarden.core.media.models import MediaHashes


def scan_command(
    roots: Annotated[list[Path], typer.Argument(help="Folders or files to scan.")],
    report: Annotated[
        Path,
        typer.Option(help="Report file: .jsonl, .csv or .html (HTML also keeps a .jsonl beside)."),
    ] = Path("scan-report.jsonl"),
    list_names: Annotated[
        list[str] | None, typer.Option("--list", "-l", help="Only these block lists.")
    ] = None,
    workers: Workers = None,
    scheduler: Scheduler = None,
    resume: Resume = True,
    archives: Annotated[bool, typer.Option(help="Look inside zip files.")] = True,
    fast: Annotated[
        bool, typer.Option(help="Decode big JPEGs at reduced scale (PDQ drifts a few bits).")
    ] = False,
) -> None:
    """Hash every file under the roots, match against the lists and write a report.

    An interrupted scan resumes where it stopped (--restart starts over).
    """
    from hashwarden.scanning.progress import RichScanProgress
    from hashwarden.scanning.runner import Scanner
    from hashwarden.scanning.tasks import HashOptions

    matcher = Runtime().matcher

    def match(batch: Sequence[MediaHashes]) -> list[list[dict[str, object]]]:
        return _match_batch(matcher, batch, list_names)

    options = HashOptions(
        limits=decode_limits(), open_archives=archives, fast=fast,
        robust=robust_level(),
    )
    with RichScanProgress(console) as progress:
        summary = Scanner(
            roots,
            report=report,
            match=match,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            options=options,
            progress=progress,
        ).run()
    state = summary.progress
    console.print(
        f"{state.files_done} files scanned ({state.skipped_done} done earlier), "
        f"[bold red]{state.matched} matched[/], {state.errors} errors in {state.elapsed:.1f} s "
        f"({state.files_per_second:.1f} files/s); report: {escape(str(summary.report))}"
    )


def _match_batch(
    matcher: Matcher, batch: Sequence[MediaHashes], lists: Sequence[str] | None
) -> list[list[dict[str, object]]]:
    outcomes = matcher.match_media(batch, lists)
    return [[hit.as_json() for hit in outcome.hits] for outcome in outcomes]
