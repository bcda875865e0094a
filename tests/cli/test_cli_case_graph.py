"""The case graph and VICS case files through the real command, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cli_helpers import Cli
from PIL import ExifTags, Image

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
from robust_samples import photo


def _exif(taken: str, lat: tuple[float, float, float] | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "EOS 5D"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken
    if lat is not None:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update({
            ExifTags.GPS.GPSLatitudeRef: "S", ExifTags.GPS.GPSLatitude: lat,
            ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (151.0, 12.0, 30.0),
        })
    return exif


def _seized(folder: Path) -> dict[str, str]:
    folder.mkdir()
    photo("coffee").save(folder / "kitchen.jpg", quality=90,
                         exif=_exif("2024:05:01 18:00:00", (33.0, 52.0, 10.0)))
    photo("astronaut").save(folder / "hall.jpg", quality=90,
                            exif=_exif("2024:05:01 09:30:00", (33.0, 52.0, 11.0)))  # ~30 m
    photo("rocket").save(folder / "launch.jpg", quality=90)
    return {path.name: str(path) for path in folder.iterdir()}


def test_graph_timeline_places_and_vics_round_trip(cli: Cli, tmp_path: Path) -> None:
    paths = _seized(tmp_path / "seized")
    cli("case", "create", "nightjar")
    cli("case", "scan", "nightjar", str(tmp_path / "seized"), "--workers", "0")

    victim = cli("case", "victim", "add", "nightjar", "V1", "--notes", "girl, about 8").records()
    assert victim[0]["victim"] == "V1" and victim[0]["created_by"].startswith("cli:")
    cli("case", "offender", "add", "nightjar", "O1")
    place = cli("case", "place", "add", "nightjar", "bedroom-1", "--lat", "-33.9", "--lon",
                "151.2").records()[0]
    assert (place["latitude"], place["longitude"]) == (-33.9, 151.2)
    assert [p["place"] for p in cli("case", "place", "ls", "nightjar").records()] == ["bedroom-1"]
    cli("case", "series", "create", "nightjar", "kitchen", paths["kitchen.jpg"])
    made = cli("case", "link", "nightjar", "series:kitchen", "victim:V1", "--kind",
               "identified_as", "--confidence", "0.9").records()[0]
    assert made["provenance"].startswith("cli:") and made["confidence"] == 0.9
    cli("case", "link", "nightjar", f"item:{paths['launch.jpg']}", "offender:O1", "--kind",
        "identified_as")
    refused = cli("case", "link", "nightjar", "item:/nope.jpg", "victim:V1", "--kind",
                  "depicts", check=False)
    assert refused.returncode == 2 and "no item '/nope.jpg'" in refused.stderr

    suggested = cli("case", "place", "suggest", "nightjar").records()
    assert [sorted(s["items"]) for s in suggested] == [sorted([paths["hall.jpg"],
                                                               paths["kitchen.jpg"]])]
    assert suggested[0]["latitude"] < -33.8 and suggested[0]["place"] is None
    accepted = cli("case", "place", "suggest", "nightjar", "--accept").records()
    assert accepted[0]["place"] == "gps-1"

    graph = cli("case", "graph", "nightjar").records()
    assert len(graph) == 1
    nodes = {node["id"] for node in graph[0]["nodes"]}
    assert {"case:nightjar", "victim:V1", "offender:O1", "place:bedroom-1", "place:gps-1",
            "series:kitchen", f"item:{paths['kitchen.jpg']}"} <= nodes
    edges = {(e["from"], e["to"], e["kind"]): e for e in graph[0]["edges"]}
    gps_edge = edges[(f"item:{paths['hall.jpg']}", "place:gps-1", "taken_at")]
    assert (gps_edge["provenance"], gps_edge["confidence"]) == ("exif:gps", 0.6)
    assert edges[("series:kitchen", "victim:V1", "identified_as")]["confidence"] == 0.9

    timeline = cli("case", "timeline", "nightjar").records()
    assert [Path(r["path"]).name for r in timeline] == ["hall.jpg", "kitchen.jpg"]
    assert timeline[0]["places"] == ["gps-1"] and timeline[1]["series"] == ["kitchen"]

    exported = cli("case", "export", "nightjar", "--output", "case.vics.json").records()[0]
    assert (exported["media"], exported["files"]) == (3, 3)
    first = json.loads((tmp_path / "case.vics.json").read_text())
    media = {m["MediaFiles"][0]["FileName"]: m for m in first["value"][0]["Media"]}
    assert media["kitchen.jpg"]["Series"] == "kitchen"
    assert media["kitchen.jpg"]["VictimIdentified"] is True
    assert media["launch.jpg"]["OffenderIdentified"] is True
    rows = {r["PropertyName"]: r["PropertyValue"] for r in media["kitchen.jpg"]["Exifs"]}
    assert rows["Make"] == "Canon" and rows["GPSLatitudeRef"] == "S"
    assert rows["DateTimeOriginal"] == "2024:05:01 18:00:00"

    imported = cli("case", "import", "copy", "case.vics.json").records()[0]
    assert imported["created_case"] and imported["items_added"] == 3
    cli("case", "export", "copy", "--output", "again.vics.json")
    again = json.loads((tmp_path / "again.vics.json").read_text())
    assert again["value"][0]["Media"] == first["value"][0]["Media"]

    actions = {e["action"] for e in cli("audit", "ls").records()}
    assert {"cases.victim.add", "cases.place.add", "cases.link", "cases.place.suggest",
            "cases.graph.view", "cases.timeline", "cases.export", "cases.import"} <= actions


def test_a_malformed_case_file_is_refused_whole(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.vics.json"
    bad.write_text(json.dumps({"value": [{"Media": [
        {"MD5": "a" * 32, "MediaFiles": [{"FilePath": "/x/ok.jpg"}]},
        {"MD5": "not a hash"},
    ]}]}))
    result = cli("case", "import", "fresh", str(bad), check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Media record 2: MD5" in result.stderr
    assert cli("case", "ls").records() == []
    bad.write_bytes(b'{"value": [\xff]}')
    result = cli("case", "import", "fresh", str(bad), check=False)
    assert result.returncode == 2 and "not UTF-8" in result.stderr
