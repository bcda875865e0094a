"""Case retention and legal holds through the real command, on SQLite and PostgreSQL."""

from __future__ import annotations

import sys
from pathlib import Path

from cli_helpers import Cli

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
from robust_samples import photo


def test_holds_block_deletion_and_purge_takes_only_expired_cases(
    cli: Cli, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    photo("coffee").save(media / "a.jpg")
    for name in ("old", "held", "current"):
        cli("case", "create", name)
        cli("case", "scan", name, str(media), "--workers", "0")
    cli("case", "retain", "old", "--until", "2020-01-01")
    cli("case", "retain", "held", "--until", "2020-01-01")
    cli("case", "retain", "current", "--until", "2999-01-01")
    held = cli("case", "hold", "held", "--reason", "court order 2026/17").records()[0]
    assert held["held"] and held["hold_reason"] == "court order 2026/17"

    refused = cli("case", "delete", "held", "--yes", check=False)
    assert refused.returncode == 2 and "legal hold" in refused.stderr
    unconfirmed = cli("case", "delete", "current", check=False)
    assert unconfirmed.returncode == 2 and "--yes" in unconfirmed.stderr

    dry = cli("case", "purge", "--dry-run").records()
    assert dry[-1] == {"deleted": 1, "held": 1, "dry_run": True}
    assert {c["name"] for c in cli("case", "ls").records()} == {"old", "held", "current"}
    done = cli("case", "purge").records()
    assert [r["case"] for r in done if r.get("action") == "deleted"] == ["old"]
    assert {c["name"] for c in cli("case", "ls").records()} == {"held", "current"}
    assert (media / "a.jpg").exists()  # seized media are only referenced, never deleted
    assert not (Path(cli.env["HASHWARDEN_HOME"]) / "cases" / "old").exists()

    cli("case", "release", "held")
    cli("case", "delete", "held", "--yes")
    assert {c["name"] for c in cli("case", "ls").records()} == {"current"}
    actions = [e["action"] for e in cli("audit", "ls").records()]
    for expected in ("cases.hold", "cases.release", "cases.delete", "cases.purge"):
        assert expected in actions
