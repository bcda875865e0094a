"""``hashwarden lists ...`` through the real command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import Cli, write_photo

MD5_A = "0" * 31 + "a"
MD5_B = "0" * 31 + "b"
PDQ_A = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


def test_create_show_ls_and_delete(cli: Cli) -> None:
    cli("lists", "create", "hotline", "--description", "confirmed items", "--threshold", "pdq=20",
        "--scheme", "iwf")
    shown = cli("lists", "show", "hotline").records()[0]
    assert shown["thresholds"] == {"pdq": 20}
    assert shown["classification_scheme"] == "iwf"
    assert shown["entries"] == 0 and shown["sequence"] == 0
    assert "hotline" in cli("lists", "ls").stderr

    duplicate = cli("lists", "create", "hotline", check=False)
    assert duplicate.returncode == 2 and "already exists" in duplicate.stderr
    bad = cli("lists", "create", "x", "--threshold", "pdq=999", check=False)
    assert bad.returncode == 2 and "threshold" in bad.stderr

    cli("lists", "delete", "hotline", "--yes")
    missing = cli("lists", "show", "hotline", check=False)
    assert missing.returncode == 2 and "no hash list named 'hotline'" in missing.stderr


def test_plain_import_reports_every_bad_line_and_changes_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    cli("lists", "create", "md5s")
    good = tmp_path / "good.txt"
    good.write_text(f"# IWF-style list\n{MD5_A}\n{MD5_A.upper()}\n\n{MD5_B}\n")
    cli("lists", "import", "md5s", str(good), "--format", "plain", "--type", "md5")
    shown = cli("lists", "show", "md5s").records()[0]
    assert shown["entries"] == 2
    sequence = shown["sequence"]

    bad = tmp_path / "bad.txt"
    bad.write_text(f"{'1' * 32}\nnot-hex-at-all-zzzzzzzzzzzzzzzzzzzz\n{'2' * 31}\n")
    result = cli("lists", "import", "md5s", str(bad), "--format", "plain", "--type", "md5",
                 check=False)
    assert result.returncode == 2
    assert "line 2" in result.stderr and "line 3" in result.stderr
    after = cli("lists", "show", "md5s").records()[0]
    assert after["entries"] == 2 and after["sequence"] == sequence


def test_jsonl_export_import_round_trip_is_lossless(cli: Cli, tmp_path: Path) -> None:
    cli("lists", "create", "origin", "--scheme", "industry")
    source = tmp_path / "in.jsonl"
    records = [
        {"signals": [{"type": "md5", "value": MD5_A}, {"type": "pdq", "value": PDQ_A}],
         "category": {"scheme": "industry", "value": "A1"}, "source": "ncmec",
         "external_id": "n-1", "notes": "two signals", "added_by": "analyst-7",
         "added_at": "2024-05-01T10:00:00+00:00"},
        {"signals": [{"type": "photodna", "value": "AAECAwQFBgcICQ=="}],
         "category": None, "source": "partner", "external_id": "p-9", "notes": "",
         "added_by": "", "added_at": "2024-05-02T11:30:00+00:00"},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    cli("lists", "import", "origin", str(source))
    exported = tmp_path / "out.jsonl"
    cli("lists", "export", "origin", "--output", str(exported))
    cli("lists", "import", "copy", str(exported), "--create")
    again = tmp_path / "again.jsonl"
    cli("lists", "export", "copy", "--output", str(again))

    def entries(path: Path) -> list[dict[str, object]]:
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        return [
            {k: v for k, v in row.items() if k != "id"}
            for row in rows
            if "hashwarden_list" not in row
        ]

    assert entries(exported) == entries(again)
    first = entries(exported)
    assert {s["value"] for s in first[1]["signals"]} == {"AAECAwQFBgcICQ=="}  # type: ignore[index]
    assert first[0]["added_at"].startswith("2024-05-01T10:00:00")  # type: ignore[union-attr]


def test_csv_import_with_header_mapping_and_export(cli: Cli, tmp_path: Path) -> None:
    cli("lists", "create", "foreign")
    source = tmp_path / "partner.csv"
    source.write_text(f"MD5 Hash,Severity\r\n{MD5_A},A\r\n{MD5_B},C\r\n", encoding="utf-8-sig")
    cli("lists", "import", "foreign", str(source), "--column", "MD5 Hash=md5",
        "--column", "Severity=category", "--scheme", "iwf")
    out = tmp_path / "out.csv"
    cli("lists", "export", "foreign", "--output", str(out))
    text = out.read_text()
    assert MD5_A in text and "iwf:A" in text and "iwf:C" in text


def test_add_media_remove_and_change_feed(cli: Cli, tmp_path: Path) -> None:
    cli("lists", "create", "media")
    photos = [write_photo(tmp_path / f"p{i}.jpg", seed=i) for i in range(3)]
    cli("lists", "add", "media", *map(str, photos), "--category", "demo:x")
    changes = cli("lists", "changes", "media").records()
    assert [c["sequence"] for c in changes] == [1, 2, 3]
    assert all(c["op"] == "add" for c in changes)
    assert {s["type"] for s in changes[0]["signals"]} == {"md5", "sha1", "sha256", "pdq"}

    cli("lists", "remove", "media", str(changes[0]["entry_id"]))
    later = cli("lists", "changes", "media", "--since", "3").records()
    assert [(c["sequence"], c["op"], c["entry_id"]) for c in later] == [
        (4, "remove", changes[0]["entry_id"])
    ]
    hits = cli("match", str(photos[0]), str(photos[1])).records()
    assert hits[0]["matches"] == [] and hits[1]["matches"]

    # Re-adding the same file is merged, not duplicated.
    cli("lists", "add", "media", str(photos[1]))
    assert cli("lists", "show", "media").records()[0]["entries"] == 2


def test_add_refuses_all_when_a_file_is_corrupt(cli: Cli, tmp_path: Path) -> None:
    cli("lists", "create", "careful")
    good = write_photo(tmp_path / "ok.jpg", seed=3)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    result = cli("lists", "add", "careful", str(good), str(broken), check=False)
    assert result.returncode == 1
    assert "broken.png" in result.stderr
    assert cli("lists", "show", "careful").records()[0]["entries"] == 0


def test_demo_builds_the_list_and_every_upload_behaves(cli: Cli, tmp_path: Path) -> None:
    result = cli("demo", "--folder", str(tmp_path / "uploads"))
    assert "as expected" in result.stderr
    assert cli("lists", "show", "demo-known").records()[0]["entries"] == 4
    # Idempotent: a second run adds nothing.
    cli("demo", "--folder", str(tmp_path / "uploads"))
    assert cli("lists", "show", "demo-known").records()[0]["entries"] == 4


NCMEC_PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<queryResult xmlns="https://hashsharing.ncmec.org/hashsharing/v2">
  <images count="{count}" maxTimestamp="2024-05-01T10:00:00Z">
{entries}
  </images>
</queryResult>
"""


def _ncmec_image(entry_id: str, md5: str) -> str:
    return (f"    <image><member id=\"7\">Partner</member><timestamp>2024-05-01T10:00:00Z"
            f"</timestamp><id>{entry_id}</id><classification>A1</classification>"
            f"<fingerprints><md5>{md5}</md5></fingerprints></image>")  # fmt: skip


def test_exchange_formats_import_through_the_cli(cli: Cli, tmp_path: Path) -> None:
    """NCMEC XML pages (with deletion notices) and VICS JSON, with the format guessed."""
    cli("lists", "create", "ncmec")
    first = tmp_path / "page1.ncmec.xml"
    first.write_text(NCMEC_PAGE.format(
        count=2, entries=_ncmec_image("img-1", MD5_A) + "\n" + _ncmec_image("img-2", MD5_B)))
    cli("lists", "import", "ncmec", str(first))
    second = tmp_path / "page2.xml"
    second.write_text(NCMEC_PAGE.format(
        count=1, entries="    <deletedImage><member id=\"7\">Partner</member><id>img-1</id>"
                         "<timestamp>2024-05-02T10:00:00Z</timestamp></deletedImage>"))
    imported = cli("lists", "import", "ncmec", str(second))
    assert "1 removed" in imported.stderr
    out = tmp_path / "out.jsonl"
    cli("lists", "export", "ncmec", "--output", str(out))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    [entry] = [line for line in lines if "signals" in line]  # after the list header
    assert entry["external_id"] == "img-2"
    assert entry["category"] == {"scheme": "ncmec", "value": "A1"}
    assert entry["attributes"]["ncmec"]["member"]["id"] == "7"

    cli("lists", "create", "vics")
    vics = tmp_path / "set.vics.json"
    vics.write_text(json.dumps({
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media",
        "value": [{"MediaID": 1, "Category": 2, "MD5": MD5_A.upper(), "IsDistributed": "true"}],
    }))  # fmt: skip
    cli("lists", "import", "vics", str(vics))
    round_trip = tmp_path / "again.vics.json"
    cli("lists", "export", "vics", "--output", str(round_trip))
    media = json.loads(round_trip.read_text())["value"][0]
    assert (media["MD5"], media["Category"], media["IsDistributed"]) == (MD5_A.upper(), 2, "true")


def test_adding_a_flat_picture_warns_that_its_pdq_will_not_match(
    cli: Cli, tmp_path: Path
) -> None:
    from PIL import Image

    flat = tmp_path / "flat.png"
    Image.linear_gradient("L").resize((400, 300)).convert("RGB").save(flat)
    cli("lists", "create", "gradients")
    added = cli("lists", "add", "gradients", str(flat))
    assert "PDQ quality" in added.stderr and "never its PDQ" in added.stderr
    assert cli("lists", "show", "gradients").records()[0]["entries"] == 1
