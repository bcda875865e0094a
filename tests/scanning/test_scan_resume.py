"""Kill a scan subprocess midway, resume it, and find every file in the report exactly once."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from scanmedia import image_bytes, make_tree

from hashwarden.scanning.reports.jsonl import read_report
from hashwarden.scanning.runner import Scanner, ScanProgress

SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from hashwarden.scanning.runner import Scanner

    def slow_match(hashes):
        time.sleep(0.05)  # keeps the scan running long enough to be interrupted
        return [[] for _ in hashes]

    def show(progress):
        print(progress.files_done, flush=True)

    if __name__ == "__main__":
        root, report, workers = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
        try:
            Scanner([root], report=report, workers=workers, batch_size=5, max_in_flight=2,
                    match=slow_match, progress=show).run()
        except KeyboardInterrupt:
            sys.exit(130)
    """
)


@pytest.fixture
def big_tree(tmp_path: Path) -> Path:
    root = make_tree(tmp_path / "tree")
    for i in range(150):
        (root / "a" / f"f{i:03}.jpg").write_bytes(image_bytes(1000 + i, size=(48, 32)))
    return root


def interrupt_midway(
    tmp_path: Path, root: Path, report: Path, workers: int, how: signal.Signals
) -> None:
    script = tmp_path / "scan_script.py"
    script.write_text(SCRIPT)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(root), str(report), str(workers)],
        stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if int(line) >= 40:
                break
        proc.send_signal(how)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0, "the scan finished before it could be interrupted"


def check_resume(root: Path, report: Path, tmp_path: Path) -> None:
    before = list(read_report(report))
    assert 0 < len(before) < 158
    progress: list[ScanProgress] = []
    Scanner([root], report=report, workers=0, resume=True, progress=progress.append).run()
    after = list(read_report(report))
    assert after[: len(before)] == before  # appended, nothing rewritten
    counts = Counter(r["path"] for r in after)
    assert max(counts.values()) == 1
    reference = tmp_path / "reference.jsonl"
    Scanner([root], report=reference, workers=0).run()
    assert set(counts) == {r["path"] for r in read_report(reference)}
    assert progress[-1].skipped_done >= len(before) - 1
    assert report.read_bytes().endswith(b"\n")


def test_resume_after_sigkill(big_tree: Path, tmp_path: Path) -> None:
    report = tmp_path / "scan.jsonl"
    interrupt_midway(tmp_path, big_tree, report, 0, signal.SIGKILL)
    check_resume(big_tree, report, tmp_path)


@pytest.mark.slow
def test_resume_after_ctrl_c_of_a_dask_scan(big_tree: Path, tmp_path: Path) -> None:
    report = tmp_path / "scan.jsonl"
    interrupt_midway(tmp_path, big_tree, report, 1, signal.SIGINT)
    check_resume(big_tree, report, tmp_path)
