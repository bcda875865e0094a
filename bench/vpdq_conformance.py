"""Conformance of Meta's ``vpdq`` Python package against the shared vPDQ reference hashes.

Run: ``.venv/bin/python bench/vpdq_conformance.py [--videos DIR] [--expected DIR] [--json]``.

For every video in ``--videos`` (default ``/work/shared/conformance/vpdq/videos``) this hashes
every frame with ``vpdq.computeHash(path, seconds_per_hash=0)`` and compares the result with
``--expected``/NAME.txt (lines ``frame,quality,hash,timestamp``), joining the two lists on the
frame number. When NAME-128x128.txt exists, it does the same with
``downsample_width=128, downsample_height=128``. It prints a Markdown table: frame counts (vpdq
vs expected), frames present in only one list, the mean and max Hamming distance over all frames
both lists hold, the same over frames whose *expected* quality is >= 50, and how many of those
are >= 31 bits apart (vpdq's own regression test asserts ``distance < 31`` for frames where both
qualities are >= 50). Videos vpdq cannot open (e.g. zero-byte files) are listed with its error.

This script only needs the standard library and ``vpdq`` (``pip install vpdq``; building it needs
the FFmpeg development headers: libavcodec-dev libavformat-dev libavutil-dev libswscale-dev
libswresample-dev libavdevice-dev libavfilter-dev, pkg-config, cmake and a C++ compiler).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path("/work/shared/conformance/vpdq")
QUALITY_MIN = 50
DISTANCE_TOLERANCE = 31
SIZES: tuple[tuple[int, int] | None, ...] = (None, (128, 128))


@dataclass
class Row:
    video: str
    size: str
    vpdq_frames: int | None = None
    expected_frames: int = 0
    only_vpdq: int = 0
    only_expected: int = 0
    mean_all: float | None = None
    max_all: int | None = None
    good_frames: int = 0
    mean_good: float | None = None
    max_good: int | None = None
    good_over_tolerance: int = 0
    max_timestamp_error: float | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def read_expected(path: Path) -> dict[int, tuple[int, str, float]]:
    frames: dict[int, tuple[int, str, float]] = {}
    for line in path.read_text().splitlines():
        if line.strip():
            frame, quality, hex_hash, timestamp = line.strip().split(",")
            frames[int(frame)] = (int(quality), hex_hash, float(timestamp))
    return frames


def run_vpdq(vpdq: object, video: Path, size: tuple[int, int] | None) -> list:
    """vpdq features for every frame; vpdq's C++ error text (fd 2) goes into the exception."""
    width, height = size or (0, 0)
    saved = os.dup(2)
    with tempfile.TemporaryFile() as err:
        os.dup2(err.fileno(), 2)
        try:
            return vpdq.computeHash(  # type: ignore[attr-defined]
                str(video), seconds_per_hash=0,
                downsample_width=width, downsample_height=height,
            )  # fmt: skip
        except Exception as exc:
            os.dup2(saved, 2)
            err.seek(0)
            detail = err.read().decode(errors="replace").strip().replace("\n", "; ")
            raise RuntimeError(f"{exc} ({detail})" if detail else str(exc)) from exc
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def compare(vpdq: object, video: Path, expected_path: Path, size: tuple[int, int] | None) -> Row:
    label = f"{size[0]}x{size[1]}" if size else "native"
    expected = read_expected(expected_path)
    row = Row(video=video.name, size=label, expected_frames=len(expected))
    if video.stat().st_size == 0:
        row.notes.append("zero-byte file")
    try:
        features = run_vpdq(vpdq, video, size)
    except RuntimeError as exc:
        row.error = str(exc)
        return row
    got = {f.frame_number: f for f in features}
    row.vpdq_frames = len(features)
    if len(got) != len(features):
        row.notes.append("duplicate frame numbers in vpdq output")
    row.only_vpdq = len(got.keys() - expected.keys())
    row.only_expected = len(expected.keys() - got.keys())
    common = sorted(got.keys() & expected.keys())
    distances = [hamming(got[n].hex, expected[n][1]) for n in common]
    good = [d for n, d in zip(common, distances, strict=True) if expected[n][0] >= QUALITY_MIN]
    if distances:
        row.mean_all = statistics.fmean(distances)
        row.max_all = max(distances)
        row.max_timestamp_error = max(abs(got[n].timestamp - expected[n][2]) for n in common)
    row.good_frames = len(good)
    if good:
        row.mean_good = statistics.fmean(good)
        row.max_good = max(good)
        row.good_over_tolerance = sum(d >= DISTANCE_TOLERANCE for d in good)
    return row


def _fmt(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def markdown(rows: list[Row]) -> str:
    head = ("| video | size | frames vpdq / expected | only vpdq / only expected | "
            "mean dist (all) | max dist (all) | frames q>=50 | mean dist (q>=50) | "
            "max dist (q>=50) | q>=50 frames >= 31 bits | max timestamp error (s) |")  # fmt: skip
    lines = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for r in rows:
        if r.error is not None:
            note = "; ".join([*r.notes, f"vpdq error: {r.error}"])
            lines.append(f"| {r.video} | {r.size} | - / {r.expected_frames} | {note} |"
                         + " |" * 7)  # fmt: skip
            continue
        lines.append(
            f"| {r.video} | {r.size} | {r.vpdq_frames} / {r.expected_frames} | "
            f"{r.only_vpdq} / {r.only_expected} | {_fmt(r.mean_all)} | {_fmt(r.max_all)} | "
            f"{r.good_frames} | {_fmt(r.mean_good)} | {_fmt(r.max_good)} | "
            f"{r.good_over_tolerance} | {_fmt(r.max_timestamp_error, 4)} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--videos", type=Path, default=ROOT / "videos")
    parser.add_argument("--expected", type=Path, default=ROOT / "expected")
    parser.add_argument("--json", action="store_true", help="also print the rows as JSON")
    args = parser.parse_args()
    try:
        import vpdq
    except ImportError:
        print("vpdq is not installed. Install it (not a project dependency) with:\n"
              "  apt-get install -y pkg-config cmake g++ libavcodec-dev libavformat-dev "
              "libavutil-dev libswscale-dev libswresample-dev libavdevice-dev libavfilter-dev\n"
              "  .venv/bin/pip install vpdq", file=sys.stderr)  # fmt: skip
        return 2
    rows: list[Row] = []
    for video in sorted(args.videos.iterdir()):
        for size in SIZES:
            suffix = f"-{size[0]}x{size[1]}" if size else ""
            expected = args.expected / f"{video.stem}{suffix}.txt"
            if expected.exists():
                rows.append(compare(vpdq, video, expected, size))
    version = getattr(vpdq, "__version__", None)
    if version is None:
        from importlib.metadata import version as dist_version

        version = dist_version("vpdq")
    print(f"vpdq {version} vs {args.expected} (every frame; distances in bits, joined on frame "
          f"number; 'q>=50' uses the expected quality)\n")  # fmt: skip
    print(markdown(rows))
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
