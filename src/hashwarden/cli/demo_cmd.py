"""``hashwarden demo``: build the demo list and screen edited copies against it (``make run``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hashwarden.cli.output import console, escape
from hashwarden.cli.runtime import Runtime
from hashwarden.config import hashwarden_home
from hashwarden.core.media.hashing import hash_media
from hashwarden.demo.builder import DEMO_LIST, ensure_demo_list, write_demo_uploads


def demo_command(
    folder: Annotated[
        Path | None, typer.Option(help="Where to write the demo uploads.")
    ] = None,
) -> None:
    """Build the demo list from bundled benign images, then match edited copies against it."""
    runtime = Runtime()
    summary = ensure_demo_list(runtime.lists)
    console.print(
        f"list [bold]{DEMO_LIST}[/]: {runtime.lists.count_entries(DEMO_LIST)} entries "
        f"({summary.added} new) in {escape(str(runtime.engine.url.render_as_string()))}"
    )
    uploads = write_demo_uploads(folder or hashwarden_home() / "demo-uploads")
    matcher = runtime.matcher
    table = Table("file", "edit", "result", "distance", "variant", "entry")
    correct = 0
    for upload in uploads:
        hashes = hash_media(upload.path, name=upload.path.name)
        outcome = matcher.match_media([hashes])[0]
        hit = outcome.hits[0] if outcome.hits else None
        correct += (hit is not None) == upload.expect_match
        if hit is not None:
            result = "[bold red]MATCH[/]"
            row = (str(hit.distance), hit.variant, f"{hit.external_id} (#{hit.entry_id})")
        else:
            result = "[green]no match[/]" + (f" ({outcome.notes[0]})" if outcome.notes else "")
            row = ("", "", "")
        table.add_row(escape(upload.path.name), upload.edit, result, *row)
    console.print(table)
    console.print(
        f"{correct}/{len(uploads)} as expected. Uploads in {escape(str(uploads[0].path.parent))}; "
        "try `hashwarden match FILE`, `hashwarden scan DIR --report report.html`, "
        "`hashwarden lists ls`."
    )
    if correct != len(uploads):
        raise typer.Exit(1)
