"""The case graph and VICS case files against a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import itertools
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine, delete, func, select

from hashwarden.cases.graph import CaseGraphService
from hashwarden.cases.graph_models import EntityKind
from hashwarden.cases.interfaces import CaseError
from hashwarden.cases.models import ScannedItem
from hashwarden.cases.services import CaseService, scanned_item
from hashwarden.cases.vics_case import VicsCaseError
from hashwarden.core.media.hashing import hash_media
from hashwarden.core.robust.features import MAX_KEYPOINTS
from hashwarden.core.robust.levels import RobustLevel
from hashwarden.formats.base import DEFAULT_OPTIONS
from hashwarden.formats.vics import VicsFormat
from hashwarden.storage.case_graph_store import SqlCaseGraphStore
from hashwarden.storage.case_graph_tables import case_edges, case_entities
from hashwarden.storage.case_store import SqlCaseStore
from hashwarden.storage.case_tables import cases

sys.path.insert(0, str(Path(__file__).parents[1] / "cases"))
sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
from robust_samples import photo
from vics_case_samples import documents

PDQ = "f" * 16 + "0" * 16 + "a5" * 16


def _item(path: str, n: int, exif: dict[str, Any] | None = None, **extra: Any) -> ScannedItem:
    """An item as a scan leaves it, without pixels: hashes derived from ``n``."""
    return ScannedItem(path=path, media_type=extra.pop("media_type", "image"), size=1000 + n,
                       md5=f"{n:032x}", sha1=f"{n:040x}", sha256=f"{n:064x}",
                       exif=exif or {}, **extra)


def _gps(lat: float, lon: float, known: bool = True) -> dict[str, Any]:
    return {"gps": {"latitude": lat, "longitude": lon, "hemisphere_known": known}}


@pytest.fixture
def graph(engine: Engine) -> CaseGraphService:
    clock = iter(datetime(2026, 11, 29, 12, tzinfo=UTC) + timedelta(seconds=s)
                 for s in range(10_000))
    cases = CaseService(SqlCaseStore(engine), clock=lambda: next(clock))
    return CaseGraphService(cases, SqlCaseGraphStore(engine), clock=lambda: next(clock))


def test_entities_edges_and_the_graph(graph: CaseGraphService) -> None:
    case = graph.cases.create("nightjar")
    graph.cases.take_in(case, [_item("/s/a.jpg", 1), _item("/s/b.jpg", 2), _item("/s/c.jpg", 3)])
    graph.cases.create_series(case, "kitchen", ["/s/a.jpg", "/s/b.jpg"], "cli:ana")
    victim = graph.add_entity(case, EntityKind.VICTIM, "V1", "cli:ana", "girl, about 8")
    graph.add_entity(case, EntityKind.OFFENDER, "O1", "cli:ana")
    place = graph.add_entity(case, EntityKind.PLACE, "bedroom-1", "cli:ana",
                             latitude=-33.9, longitude=151.2)
    assert (victim.kind, place.latitude) == (EntityKind.VICTIM, -33.9)
    with pytest.raises(CaseError, match="labelled 'V1' already"):
        graph.add_entity(case, EntityKind.VICTIM, "V1", "cli:ana")
    with pytest.raises(CaseError, match="only places"):
        graph.add_entity(case, EntityKind.VICTIM, "V2", "cli:ana", latitude=1.0, longitude=2.0)
    with pytest.raises(CaseError, match=r"-90\.\.90"):
        graph.add_entity(case, EntityKind.PLACE, "moon", "cli:ana", latitude=91, longitude=0)

    graph.link(case, "series:kitchen", "victim:V1", "identified_as", "cli:ana", 0.9)
    graph.link(case, "item:/s/c.jpg", "place:bedroom-1", "taken_at", "cli:ana", 0.5)
    graph.link(case, "item:/s/c.jpg", "offender:O1", "identified_as", "suggested:face", 0.99)
    # The same ends and kind again: the latest word counts.
    edge = graph.link(case, "item:/s/c.jpg", "place:bedroom-1", "taken_at", "cli:bo", 0.7)
    assert (edge.provenance, edge.confidence) == ("cli:bo", 0.7)
    for source, target, kind, message in [
        ("item:/s/nope.jpg", "victim:V1", "depicts", "no item"),
        ("victim:V9", "victim:V1", "depicts", "no victim 'V9'"),
        ("person:x", "victim:V1", "depicts", "TYPE:NAME"),
        ("victim:V1", "victim:V1", "depicts", "two different"),
        ("victim:V1", "offender:O1", "Has Spaces", "edge kind"),
    ]:
        with pytest.raises(CaseError, match=message):
            graph.link(case, source, target, kind, "cli:ana")
    with pytest.raises(CaseError, match="between 0 and 1"):
        graph.link(case, "victim:V1", "offender:O1", "knows", "cli:ana", 1.5)

    # A resumed scan replaces the item's row: its edges stay.
    graph.cases.take_in(case, [_item("/s/c.jpg", 3)])
    document = graph.graph(case)
    nodes = {node["id"]: node for node in document["nodes"]}
    assert {"case:nightjar", "series:kitchen", "victim:V1", "offender:O1", "place:bedroom-1",
            "item:/s/a.jpg", "item:/s/c.jpg"} <= nodes.keys()
    assert nodes["place:bedroom-1"]["latitude"] == -33.9
    assert nodes["victim:V1"]["notes"] == "girl, about 8"
    edges = {(e["from"], e["to"], e["kind"]): e for e in document["edges"]}
    assert edges[("item:/s/c.jpg", "place:bedroom-1", "taken_at")]["provenance"] == "cli:bo"
    assert edges[("item:/s/a.jpg", "series:kitchen", "member_of")]["provenance"] == "cli:ana"
    assert len([e for e in document["edges"] if e["kind"] == "taken_at"]) == 1
    assert len(graph.graph(case, all_items=True)["nodes"]) == len(nodes)  # all items have edges

    # VICS flags: a confident investigator edge counts, a suggestion does not.
    items = {i.path: i.id for i in graph.cases.items(case)}
    assert graph.identified(case) == {items["/s/a.jpg"]: (True, False),
                                      items["/s/b.jpg"]: (True, False)}


def test_same_place_links_come_as_suggested_edges(graph: CaseGraphService) -> None:
    case = graph.cases.create("views")
    astronaut = photo("astronaut")
    width, height = astronaut.size
    scanned = []
    for name, box in (("left.jpg", (0, 0, int(width * 0.7), height)),
                      ("right.jpg", (int(width * 0.3), 0, width, height))):
        buffer = io.BytesIO()
        astronaut.crop(box).save(buffer, format="JPEG", quality=90)
        scanned.append(scanned_item(hash_media(buffer.getvalue(), name=name,
                                               robust=RobustLevel.THOROUGH,
                                               keypoints=MAX_KEYPOINTS), None))
    graph.cases.take_in(case, scanned)
    graph.cases.restack(case)
    edges = graph.graph(case, suggestions=True)["edges"]
    assert [(e["from"], e["to"], e["kind"], e["provenance"]) for e in edges] == [
        ("item:left.jpg", "item:right.jpg", "same_place", "suggested:same-place")]
    assert 0.5 <= edges[0]["confidence"] <= 1
    assert graph.graph(case)["edges"] == []  # suggestions are shown, never stored


def test_place_suggestions_cluster_gps_fixes_within_100_m(graph: CaseGraphService) -> None:
    case = graph.cases.create("places")
    graph.cases.take_in(case, [
        _item("a.jpg", 1, _gps(50.85000, 4.35000)),
        _item("b.jpg", 2, _gps(50.85040, 4.35040)),  # ~50 m away
        _item("c.jpg", 3, _gps(50.85060, 4.34950)),
        _item("far.jpg", 4, _gps(50.86000, 4.35000)),  # ~1.1 km
        _item("unsigned.jpg", 5, _gps(50.85000, 4.35000, known=False)),
        _item("none.jpg", 6),
    ])
    found = graph.place_suggestions(case)
    assert [s.paths for s in found] == [("a.jpg", "b.jpg", "c.jpg"), ("far.jpg",)]
    assert found[0].radius_m < 100 and found[0].place is None

    graph.add_entity(case, EntityKind.PLACE, "flat", "cli:ana", latitude=50.8601,
                     longitude=4.3501)
    found = graph.place_suggestions(case)
    assert [s.place for s in found] == [None, "flat"]
    accepted = graph.accept_places(case, found, "cli:ana")
    assert [s.place for s in accepted] == ["gps-1", "flat"]
    place = graph.entities(case, EntityKind.PLACE)[1]
    assert place.label == "gps-1" and abs((place.latitude or 0) - 50.8503) < 0.001
    edges = [e for e in graph.graph(case)["edges"] if e["kind"] == "taken_at"]
    assert {(e["from"], e["to"]) for e in edges} == {
        ("item:a.jpg", "place:gps-1"), ("item:b.jpg", "place:gps-1"),
        ("item:c.jpg", "place:gps-1"), ("item:far.jpg", "place:flat")}
    assert {(e["provenance"], e["confidence"]) for e in edges} == {("exif:gps", 0.6)}
    assert [row["places"] for row in graph.timeline(case)] == []  # no capture times


def test_timeline_orders_by_the_camera_clock(graph: CaseGraphService) -> None:
    case = graph.cases.create("times")
    graph.cases.take_in(case, [
        _item("late.jpg", 1, {"taken_at": "2024-05-01T18:00:00+02:00", "make": "Canon"}),
        _item("early.jpg", 2, {"taken_at": "2024-05-01T09:30:00"}),
        _item("broken.jpg", 3, {"taken_at": "yesterday"}),
        _item("none.jpg", 4),
    ])
    graph.cases.create_series(case, "s", ["late.jpg"], "cli:ana")
    rows = graph.timeline(case)
    assert [r["path"] for r in rows] == ["early.jpg", "late.jpg"]
    assert rows[1]["camera"] == "Canon" and rows[1]["series"] == ["s"]


def _vics_case(graph: CaseGraphService) -> Any:
    case = graph.cases.create("source", "seized phone")
    exif = {"make": "Canon", "model": "EOS 5D", "serial": "0042",
            "taken_at": "2024-05-01T18:00:05+02:00", "digitized_at": "2024-05-01T18:00:05",
            "gps": {"latitude": -33.8688, "longitude": 151.2093, "hemisphere_known": True,
                    "altitude_m": -3.5, "time": "2024-05-01T16:00:05+00:00"}}
    graph.cases.take_in(case, [
        _item("/s/a.jpg", 1, exif, pdq=PDQ, pdq_quality=100),
        _item("/s/copy/a.jpg", 1, exif, pdq=PDQ, pdq_quality=100),  # the same bytes again
        _item("/s/b.png", 2, _gps(50.85, 4.35, known=False)),
        _item("/s/v.mp4", 3, media_type="video"),
        _item("/s/phone.zip", 4, media_type="other"),
    ])
    graph.cases.restack(case)
    graph.cases.create_series(case, "kitchen", ["/s/a.jpg"], "cli:ana")
    graph.cases.create_series(case, "garden", ["/s/b.png", "/s/a.jpg"], "cli:ana")
    graph.add_entity(case, EntityKind.VICTIM, "V1", "cli:ana")
    graph.add_entity(case, EntityKind.OFFENDER, "O1", "cli:ana")
    graph.link(case, "series:kitchen", "victim:V1", "identified_as", "cli:ana")
    graph.link(case, "item:/s/v.mp4", "offender:O1", "identified_as", "cli:ana")
    return case


def test_vics_export_import_export_round_trip(graph: CaseGraphService) -> None:
    first = graph.export(_vics_case(graph))
    media = first["value"][0]["Media"]
    assert first["@odata.context"].endswith("/2.0.xml/US/$metadata#Cases")
    assert [len(m.get("MediaFiles", ())) for m in media] == [2, 1, 1]  # the zip is no media
    a = media[0]
    assert (a["MD5"], a["SHA1"], a["Series"]) == (f"{1:032X}", f"{1:040X}", ["garden", "kitchen"])
    assert (a["VictimIdentified"], a["OffenderIdentified"]) == (True, None)
    assert media[2]["OffenderIdentified"] is True and media[2]["MimeType"] == "video/mp4"
    rows = {r["PropertyName"]: r["PropertyValue"] for r in a["Exifs"]}
    assert rows["DateTimeOriginal"] == "2024:05:01 18:00:05"
    assert rows["OffsetTimeOriginal"] == "+02:00" and rows["BodySerialNumber"] == "0042"
    assert (rows["GPSLatitude"], rows["GPSLatitudeRef"]) == ("33.8688", "S")
    assert (rows["GPSAltitude"], rows["GPSAltitudeRef"]) == ("3.5", "1")
    assert {"HashName": "PDQ", "HashValue": PDQ, "Quality": 100} in a["AlternativeHashes"]
    unsigned = {r["PropertyName"] for r in media[1]["Exifs"]}
    assert "GPSLatitude" in unsigned and "GPSLatitudeRef" not in unsigned

    text = json.dumps(first)
    result = graph.import_file("copy", text, "cli:bo", "source.vics.json")
    assert (result.created_case, result.added, result.series, result.flags) == (True, 4, 2, 3)
    copy = graph.cases.get("copy")
    again = graph.export(copy)
    assert again["value"][0]["Media"] == media
    assert again["value"][0]["CaseNumber"] == "copy"
    imported = {i.path: i for i in graph.cases.items(copy)}
    assert imported["/s/a.jpg"].item.exif["gps"]["latitude"] == -33.8688
    assert imported["/s/a.jpg"].stack_id == imported["/s/copy/a.jpg"].stack_id  # PDQ + quality
    assert imported["/s/a.jpg"].item.features is None

    # The list importer reads the same file as a hash set without a problem.
    records = list(VicsFormat().read(io.StringIO(text), source="x", options=DEFAULT_OPTIONS))
    assert len(records) == 3 and all(hasattr(r, "entry") for r in records)


def test_import_keeps_what_it_cannot_compute_and_merges_into_a_case(
    graph: CaseGraphService,
) -> None:
    case = graph.cases.create("existing")
    graph.cases.take_in(case, [_item("/e/known.jpg", 7)])
    document = {"odata.metadata": "http://x/DataModels/1.3.xml#Cases", "value": [{
        "CaseNumber": "other", "Media": [
            {"MediaID": 1, "MD5": f"{7:032x}", "Series": "found", "VictimIdentified": "True",
             "Exifs": [{"PropertyName": "Make", "PropertyValue": "Nikon"},
                       {"PropertyName": "Flash", "PropertyValue": 16}]},
            {"MediaID": 2, "PhotoDNA": "QUJD", "IsDistributed": "true", "Series": "found",
             "MediaFiles": [{"FileName": "x.jpg", "FilePath": "D:\\seized"}],
             "AlternativeHashes": [{"HashName": "VendorHash", "HashValue": "v-1"}]},
        ]}]}
    result = graph.import_file("existing", json.dumps(document), "cli:bo", "other.json")
    assert (result.created_case, result.added, result.existing) == (False, 1, 1)
    items = {i.path: i for i in graph.cases.items(case)}
    # The hash-only record is the item the case already has; its scanned facts stay.
    assert set(items) == {"/e/known.jpg", "D:\\seized\\x.jpg"}
    assert items["/e/known.jpg"].item.exif == {}
    series = graph.cases.series(case)
    assert [(s.name, len(s.item_ids)) for s in series] == [("found", 2)]
    media = {m["MediaID"]: m for m in graph.export(case)["value"][0]["Media"]}
    assert media[1]["VictimIdentified"] is True
    assert media[2]["PhotoDNA"] == "QUJD"
    assert {"HashName": "VendorHash", "HashValue": "v-1"} in media[2]["AlternativeHashes"]


_MD5 = "a" * 32


def _media(*records: dict[str, Any]) -> str:
    return json.dumps({"value": [{"Media": list(records)}]})


@pytest.mark.parametrize(("document", "message"), [
    ("{", "malformed JSON at line 1"),
    ('{"value": {}}', "'value' array"),
    (_media({"MD5": "xyz"}), "Media record 1: MD5"),
    (_media({"MD5": _MD5}, {"Series": 5, "MD5": "b" * 32}), "Media record 2: Series"),
    (_media({"Comments": "no hash"}), "no usable hash"),
    (_media({"MD5": _MD5, "Exifs": [5]}), r"Exifs\[1\]"),
    (_media({"MD5": _MD5, "MediaFiles": [{"FilePath": "/a"}]},
            {"SHA1": "b" * 40, "MediaFiles": [{"FilePath": "/a"}]}), "both name the file"),
    (_media({"MD5": _MD5, "VictimIdentified": "maybe"}), "VictimIdentified"),
    (_media({"MD5": _MD5, "Comments": "\ud800"}), "surrogate"),
])
def test_malformed_files_import_nothing(
    graph: CaseGraphService, engine: Engine, document: str, message: str
) -> None:
    existing = graph.cases.create("kept")
    with pytest.raises(VicsCaseError, match=message):
        graph.import_file("fresh", document, "cli:bo", "bad.json")
    with pytest.raises(VicsCaseError, match=message):
        graph.import_file("kept", document, "cli:bo", "bad.json")
    assert [c.name for c in graph.cases.cases()] == ["kept"]
    assert graph.cases.items(existing) == [] and graph.cases.series(existing) == []


def test_a_failing_import_leaves_no_case_behind(graph: CaseGraphService, engine: Engine) -> None:
    document = {"value": [{"Media": [{"MD5": "a" * 32, "Series": "s" * 201}]}]}
    with pytest.raises(VicsCaseError, match="longer than 200"):
        graph.import_file("fresh", json.dumps(document), "cli:bo", "bad.json")
    with pytest.raises(CaseError, match="letters, digits"):
        graph.import_file("../x", '{"value": []}', "cli:bo", "x.json")
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(cases)).scalar_one() == 0


def test_deleting_a_case_deletes_its_graph(graph: CaseGraphService, engine: Engine) -> None:
    case = graph.cases.create("gone")
    graph.add_entity(case, EntityKind.VICTIM, "V1", "cli:ana")
    graph.link(case, "victim:V1", "case:gone", "belongs_to", "cli:ana")
    with engine.begin() as connection:
        connection.execute(delete(cases).where(cases.c.id == case.id))
        for table in (case_entities, case_edges):
            assert connection.execute(select(func.count()).select_from(table)).scalar_one() == 0


_names = itertools.count()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(document=documents)
def test_any_case_file_imports_whole_or_not_at_all_and_round_trips(
    graph: CaseGraphService, document: Any
) -> None:
    name = f"p{next(_names)}"
    before = len(graph.cases.cases())
    try:
        graph.import_file(name, json.dumps(document), "cli:bo", "any.json")
    except VicsCaseError:
        assert len(graph.cases.cases()) == before
        return
    first = graph.export(graph.cases.get(name))
    graph.import_file(name + "-again", json.dumps(first), "cli:bo", "first.json")
    again = graph.export(graph.cases.get(name + "-again"))
    assert again["value"][0]["Media"] == first["value"][0]["Media"]
