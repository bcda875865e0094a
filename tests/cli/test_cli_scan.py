"""``hashwarden scan`` through the real command line."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from cli_helpers import Cli, write_photo
from PIL import Image


def _tree(root: Path) -> tuple[Path, Path]:
    """A folder with a listed photo, an edited copy inside a zip, an unrelated photo, junk."""
    listed = write_photo(root / "listed.jpg", seed=21)
    nested = root / "nested" / "deeper"
    nested.mkdir(parents=True)
    write_photo(nested / "unrelated.jpg", seed=22)
    edited = root / "edited.png"
    with Image.open(listed) as image:
        image.resize((200, 150)).save(edited)
    with zipfile.ZipFile(root / "bundle.zip", "w") as archive:
        archive.write(edited, "inside/edited.png")
    edited.unlink()
    (root / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    (root / "readme.txt").write_text("not media")
    return listed, root / "bundle.zip"


def test_scan_reports_matches_inside_folders_and_zips(cli: Cli, tmp_path: Path) -> None:
    scanned = tmp_path / "evidence"
    scanned.mkdir()
    listed, bundle = _tree(scanned)
    cli("lists", "create", "known")
    cli("lists", "add", "known", str(listed), "--category", "iwf:A")

    report = tmp_path / "report.html"
    result = cli("scan", str(scanned), "--report", str(report), "--workers", "1")
    assert "matched" in result.stderr

    lines = (tmp_path / "report.html.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    by_name = {Path(r["path"].split("!/")[-1]).name: r for r in records}
    assert by_name["listed.jpg"]["matches"]
    assert {h["signal_type"] for h in by_name["listed.jpg"]["matches"]} >= {"md5", "pdq"}
    member = by_name["edited.png"]
    assert member["path"].startswith(str(bundle)) and "!/" in member["path"]
    assert [h["signal_type"] for h in member["matches"]] == ["pdq"]
    assert by_name["unrelated.jpg"]["matches"] == []
    assert "error" in by_name["broken.jpg"]
    assert by_name["readme.txt"]["media_type"] == "other"

    html = report.read_text()
    assert "<html" in html.lower() and "listed.jpg" in html
    assert "http://" not in html and "https://" not in html  # self-contained


def test_scan_resumes_without_duplicates_and_restarts(cli: Cli, tmp_path: Path) -> None:
    scanned = tmp_path / "photos"
    scanned.mkdir()
    for i in range(6):
        write_photo(scanned / f"p{i}.jpg", seed=100 + i)
    report = tmp_path / "scan.jsonl"
    cli("scan", str(scanned), "--report", str(report), "--workers", "0")
    first = report.read_text().splitlines()
    assert len(first) == 6

    for i in range(6, 9):
        write_photo(scanned / f"p{i}.jpg", seed=100 + i)
    cli("scan", str(scanned), "--report", str(report), "--workers", "0")
    resumed = report.read_text().splitlines()
    assert resumed[:6] == first
    assert sorted(json.loads(line)["path"] for line in resumed) == sorted(
        str(scanned / f"p{i}.jpg") for i in range(9)
    )

    cli("scan", str(scanned), "--report", str(report), "--workers", "0", "--restart")
    assert len(report.read_text().splitlines()) == 9


def test_scan_refuses_an_unknown_report_type_with_one_clear_line(cli: Cli, tmp_path: Path) -> None:
    result = cli("scan", str(tmp_path), "--report", str(tmp_path / "r.xml"), check=False)
    assert result.returncode == 2
    assert "r.xml" in result.stderr
    assert "Traceback" not in result.stderr


def test_scan_of_a_missing_folder_is_an_error_record(cli: Cli, tmp_path: Path) -> None:
    report = tmp_path / "r.jsonl"
    result = cli("scan", str(tmp_path / "nope"), "--report", str(report), "--workers", "0",
                 check=False)  # fmt: skip
    assert "Traceback" not in result.stderr
    records = [json.loads(line) for line in report.read_text().splitlines()]
    assert records and "error" in records[0]
