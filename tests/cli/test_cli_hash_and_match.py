"""``hashwarden hash`` and ``hashwarden match`` through the real command line."""

from __future__ import annotations

import csv
from pathlib import Path

from cli_helpers import Cli, write_photo
from PIL import Image


def test_hash_prints_one_json_object_per_file_and_conforms(
    cli: Cli, conformance_dir: Path
) -> None:
    pdq_dir = conformance_dir / "pdq"
    with (pdq_dir / "expected.csv").open() as handle:
        expected = {row["path"]: row for row in csv.DictReader(handle) if row["pdq"]}
    names = sorted(expected)[:6]
    result = cli("hash", *(str(pdq_dir / name) for name in names))
    records = result.records()
    assert len(records) == len(names)
    for name, record in zip(names, records, strict=True):
        assert record["media_type"] == "image"
        assert len(record["md5"]) == 32 and len(record["sha1"]) == 40
        assert len(record["sha256"]) == 64
        assert record["pdq"] == {
            "hash": expected[name]["pdq"],
            "quality": int(expected[name]["quality"]),
        }


def test_hash_reports_bad_files_and_keeps_going(cli: Cli, tmp_path: Path) -> None:
    good = write_photo(tmp_path / "good.jpg", seed=1)
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(good.read_bytes()[:600])
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    odd = tmp_path / "odd name\twith tab ü.jpg"
    odd.write_bytes(good.read_bytes())
    result = cli(
        "hash", str(good), str(empty), str(truncated), str(text), str(odd),
        str(tmp_path / "missing.jpg"), check=False,
    )
    assert result.returncode == 1
    records = result.records()
    assert len(records) == 6
    assert "pdq" in records[0] and "error" not in records[0]
    for record in records[1:4] + records[5:]:
        assert "error" in record
        assert record["path"] in record["error"]
    assert records[4]["path"].endswith("odd name\twith tab ü.jpg")
    assert records[4]["md5"] == records[0]["md5"]


def test_match_finds_listed_files_with_hit_fields(cli: Cli, tmp_path: Path) -> None:
    listed = write_photo(tmp_path / "listed.jpg", seed=5)
    cli("lists", "create", "known", "--scheme", "iwf")
    cli("lists", "add", "known", str(listed), "--category", "B", "--source", "hotline-x")
    recompressed = tmp_path / "recompressed.jpg"
    with Image.open(listed) as image:
        image.save(recompressed, quality=35)
    other = write_photo(tmp_path / "other.jpg", seed=6)

    records = cli("match", str(listed), str(recompressed), str(other)).records()
    assert [r["path"] for r in records] == [str(listed), str(recompressed), str(other)]
    exact_types = {hit["signal_type"] for hit in records[0]["matches"]}
    assert exact_types == {"md5", "sha1", "sha256", "pdq"}
    pdq_hit = next(hit for hit in records[1]["matches"] if hit["signal_type"] == "pdq")
    assert set(pdq_hit) >= {
        "list", "entry_id", "signal_type", "matched_value", "distance", "category", "source",
        "variant",
    }
    assert pdq_hit["list"] == "known"
    assert pdq_hit["category"] == "iwf:B"
    assert pdq_hit["source"] == "hotline-x"
    assert isinstance(pdq_hit["distance"], int) and pdq_hit["distance"] <= 31
    assert records[2]["matches"] == []


def test_match_rejects_unknown_list(cli: Cli, tmp_path: Path) -> None:
    photo = write_photo(tmp_path / "a.jpg", seed=2)
    result = cli("match", str(photo), "--list", "nope", check=False)
    assert result.returncode == 2
    assert "nope" in result.stderr
