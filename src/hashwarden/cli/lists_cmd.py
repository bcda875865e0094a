"""``hashwarden lists ...``: create, inspect, fill, import, export and delete hash lists."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.table import Table

from hashwarden.cli.options import parse_category, parse_thresholds
from hashwarden.cli.output import console, display_path, emit, escape
from hashwarden.cli.runtime import Runtime
from hashwarden.config import decode_limits, robust_level
from hashwarden.core.errors import MediaError
from hashwarden.core.lists.models import EntryData, HashList, ListKind
from hashwarden.core.lists.services import ImportSummary
from hashwarden.core.media.hashing import hash_media
from hashwarden.core.robust.features import MAX_KEYPOINTS
from hashwarden.core.robust.levels import RobustLevel
from hashwarden.core.signals.pdq import PDQ_MIN_QUALITY
from hashwarden.formats.base import FormatOptions, open_for_read
from hashwarden.formats.registry import default_registry

lists_app = typer.Typer(help="Manage hash lists.", no_args_is_help=True)

Name = Annotated[str, typer.Argument(help="List name.", show_default=False)]


@lists_app.command("create")
def create(
    name: Name,
    description: Annotated[str, typer.Option(help="What the list holds.")] = "",
    kind: Annotated[ListKind, typer.Option(help="block: report hits; allow: suppress them.")] = (
        ListKind.BLOCK
    ),
    threshold: Annotated[
        list[str] | None, typer.Option(help="Per-type threshold, e.g. pdq=31 (repeatable).")
    ] = None,
    scheme: Annotated[str, typer.Option(help="Default classification scheme, e.g. iwf.")] = "",
) -> None:
    """Create an empty list."""
    created = Runtime().lists.create_list(
        name,
        description=description,
        kind=kind,
        thresholds=parse_thresholds(threshold or []),
        classification_scheme=scheme,
    )
    console.print(f"created list [bold]{escape(created.name)}[/] ({created.kind})")


@lists_app.command("ls")
def list_lists() -> None:
    """Show every list with its size and sequence number."""
    runtime = Runtime()
    table = Table("name", "kind", "entries", "sequence", "thresholds", "description")
    for hash_list in runtime.lists.lists():
        table.add_row(
            escape(hash_list.name),
            str(hash_list.kind),
            str(runtime.lists.count_entries(hash_list.name)),
            str(hash_list.sequence),
            _thresholds_text(hash_list),
            escape(hash_list.description),
        )
    console.print(table)


@lists_app.command("show")
def show(name: Name) -> None:
    """Print a list's settings and counts as JSON."""
    runtime = Runtime()
    hash_list = runtime.lists.get_list(name)
    emit(
        {
            "name": hash_list.name,
            "description": hash_list.description,
            "kind": str(hash_list.kind),
            "thresholds": dict(hash_list.thresholds),
            "classification_scheme": hash_list.classification_scheme,
            "sequence": hash_list.sequence,
            "entries": runtime.lists.count_entries(name),
            "created_at": hash_list.created_at.isoformat() if hash_list.created_at else None,
        }
    )


@lists_app.command("add")
def add(
    name: Name,
    paths: Annotated[list[Path], typer.Argument(help="Media files to hash and add.")],
    category: Annotated[str, typer.Option(help="scheme:value, e.g. iwf:A.")] = "",
    source: Annotated[str, typer.Option(help="Organisation the items come from.")] = "",
    notes: Annotated[str, typer.Option(help="Free text stored with each entry.")] = "",
    actor: Annotated[str, typer.Option(help="Who adds them (audit).")] = "cli",
) -> None:
    """Hash media files and add each as an entry (all or nothing)."""
    runtime = Runtime()
    hash_list = runtime.lists.get_list(name)
    limits = decode_limits()
    # Keep local features whenever robust matching is on, so turning on "thorough" later
    # finds edited copies of what was added before (they never leave this instance).
    robust = RobustLevel.OFF if robust_level() is RobustLevel.OFF else RobustLevel.THOROUGH
    entries: list[EntryData] = []
    failed = 0
    for path in paths:
        label = display_path(path)
        try:
            hashes = hash_media(
                path, name=label, limits=limits, require_image=False, robust=robust,
                keypoints=MAX_KEYPOINTS,
            )
        except MediaError as exc:
            console.print(f"[red]skipped[/] {escape(str(exc))}")
            failed += 1
            continue
        if hashes.pdq is not None and hashes.pdq.quality < PDQ_MIN_QUALITY:
            # Said at insertion, not discovered when an edited copy slips through.
            console.print(
                f"[yellow]warning[/] {escape(label)}: PDQ quality {hashes.pdq.quality} < "
                f"{PDQ_MIN_QUALITY} (a flat picture): only exact copies and local features "
                "will match it, never its PDQ"
            )
        entries.append(
            EntryData(
                signals=tuple(hashes.signals()),
                category=parse_category(category, hash_list.classification_scheme),
                source=source,
                notes=notes,
                added_by=actor,
            )
        )
    if failed:
        console.print(f"[red]{failed} file(s) could not be hashed; nothing was added[/]")
        raise typer.Exit(1)
    _report(name, runtime.lists.add_entries(name, entries, actor=actor))


@lists_app.command("import")
def import_list(
    name: Name,
    file: Annotated[Path, typer.Argument(help="File to import ('-' for standard input).")],
    format_name: Annotated[
        str | None,
        typer.Option("--format", "-f", help="jsonl, csv or plain (default: by extension)."),
    ] = None,
    signal_type: Annotated[
        str | None, typer.Option("--type", help="plain files: the hash type of every line.")
    ] = None,
    column: Annotated[
        list[str] | None, typer.Option(help="csv: map a foreign header, e.g. 'MD5 Hash=md5'.")
    ] = None,
    scheme: Annotated[str, typer.Option(help="Scheme for categories without 'scheme:'.")] = "",
    create_missing: Annotated[
        bool, typer.Option("--create", help="Create the list if it does not exist.")
    ] = False,
    actor: Annotated[str, typer.Option(help="Who imports (audit).")] = "cli",
) -> None:
    """Import a file atomically: any bad line aborts the whole import and nothing changes."""
    runtime = Runtime()
    formats = default_registry()
    if format_name is None and str(file) == "-":
        raise typer.BadParameter("give --format when reading standard input")
    list_format = formats.get(format_name) if format_name else formats.guess(file)
    if create_missing and name not in {h.name for h in runtime.lists.lists()}:
        runtime.lists.create_list(name)
    hash_list = runtime.lists.get_list(name)
    options = FormatOptions(
        signal_type=signal_type,
        column_map=_column_map(column or []),
        default_scheme=scheme or hash_list.classification_scheme,
        with_removals=True,  # exchange deletion notices (NCMEC) remove entries
    )
    source = display_path(file)
    stream: TextIO = sys.stdin if str(file) == "-" else open_for_read(file)
    with stream:
        records = list_format.read(stream, source=source, options=options)
        summary = runtime.lists.import_records(name, records, actor=actor, source_name=source)
    _report(name, summary)


@lists_app.command("export")
def export(
    name: Name,
    output: Annotated[Path, typer.Option("--output", "-o", help="File, or '-' for stdout.")] = (
        Path("-")
    ),
    format_name: Annotated[
        str | None, typer.Option("--format", "-f", help="jsonl (default), csv or plain.")
    ] = None,
    signal_type: Annotated[str | None, typer.Option("--type", help="plain: which type.")] = None,
    include_removed: Annotated[
        bool, typer.Option(help="Also write tombstones (jsonl, csv).")
    ] = False,
) -> None:
    """Write a list's entries in a format other tools read."""
    runtime = Runtime()
    formats = default_registry()
    if format_name:
        list_format = formats.get(format_name)
    elif str(output) == "-":
        list_format = formats.get("jsonl")
    else:
        list_format = formats.guess(output)
    hash_list = runtime.lists.get_list(name)
    options = FormatOptions(
        signal_type=signal_type, include_removed=include_removed, list_header=hash_list
    )
    entries = runtime.lists.entries(name, include_removed=include_removed)
    if str(output) == "-":
        written = list_format.write(entries, sys.stdout, options)
    else:
        # Write beside the target and rename, so a failed export never leaves half a file.
        partial = output.with_name(output.name + ".partial")
        with partial.open("w", encoding="utf-8", newline="") as stream:
            written = list_format.write(entries, stream, options)
        partial.replace(output)
    console.print(f"exported {written} entries of [bold]{escape(name)}[/] as {list_format.name}")


@lists_app.command("remove")
def remove(
    name: Name,
    entry_ids: Annotated[list[int], typer.Argument(help="Entry ids to remove (tombstoned).")],
    actor: Annotated[str, typer.Option(help="Who removes them (audit).")] = "cli",
) -> None:
    """Remove entries; each leaves a tombstone in the change feed."""
    changes = Runtime().lists.remove_entries(name, entry_ids, actor=actor)
    console.print(f"removed {len(changes)} entries from [bold]{escape(name)}[/]")


@lists_app.command("changes")
def changes(
    name: Name,
    since: Annotated[int, typer.Option(help="Sequence number already seen.")] = 0,
    limit: Annotated[int, typer.Option(help="At most this many changes.")] = 1000,
) -> None:
    """Print the changes after sequence N as JSON Lines (what a subscriber replays)."""
    for change in Runtime().lists.changes_since(name, since, limit):
        entry = change.entry
        emit(
            {
                "sequence": change.sequence,
                "op": str(change.op),
                "at": change.at.isoformat(),
                "entry_id": entry.id,
                "signals": [{"type": s.type, "value": s.value} for s in entry.signals],
                "category": str(entry.data.category) if entry.data.category else None,
            }
        )


@lists_app.command("delete")
def delete(
    name: Name,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a list and all its entries."""
    if not yes:
        typer.confirm(f"Delete list {name!r} and all its entries?", abort=True, err=True)
    Runtime().lists.delete_list(name)
    console.print(f"deleted list [bold]{escape(name)}[/]")


def _report(name: str, summary: ImportSummary) -> None:
    console.print(
        f"[bold]{escape(name)}[/]: {summary.added} added, {summary.merged} merged, "
        f"{summary.unchanged} unchanged"
        + (f", {summary.removed} removed" if summary.removed else "")
        + f" ({summary.records} records); sequence {summary.sequence}"
    )


def _thresholds_text(hash_list: HashList) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(hash_list.thresholds.items())) or "defaults"


def _column_map(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        foreign, sep, ours = pair.rpartition("=")
        if not sep or not foreign or not ours:
            raise typer.BadParameter(f"--column wants 'Foreign header=column', got {pair!r}")
        mapping[foreign] = ours
    return mapping
