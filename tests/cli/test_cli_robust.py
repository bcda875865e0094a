"""Robust matching through the real command: the level setting, lists add, match, export."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from cli_helpers import Cli

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
from robust_samples import bordered, crop, photo


@pytest.fixture
def listed(cli: Cli, tmp_path: Path) -> Path:
    original = tmp_path / "coffee.jpg"
    photo("coffee").save(original, quality=92)
    cli.env["HASHWARDEN_ROBUST_MATCHING"] = "thorough"
    cli("lists", "create", "known")
    cli("lists", "add", "known", str(original))
    return original


def _matches(cli: Cli, path: Path, level: str) -> list[dict[str, object]]:
    cli.env["HASHWARDEN_ROBUST_MATCHING"] = level
    record = cli("match", str(path)).records()[0]
    matches: list[dict[str, object]] = record["matches"]
    return matches


def test_each_level_finds_what_it_promises(cli: Cli, listed: Path, tmp_path: Path) -> None:
    cropped = tmp_path / "cropped.jpg"
    crop(photo("coffee"), 0.1).save(cropped, quality=85)
    framed = tmp_path / "framed.png"
    bordered(photo("coffee"), 0.15, (250, 250, 250)).save(framed)

    assert _matches(cli, framed, "off") == []
    framed_hits = _matches(cli, framed, "standard")
    assert {(h["signal_type"], h["variant"]) for h in framed_hits} >= {("pdq", "trimmed")}

    assert _matches(cli, cropped, "standard") == []
    cropped_hits = _matches(cli, cropped, "thorough")
    assert [(h["signal_type"], h["variant"]) for h in cropped_hits] == [("orb", "features")]
    assert cropped_hits[0]["matched_value"] == "" and int(str(cropped_hits[0]["distance"])) <= 31


def test_features_are_never_exported(cli: Cli, listed: Path, tmp_path: Path) -> None:
    for fmt in ("jsonl", "csv", "plain", "hma", "vics"):
        out = tmp_path / f"known-{fmt}.txt"
        cli("lists", "export", "known", "--output", str(out), "--format", fmt)
        text = out.read_text(encoding="utf-8")
        assert "orb" not in text.lower() and len(text) < 2000
    changes = cli("lists", "changes", "known").records()
    assert {s["type"] for s in changes[0]["signals"]} == {"md5", "sha1", "sha256", "pdq"}


def test_a_bad_level_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    cli.env["HASHWARDEN_ROBUST_MATCHING"] = "paranoid"
    picture = tmp_path / "p.jpg"
    photo("rocket").save(picture)
    result = cli("match", str(picture), check=False)
    assert result.returncode != 0
    assert "HASHWARDEN_ROBUST_MATCHING" in result.stderr and "thorough" in result.stderr
    assert "Traceback" not in result.stderr
