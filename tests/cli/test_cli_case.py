"""Victim identification cases through the real command, on SQLite and PostgreSQL."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from cli_helpers import Cli
from PIL import ExifTags, Image

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
from robust_samples import photo


def _seized(folder: Path) -> Path:
    """A benign stand-in for seized media: photos, a recompressed copy, a zip, a broken file."""
    folder.mkdir()
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "EOS 5D"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (50.0, 51.0, 0.0),
                ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (4.0, 21.0, 0.0)})
    photo("coffee").save(folder / "coffee.jpg", quality=92, exif=exif)
    photo("coffee").save(folder / "coffee-copy.jpg", quality=60)
    photo("chelsea").save(folder / "cat.jpg", quality=90)
    with zipfile.ZipFile(folder / "phone.zip", "w") as archive:
        archive.write(folder / "cat.jpg", "DCIM/cat.jpg")
        photo("rocket").save(folder / "rocket.png")
        archive.write(folder / "rocket.png", "DCIM/rocket.png")
    (folder / "rocket.png").unlink()
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 50)
    return folder


def test_scan_known_new_stacks_and_links(cli: Cli, tmp_path: Path) -> None:
    listed = tmp_path / "listed.jpg"
    photo("chelsea").save(listed, quality=95)
    cli("lists", "create", "known")
    cli("lists", "add", "known", str(listed), "--category", "demo:x")
    seized = _seized(tmp_path / "seized")

    cli("case", "create", "nightjar", "--description", "test case")
    summary = cli("case", "scan", "nightjar", str(seized), "--workers", "0").records()[-1]
    # Three photos, the zip itself (an "other" item) and its two members; the broken file is
    # reported by the scan, not taken in.
    assert (summary["items"], summary["images"], summary["other"]) == (6, 5, 1)
    assert summary["known"] == 2  # cat.jpg and its copy inside the zip
    assert summary["stacks"] == 3 and summary["with_gps"] == 1
    assert summary["cameras"]["Canon EOS 5D"] == 1

    items = {r["path"]: r for r in cli("case", "items", "nightjar").records()}
    coffee = next(r for p, r in items.items() if p.endswith("/coffee.jpg"))
    assert coffee["exif"]["gps"]["latitude"] > 50.8 and coffee["exif"]["gps"]["hemisphere_known"]
    new = {Path(r["path"]).name for r in cli("case", "items", "nightjar", "--new").records()}
    assert new == {"coffee.jpg", "coffee-copy.jpg", "rocket.png"}

    links = cli("case", "links", "nightjar", "--kind", "near-duplicate").records()
    pairs = {frozenset(Path(p).name for p in (link["a"], link["b"])) for link in links}
    assert frozenset({"coffee.jpg", "coffee-copy.jpg"}) in pairs
    assert all(link["kind"] == "near-duplicate" and link["score"] <= 31 for link in links)

    coffee_path = coffee["path"]
    made = cli("case", "series", "create", "nightjar", "kitchen", coffee_path).records()
    assert made == [{"series": "kitchen", "items": 2}]
    cli("case", "create", "later")
    later = tmp_path / "later"
    later.mkdir()
    photo("coffee").save(later / "found.jpg", quality=70)
    cli("case", "scan", "later", str(later), "--workers", "0")
    known = cli("case", "series", "ls", "later").records()
    assert known[0]["known_series"]["case"] == "nightjar"
    assert known[0]["known_series"]["series"] == "kitchen"
    assert cli("case", "series", "suggest", "nightjar").records() == []

    # Scanning again resumes: nothing is hashed twice, nothing is duplicated.
    again = cli("case", "scan", "nightjar", str(seized), "--workers", "0").records()[-1]
    assert again["items"] == 6
    actions = [e["action"] for e in cli("audit", "ls").records()]
    assert actions.count("cases.scan") == 3 and "cases.series.view" in actions


def test_unknown_case_is_one_clear_line(cli: Cli, tmp_path: Path) -> None:
    result = cli("case", "show", "nope", check=False)
    assert result.returncode == 2 and "no case named 'nope'" in result.stderr
    assert "Traceback" not in result.stderr
