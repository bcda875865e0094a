"""The scan driver with inline hashing: reports, matching, odd names and checkpoint recovery."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from scanmedia import image_bytes, md5

from hashwarden.core.errors import ConfigError
from hashwarden.core.media.models import MediaHashes
from hashwarden.scanning.checkpoint import Checkpoint, CheckpointError
from hashwarden.scanning.reports.jsonl import read_report
from hashwarden.scanning.runner import Scanner, ScanProgress

KNOWN = md5(image_bytes(3))


def flag_known(hashes: Sequence[MediaHashes]) -> list[list[dict[str, object]]]:
    return [[{"list": "test", "signal": "md5", "entry_id": 1}] if h.md5 == KNOWN else []
            for h in hashes]


def scan(roots: list[Path], report: Path, **kwargs: Any) -> list[dict[str, Any]]:
    Scanner(roots, report=report, workers=0, match=flag_known, **kwargs).run()
    journal = report if report.suffix == ".jsonl" else Path(f"{report}.jsonl")
    return list(read_report(journal))


def test_jsonl_report_has_every_file_once_with_hashes_errors_and_matches(
    image_tree: Path, tmp_path: Path
) -> None:
    seen: list[ScanProgress] = []
    Scanner([image_tree], report=tmp_path / "r.jsonl", workers=0, match=flag_known,
            batch_size=3, progress=seen.append).run()
    records = list(read_report(tmp_path / "r.jsonl"))
    by_path = {os.path.relpath(r["path"], image_tree): r for r in records}
    assert len(records) == len(by_path) == 8
    assert by_path["b/three.jpg"]["matches"] == [{"list": "test", "signal": "md5", "entry_id": 1}]
    assert by_path["b/three.jpg"]["pdq"]["quality"] >= 50
    assert by_path["b/notes.txt"]["media_type"] == "other"
    assert by_path["b/broken.jpg"]["error_kind"] == "CorruptMediaError"
    assert by_path["new\nline.jpg"]["md5"] == md5(image_bytes(6))
    odd = by_path["latin1-\udce9t\udce9.jpg"]
    assert os.fsencode(odd["path"]).endswith(b"latin1-\xe9t\xe9.jpg")
    raw = (tmp_path / "r.jsonl").read_bytes()
    assert raw.isascii() and raw.count(b"\n") == 8
    final = seen[-1]
    assert (final.files_done, final.matched, final.errors, final.walk_finished) == (8, 1, 1, True)


def test_csv_report_one_row_per_hit_and_marked_rows(image_tree: Path, tmp_path: Path) -> None:
    (image_tree / "=cmd.jpg").write_bytes(image_bytes(3))  # same bytes: a second hit
    report = tmp_path / "r.csv"
    scan([image_tree], report)
    with report.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 9
    matched = [r for r in rows if r["matched"] == "yes"]
    assert {r["hit_list"] for r in matched} == {"test"} and len(matched) == 2
    assert any(r["path"].endswith("'=cmd.jpg") or "/=cmd.jpg" in r["path"] for r in matched)
    assert all(not r["path"].startswith("=") for r in rows)
    assert [r["matched"] for r in rows].count("error") == 1
    assert any(r["path"].endswith("latin1-\\xe9t\\xe9.jpg") for r in rows)


def test_html_report_is_self_contained_and_escaped(image_tree: Path, tmp_path: Path) -> None:
    (image_tree / "<script>alert(1)<\\script>.jpg").write_bytes(image_bytes(3))
    report = tmp_path / "r.html"
    scan([image_tree], report)
    page = report.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;\\script&gt;.jpg" in page
    assert "http://" not in page and "https://" not in page and "src=" not in page
    assert "Files with matches (2)" in page and "Errors (1)" in page
    assert "CorruptMediaError" in page


def test_unknown_report_extension_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="report"):
        Scanner([tmp_path], report=tmp_path / "r.xml", workers=0)


def test_resume_skips_done_files_and_appends(image_tree: Path, tmp_path: Path) -> None:
    report = tmp_path / "r.jsonl"
    first = scan([image_tree], report)
    (image_tree / "b" / "added.jpg").write_bytes(image_bytes(20))
    progress: list[ScanProgress] = []
    Scanner([image_tree], report=report, workers=0, resume=True, progress=progress.append).run()
    records = list(read_report(report))
    assert records[: len(first)] == first
    assert [Path(r["path"]).name for r in records[len(first):]] == ["added.jpg"]
    assert progress[-1].skipped_done == 8


def test_checkpoint_drops_torn_lines_and_unrecorded_batches(tmp_path: Path) -> None:
    journal, state = tmp_path / "r.jsonl", tmp_path / "r.jsonl.state"
    checkpoint = Checkpoint(journal, state, resume=False)
    checkpoint.commit(['{"path": "a"}\n', '{"path": "a!/m"}\n'], ["a"])
    checkpoint.close()
    # A batch written without its state record, then a torn line and a torn state record.
    with journal.open("ab") as handle:
        handle.write(b'{"path": "b"}\n{"path": "c", "md5": "12')
    with state.open("ab") as handle:
        handle.write(b'{"offset": 99999, "done": ["b"')
    resumed = Checkpoint(journal, state, resume=True)
    assert resumed.done == {"a"}
    resumed.commit(['{"path": "b"}\n'], ["b"])
    resumed.close()
    assert [r["path"] for r in read_report(journal)] == ["a", "a!/m", "b"]
    assert all(json.loads(line) for line in state.read_text().splitlines())
    again = Checkpoint(journal, state, resume=True)
    assert again.done == {"a", "b"}
    again.close()


def test_without_resume_a_new_scan_starts_over(image_tree: Path, tmp_path: Path) -> None:
    report = tmp_path / "r.jsonl"
    scan([image_tree], report)
    assert len(scan([image_tree / "a"], report)) == 2


def test_rich_progress_renders_counts(image_tree: Path, tmp_path: Path) -> None:
    from rich.console import Console

    from hashwarden.scanning.progress import RichScanProgress

    out = io.StringIO()
    console = Console(file=out, width=200, force_terminal=False)
    with RichScanProgress(console) as show:
        Scanner([image_tree], report=tmp_path / "r.jsonl", workers=0, match=flag_known,
                progress=show).run()
    text = out.getvalue()
    assert "8/8 files" in text and "1 matched" in text and "1 errors" in text


def test_resume_without_state_file_refuses_to_wipe_the_report(
    image_tree: Path, tmp_path: Path
) -> None:
    report = tmp_path / "r.jsonl"
    scan([image_tree], report)
    Path(f"{report}.state").unlink()
    before = report.read_bytes()
    with pytest.raises(CheckpointError, match="cannot resume"):
        Scanner([image_tree], report=report, workers=0, resume=True).run()
    assert report.read_bytes() == before
