"""Categories of case items and VICS imports matched against the lists, through the real
command on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from cli_helpers import Cli

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
from robust_samples import photo


def _seized(folder: Path) -> dict[str, str]:
    folder.mkdir()
    photo("coffee").save(folder / "kitchen.jpg", quality=90)
    photo("coffee").save(folder / "kitchen-copy.jpg", quality=70)  # a near-duplicate: one stack
    photo("rocket").save(folder / "launch.jpg", quality=90)
    return {path.name: str(path) for path in folder.iterdir()}


def _export(cli: Cli, name: str, target: Path, *extra: str) -> list[dict[str, object]]:
    cli("case", "export", name, "--output", str(target), *extra)
    media: list[dict[str, object]] = json.loads(target.read_text())["value"][0]["Media"]
    return media


def test_categorising_an_item_categorises_its_stack_and_goes_into_the_case_file(
    cli: Cli, tmp_path: Path
) -> None:
    paths = _seized(tmp_path / "seized")
    cli("case", "create", "heron")
    cli("case", "scan", "heron", str(tmp_path / "seized"), "--workers", "0")

    done = cli("case", "categorise", "heron", paths["kitchen.jpg"], "--category",
               "VICS-US:2").records()[0]
    assert done["category"] == "vics-us:2"
    assert sorted(done["items"]) == sorted([paths["kitchen.jpg"], paths["kitchen-copy.jpg"]])
    cli("case", "categorise", "heron", paths["launch.jpg"], "--category", "iwf:C")
    shown = {r["path"]: r for r in cli("case", "categories", "heron").records()}
    assert shown[paths["kitchen-copy.jpg"]]["category"] == "vics-us:2"
    assert shown[paths["kitchen-copy.jpg"]]["source"].startswith("cli:")

    media = _export(cli, "heron", tmp_path / "heron.vics.json")
    by_name = {Path(str(m["MediaFiles"][0]["FilePath"])).name: m for m in media}  # type: ignore[index]
    assert by_name["kitchen.jpg"]["Category"] == 2
    assert by_name["kitchen.jpg"]["IsPrecategorized"] is False
    # iwf:C means nothing under the US profile: no category rather than a wrong one.
    assert by_name["launch.jpg"]["Category"] is None

    # A rescan replaces the rows; the investigator's work stays.
    cli("case", "scan", "heron", str(tmp_path / "seized"), "--workers", "0", "--restart")
    assert len(cli("case", "categories", "heron").records()) == 3

    cleared = cli("case", "uncategorise", "heron", paths["kitchen.jpg"], "--only-these").records()
    assert cleared[0]["items"] == [paths["kitchen.jpg"]]
    left = {r["path"] for r in cli("case", "categories", "heron").records()}
    assert paths["kitchen.jpg"] not in left and paths["kitchen-copy.jpg"] in left

    bad = cli("case", "categorise", "heron", paths["launch.jpg"], "--category", "nocolon",
              check=False)
    assert bad.returncode == 2 and "scheme:value" in bad.stderr
    unknown = cli("case", "categorise", "heron", "/not/here.jpg", "--category", "iwf:A",
                  check=False)
    assert unknown.returncode == 2 and "not items of case" in unknown.stderr


def test_an_imported_case_file_keeps_categories_and_is_matched_against_the_lists(
    cli: Cli, tmp_path: Path
) -> None:
    listed = tmp_path / "listed.jpg"
    photo("astronaut").save(listed, quality=90)
    cli("lists", "create", "known")
    cli("lists", "add", "known", str(listed), "--category", "vics-uk:1")
    listed_md5 = hashlib.md5(listed.read_bytes()).hexdigest().upper()
    other_md5 = "0" * 31 + "1"
    document = {
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/"
                          "$metadata#Cases",
        "value": [{"CaseNumber": "X-1", "Media": [
            {"MediaID": 1, "MD5": listed_md5, "Category": "3",
             "MediaFiles": [{"FileName": "a.jpg", "FilePath": "/evidence/a.jpg"}]},
            {"MediaID": 2, "MD5": other_md5, "Category": None,
             "MediaFiles": [{"FileName": "b.jpg", "FilePath": "/evidence/b.jpg"}]},
            # A PDQ hash without a quality is kept but never matched.
            {"MediaID": 3, "MD5": "2" * 32,
             "AlternativeHashes": [{"HashName": "PDQ", "HashValue": "f" * 64}],
             "MediaFiles": [{"FileName": "c.jpg", "FilePath": "/evidence/c.jpg"}]},
        ]}],
    }
    source = tmp_path / "in.vics.json"
    source.write_text(json.dumps(document))

    result = cli("case", "import", "kestrel", str(source)).records()[0]
    assert result["known"] == 1 and result["categories"] == 1

    items = {r["path"]: r for r in cli("case", "items", "kestrel").records()}
    assert items["/evidence/a.jpg"]["known"]["list"] == "known"
    assert items["/evidence/a.jpg"]["category"]["category"] == "vics-uk:3"
    assert "known" not in items["/evidence/b.jpg"] and "known" not in items["/evidence/c.jpg"]
    categories = {r["path"]: r for r in cli("case", "categories", "kestrel").records()}
    # The file's own category is an investigator's word and wins over the list's.
    assert categories["/evidence/a.jpg"]["category"] == "vics-uk:3"
    assert categories["/evidence/a.jpg"]["source"] == "vics:in.vics.json"
    assert "/evidence/b.jpg" not in categories

    cli("case", "uncategorise", "kestrel", "/evidence/a.jpg")
    again = {r["path"]: r for r in cli("case", "categories", "kestrel").records()}
    assert again["/evidence/a.jpg"] == {"path": "/evidence/a.jpg", "category": "vics-uk:1",
                                        "source": "list:known"}
    media = _export(cli, "kestrel", tmp_path / "out.vics.json", "--profile", "UK")
    first = next(m for m in media if m["MD5"] == listed_md5)
    assert first["Category"] == 1 and first["IsPrecategorized"] is True
    audit = cli("audit", "ls").stdout
    assert "cases.import" in audit and "cases.uncategorise" in audit


def test_a_malformed_category_refuses_the_whole_file(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "bad.vics.json"
    source.write_text(json.dumps({"value": [{"Media": [
        {"MediaID": 1, "MD5": "1" * 32, "Category": "severe",
         "MediaFiles": [{"FileName": "a.jpg", "FilePath": "/e/a.jpg"}]}]}]}))
    refused = cli("case", "import", "wren", str(source), check=False)
    assert refused.returncode == 2 and "Category" in refused.stderr
    assert cli("case", "ls").records() == []
