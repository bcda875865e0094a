"""``hashwarden case``: victim identification cases: create, scan seized media, stacks, links."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hashwarden.audit.models import AuditRecord
from hashwarden.cli.options import Resume, Scheduler, Workers
from hashwarden.cli.output import console, emit, escape
from hashwarden.cli.runtime import Runtime
from hashwarden.config import decode_limits, hashwarden_home

if TYPE_CHECKING:
    from hashwarden.cases.services import CaseService
    from hashwarden.core.media.models import MediaHashes

case_app = typer.Typer(help="Victim identification cases: scan seized media, stacks and links.")

Name = Annotated[str, typer.Argument(help="Case name (letters, digits, '.', '_', '-').")]


def case_service(runtime: Runtime) -> CaseService:
    from hashwarden.cases.services import CaseService
    from hashwarden.storage.case_store import SqlCaseStore

    return CaseService(SqlCaseStore(runtime.engine))


def audit_case(runtime: Runtime, action: str, name: str, **details: object) -> None:
    runtime.audit.record(AuditRecord(runtime.actor, action, f"case:{name}", dict(details)))


@case_app.command("create")
def create(
    name: Name,
    description: Annotated[str, typer.Option(help="What the case is about.")] = "",
) -> None:
    """Create an empty case."""
    runtime = Runtime()
    media = runtime.case_media
    case = case_service(runtime).create(name, description)
    # SQLite hands a deleted case's id out again: a deletion killed before removing its copies
    # must not leave them to the new case.
    media.forget_case(case.id)
    audit_case(runtime, "cases.create", name)
    emit({"name": case.name, "created_at": case.created_at.isoformat()})


@case_app.command("ls")
def list_cases() -> None:
    """Every case with its counts."""
    runtime = Runtime()
    service = case_service(runtime)
    for case in service.cases():
        emit(service.summary(case).as_json())


@case_app.command("show")
def show(name: Name) -> None:
    """One case's counts: known, new, stacks, cameras, items with GPS."""
    runtime = Runtime()
    service = case_service(runtime)
    summary = service.summary(service.get(name))
    audit_case(runtime, "cases.view", name)
    emit(summary.as_json())


@case_app.command("items")
def items(
    name: Name,
    new_only: Annotated[
        bool, typer.Option("--new", help="Only items neither known nor stacked with a known one.")
    ] = False,
) -> None:
    """The case's items as JSON Lines: path, hashes, EXIF, list match and stack."""
    runtime = Runtime()
    service = case_service(runtime)
    case = service.get(name)
    from hashwarden.cli.case_category_cmd import category_service

    listed = service.items(case)
    categories = category_service(runtime).effective(case)
    known_stacks = {i.stack_id for i in listed if i.item.known is not None}
    audit_case(runtime, "cases.items", name, new_only=new_only)
    for entry in listed:
        if new_only and (entry.stack_id in known_stacks or entry.item.media_type == "other"):
            continue
        item = entry.item
        record: dict[str, object] = {
            "path": item.path, "media_type": item.media_type, "size": item.size,
            "md5": item.md5, "sha1": item.sha1, "sha256": item.sha256, "stack": entry.stack_id,
        }
        if item.pdq is not None:
            record["pdq"] = {"hash": item.pdq, "quality": item.pdq_quality}
        if item.exif:
            record["exif"] = item.exif
        if entry.path in categories:
            category, source = categories[entry.path]
            record["category"] = {"category": str(category), "source": source}
        if item.known is not None:
            record["known"] = {
                "list": item.known.list_name, "entry_id": item.known.entry_id,
                "category": item.known.category, "signal_type": item.known.signal_type,
                "distance": item.known.distance,
            }
        emit(record)


@case_app.command("scan")
def scan(
    name: Name,
    roots: Annotated[list[Path], typer.Argument(help="Folders, files or zip archives.")],
    workers: Workers = None,
    scheduler: Scheduler = None,
    resume: Resume = True,
) -> None:
    """Hash every file (PDQ, vPDQ, MD5, SHA-1, EXIF, local features), match, stack, link."""
    from hashwarden.cases.services import scanned_item
    from hashwarden.cli.case_link_progress import RichLinkProgress
    from hashwarden.core.robust.levels import RobustLevel
    from hashwarden.scanning.progress import RichScanProgress
    from hashwarden.scanning.rereading import read_again
    from hashwarden.scanning.runner import Scanner
    from hashwarden.scanning.tasks import HashOptions

    runtime = Runtime()
    service = case_service(runtime)
    case = service.get(name)
    matcher = runtime.matcher
    folder = hashwarden_home() / "cases" / case.name
    folder.mkdir(parents=True, exist_ok=True)
    media = runtime.case_media
    options = HashOptions(limits=decode_limits(), robust=RobustLevel.THOROUGH, exif=True)
    copies = 0
    if not resume:
        # Before scanning: should the scan stop, every item is still due for linking.
        service.forget_links(case)

    def take_in(batch: Sequence[MediaHashes]) -> list[list[dict[str, object]]]:
        # Runs in this process after each batch is hashed and before the checkpoint moves on:
        # a killed scan re-hashes at most that batch, and saving by path makes it idempotent.
        nonlocal copies
        if media.keeps_copies:  # copies first: no item row, nor journal line, without its copy
            for path, data in read_again([(h.source, h.sha256) for h in batch],
                                         options.archive_limits):
                media.keep(case.id, path, data)
                copies += 1
        outcomes = matcher.match_media(batch)
        service.take_in(case, [scanned_item(h, o) for h, o in zip(batch, outcomes, strict=True)])
        return [[hit.as_json() for hit in outcome.hits] for outcome in outcomes]

    with RichScanProgress(console) as progress:
        summary = Scanner(
            roots, report=folder / "scan.jsonl", match=take_in, workers=workers,
            scheduler=scheduler, resume=resume, options=options, progress=progress,
        ).run()
    # Links only the items this scan brought (or replaced), against the whole case.
    with RichLinkProgress(console) as linking:
        service.restack(case, linking)
    state = summary.progress
    audit_case(runtime, "cases.scan", name, files=state.files_done, errors=state.errors,
           known=state.matched, copies=copies)
    console.print(
        f"{state.files_done} files scanned into [bold]{escape(name)}[/] "
        f"({state.skipped_done} done earlier), {state.matched} known, {state.errors} errors "
        f"in {state.elapsed:.1f} s"
    )
    emit(service.summary(case).as_json())


@case_app.command("relink")
def relink(
    name: Name,
    everything: Annotated[
        bool, typer.Option("--all", help="Forget the stored links and link every item again.")
    ] = False,
) -> None:
    """Link the items not linked yet (after an interrupted scan or an upgrade); --all after
    the same-place settings changed."""
    from hashwarden.cli.case_link_progress import RichLinkProgress

    runtime = Runtime()
    service = case_service(runtime)
    case = service.get(name)
    if everything:
        service.forget_links(case)
    with RichLinkProgress(console) as linking:
        linked = service.link(case, linking)
    audit_case(runtime, "cases.relink", name, items=linked, everything=everything)
    emit({"name": case.name, "linked": linked})


@case_app.command("links")
def links(
    name: Name,
    kind: Annotated[
        list[str] | None,
        typer.Option(help="near-duplicate and/or same-place (default: both)."),
    ] = None,
) -> None:
    """Links between the case's items as JSON Lines {"a", "b", "kind", "score"}, as stored by
    the scans."""
    from hashwarden.cases.models import LinkKind

    runtime = Runtime()
    service = case_service(runtime)
    case = service.get(name)
    try:
        kinds = [LinkKind(k) for k in kind] if kind else list(LinkKind)
    except ValueError:
        raise typer.BadParameter("near-duplicate or same-place", param_hint="--kind") from None
    count = 0
    for link in service.links(case, kinds):
        emit(link.as_json())
        count += 1
    audit_case(runtime, "cases.links", name, links=count)


series_app = typer.Typer(help="Series: pictures of one situation, and earlier cases that know it.")
case_app.add_typer(series_app, name="series")


@series_app.command("create")
def series_create(
    name: Name,
    series: Annotated[str, typer.Argument(help="Series name.")],
    paths: Annotated[list[str], typer.Argument(help="Item paths (their stacks come along).")],
) -> None:
    """Group items, and everything stacked with them, into a named series."""
    runtime = Runtime()
    service = case_service(runtime)
    created = service.create_series(service.get(name), series, paths, runtime.actor)
    audit_case(runtime, "cases.series.create", name, series=series, items=len(created.item_ids))
    emit({"series": created.name, "items": len(created.item_ids)})


@series_app.command("ls")
def series_list(name: Name) -> None:
    """The case's series, then every series of an earlier case that its pictures belong to."""
    runtime = Runtime()
    service = case_service(runtime)
    case = service.get(name)
    paths = {item.id: item.path for item in service.items(case)}
    for series in service.series(case):
        emit({"series": series.name, "created_by": series.created_by,
              "items": [paths[i] for i in series.item_ids if i in paths]})
    sightings = service.sightings(case)
    for sighting in sightings:
        emit({"known_series": sighting.as_json()})
    audit_case(runtime, "cases.series.view", name, sightings=len(sightings))


@series_app.command("suggest")
def series_suggest(name: Name) -> None:
    """Groups of items that same-place links join: candidate series to look at."""
    runtime = Runtime()
    service = case_service(runtime)
    groups = service.suggest_series(service.get(name))
    for group in groups:
        emit({"items": group})
    audit_case(runtime, "cases.series.suggest", name, groups=len(groups))


@case_app.command("trace")
def trace_object(
    name: Name,
    path: Annotated[str, typer.Argument(help="The picture (an item path of the case).")],
    region: Annotated[str, typer.Option(help="The object: LEFT,TOP,WIDTH,HEIGHT in pixels.")],
    export: Annotated[
        Path | None, typer.Option(help="Write a PNG showing only the object, for an appeal.")
    ] = None,
) -> None:
    """Find every picture, in every case, that shows the object in REGION of PATH."""
    from hashwarden.cases.tracing import Box, censored, load_picture

    runtime = Runtime()
    service = case_service(runtime)
    case = service.get(name)
    box = Box.parse(region)
    data = runtime.case_media.read(case.id, path)
    hits = service.trace(case, path, box, data)
    for hit in hits:
        emit(hit.as_json())
    if export is not None:
        censored(load_picture(data, path), box).save(export, format="PNG")
    audit_case(runtime, "cases.trace", name, found=len(hits), exported=export is not None)
