"""``hashwarden case victim|offender|place|link|graph|timeline|export|import``: the case graph."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hashwarden.cli.case_category_cmd import category_service
from hashwarden.cli.case_cmd import Name, audit_case, case_app, case_service
from hashwarden.cli.output import emit
from hashwarden.cli.runtime import Runtime

if TYPE_CHECKING:
    from hashwarden.cases.graph import CaseGraphService
    from hashwarden.cases.graph_models import Entity, EntityKind
    from hashwarden.cases.models import KnownMatch, ScannedItem

Label = Annotated[str, typer.Argument(help="Label, unique per kind within the case (e.g. V1).")]
Notes = Annotated[str, typer.Option(help="Free text notes.")]


def _graph(runtime: Runtime) -> CaseGraphService:
    from hashwarden.cases.graph import CaseGraphService
    from hashwarden.cases.known import match_items
    from hashwarden.storage.case_graph_store import SqlCaseGraphStore

    def match(items: Sequence[ScannedItem]) -> list[KnownMatch | None]:
        return match_items(runtime.matcher, items)

    return CaseGraphService(case_service(runtime), SqlCaseGraphStore(runtime.engine),
                            categories=category_service(runtime), match=match)


def _entity_json(entity: Entity) -> dict[str, object]:
    record: dict[str, object] = {
        entity.kind.value: entity.label, "notes": entity.notes, "created_by": entity.created_by,
        "created_at": entity.created_at.isoformat(),
    }
    if entity.latitude is not None:
        record |= {"latitude": entity.latitude, "longitude": entity.longitude}
    return record


def _add(name: str, kind: EntityKind, label: str, notes: str,
         latitude: float | None = None, longitude: float | None = None) -> None:
    runtime = Runtime()
    graph = _graph(runtime)
    entity = graph.add_entity(graph.cases.get(name), kind, label, runtime.actor, notes,
                              latitude, longitude)
    audit_case(runtime, f"cases.{kind.value}.add", name, label=entity.label)
    emit(_entity_json(entity))


def _list(name: str, kind: EntityKind) -> None:
    runtime = Runtime()
    graph = _graph(runtime)
    found = graph.entities(graph.cases.get(name), kind)
    audit_case(runtime, f"cases.{kind.value}.view", name, count=len(found))
    for entity in found:
        emit(_entity_json(entity))


victim_app = typer.Typer(help="Victims: people a case's pictures are attributed to.")
offender_app = typer.Typer(help="Offenders of a case.")
place_app = typer.Typer(help="Places of a case, with coordinates where known.")
case_app.add_typer(victim_app, name="victim")
case_app.add_typer(offender_app, name="offender")
case_app.add_typer(place_app, name="place")


@victim_app.command("add")
def victim_add(name: Name, label: Label, notes: Notes = "") -> None:
    """Add a victim to the case (refer to it as victim:LABEL)."""
    from hashwarden.cases.graph_models import EntityKind

    _add(name, EntityKind.VICTIM, label, notes)


@victim_app.command("ls")
def victim_list(name: Name) -> None:
    """The case's victims."""
    from hashwarden.cases.graph_models import EntityKind

    _list(name, EntityKind.VICTIM)


@offender_app.command("add")
def offender_add(name: Name, label: Label, notes: Notes = "") -> None:
    """Add an offender to the case (refer to it as offender:LABEL)."""
    from hashwarden.cases.graph_models import EntityKind

    _add(name, EntityKind.OFFENDER, label, notes)


@offender_app.command("ls")
def offender_list(name: Name) -> None:
    """The case's offenders."""
    from hashwarden.cases.graph_models import EntityKind

    _list(name, EntityKind.OFFENDER)


@place_app.command("add")
def place_add(
    name: Name,
    label: Label,
    notes: Notes = "",
    lat: Annotated[float | None, typer.Option(help="Latitude, WGS 84 degrees (south < 0).")] = None,
    lon: Annotated[float | None, typer.Option(help="Longitude, WGS 84 degrees (west < 0).")] = None,
) -> None:
    """Add a place to the case (refer to it as place:LABEL)."""
    from hashwarden.cases.graph_models import EntityKind

    _add(name, EntityKind.PLACE, label, notes, lat, lon)


@place_app.command("ls")
def place_list(name: Name) -> None:
    """The case's places."""
    from hashwarden.cases.graph_models import EntityKind

    _list(name, EntityKind.PLACE)


@place_app.command("suggest")
def place_suggest(
    name: Name,
    radius: Annotated[float, typer.Option(help="Metres within which fixes are one place.")] = 100,
    accept: Annotated[
        bool, typer.Option("--accept", help="Create the places and link their items.")
    ] = False,
) -> None:
    """Candidate places: items whose EXIF GPS fixes (hemispheres known) lie close together."""
    if not 1 <= radius <= 10_000:
        raise typer.BadParameter("between 1 and 10000 metres", param_hint="--radius")
    runtime = Runtime()
    graph = _graph(runtime)
    case = graph.cases.get(name)
    found = graph.place_suggestions(case, radius)
    if accept:
        found = graph.accept_places(case, found, runtime.actor)
    audit_case(runtime, "cases.place.suggest", name, places=len(found), accepted=accept)
    for suggestion in found:
        emit(suggestion.as_json())


@case_app.command("link")
def link(
    name: Name,
    source: Annotated[str, typer.Argument(
        metavar="FROM", help="item:PATH, series:NAME, victim:LABEL, offender:, place:, case:")],
    target: Annotated[str, typer.Argument(metavar="TO", help="Same form as FROM.")],
    kind: Annotated[str, typer.Option(help="e.g. depicts, taken_at, same_place, identified_as")],
    confidence: Annotated[float, typer.Option(help="How sure, from 0 to 1.")] = 1.0,
) -> None:
    """Add an edge between two nodes of the case; you are its provenance."""
    runtime = Runtime()
    graph = _graph(runtime)
    edge = graph.link(graph.cases.get(name), source, target, kind, runtime.actor, confidence)
    audit_case(runtime, "cases.link", name, source=source[:200], target=target[:200], kind=kind,
           confidence=confidence)
    emit({"from": source, "to": target, "kind": edge.kind, "provenance": edge.provenance,
          "confidence": edge.confidence, "created_at": edge.created_at.isoformat()})


@case_app.command("graph")
def graph_view(
    name: Name,
    all_items: Annotated[
        bool, typer.Option("--all-items", help="Every item, not only those with edges.")
    ] = False,
    suggestions: Annotated[
        bool, typer.Option("--suggestions", help="Add same-place links as suggested edges.")
    ] = False,
) -> None:
    """The case graph as one JSON document: nodes, and edges with provenance and confidence."""
    runtime = Runtime()
    graph = _graph(runtime)
    document = graph.graph(graph.cases.get(name), all_items=all_items, suggestions=suggestions)
    audit_case(runtime, "cases.graph.view", name, nodes=len(document["nodes"]),
           edges=len(document["edges"]))
    emit(document)


@case_app.command("timeline")
def timeline(name: Name) -> None:
    """Items with an EXIF capture time, in time order, as JSON Lines."""
    runtime = Runtime()
    graph = _graph(runtime)
    rows = graph.timeline(graph.cases.get(name))
    audit_case(runtime, "cases.timeline", name, items=len(rows))
    for row in rows:
        emit(row)


@case_app.command("export")
def export(
    name: Name,
    output: Annotated[Path, typer.Option(help="The VICS case file to write (.vics.json).")],
    profile: Annotated[
        str, typer.Option(help="VICS regional profile (US, UK, ...): categories are numbers of "
                               "its table, and only categories under it are written.")
    ] = "US",
) -> None:
    """Write the case as a VICS 2.0 case file: hashes, paths, series, flags, categories,
    EXIF rows."""
    runtime = Runtime()
    graph = _graph(runtime)
    document = graph.export(graph.cases.get(name), profile)
    media = document["value"][0]["Media"]
    # Written beside the target and renamed: a reader never sees half a case file.
    folder = output.resolve().parent
    handle, temporary = tempfile.mkstemp(prefix=".vics-", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(document, stream, ensure_ascii=True, allow_nan=False, indent=1)
            stream.write("\n")
        Path(temporary).replace(output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    files = sum(len(m.get("MediaFiles", ())) for m in media)
    audit_case(runtime, "cases.export", name, media=len(media), files=files)
    emit({"case": name, "output": str(output), "media": len(media), "files": files})


@case_app.command("import")
def import_file(
    name: Name,
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A VICS case file.")],
) -> None:
    """Read a VICS case file into the case (created if missing): items, series, flags, EXIF.

    A malformed file is refused with the reason, and nothing of it is imported.
    """
    from hashwarden.cases.interfaces import CaseError

    runtime = Runtime()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseError(f"{path.name}: not UTF-8 text (byte {exc.start})") from None
    result = _graph(runtime).import_file(name, text, runtime.actor, path.name)
    audit_case(runtime, "cases.import", name, source=path.name[:200], **result.as_json())
    emit({"case": name, **result.as_json()})
