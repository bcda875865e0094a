"""Videos through the real command line: hash, list, match, export and import again."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import Cli

from video_samples import write_video


def test_hash_lists_and_matches_videos(cli: Cli, tmp_path: Path) -> None:
    listed = write_video(tmp_path / "listed.mp4", seconds=4.0)
    copy = write_video(tmp_path / "copy.webm", seconds=4.0, codec="libvpx-vp9")
    other = write_video(tmp_path / "other.mp4", seconds=4.0, style=3)

    (every,) = cli("hash", str(listed), "--every-frame").records()
    assert every["media_type"] == "video"
    assert [f["frame"] for f in every["vpdq"]] == list(range(40))
    (sampled,) = cli("hash", str(listed), "--seconds-per-hash", "2").records()
    assert [f["frame"] for f in sampled["vpdq"]] == [0, 20]

    cli("lists", "create", "videos")
    cli("lists", "add", "videos", str(listed), "--category", "iwf:A")
    copy_result, other_result = cli("match", str(copy), str(other), "--list", "videos").records()
    assert [m["signal_type"] for m in copy_result["matches"]] == ["vpdq"]
    assert other_result["matches"] == []

    # Through ThreatExchange's file format and back into a new list: still matches.
    exported = tmp_path / "videos.te.txt"
    cli("lists", "export", "videos", "--format", "threatexchange", "--output", str(exported))
    assert any(line.startswith("vpdq ") for line in exported.read_text().splitlines())
    cli("lists", "create", "again")
    cli("lists", "import", "again", str(exported), "--format", "threatexchange")
    (again,) = cli("match", str(copy), "--list", "again").records()
    assert [m["signal_type"] for m in again["matches"]] == ["vpdq"]


def test_a_broken_video_is_reported_and_the_rest_go_on(cli: Cli, tmp_path: Path) -> None:
    good = write_video(tmp_path / "good.mp4")
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(good.read_bytes()[:48] + b"\0" * 2000)
    result = cli("hash", str(broken), str(good), check=False)
    assert result.returncode == 1
    bad, fine = result.records()
    assert str(broken) in bad["error"] and bad["error_type"] == "CorruptMediaError"
    assert fine["media_type"] == "video"
