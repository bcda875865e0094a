"""Benchmark VideoIndex (the vPDQ rule over PdqIndex): build, memory and query latency.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_video_index.py --videos 20000 --queries 50

Indexes ``--videos`` videos of ``--frames`` random frame hashes in one ``add_many`` call, then
times single-video queries of ``--min-frames``..``--max-frames`` frames (hex parsing included):
half derived from an indexed video (its frames resampled with a few bits of noise, plus up to
15% random padding), half entirely random. Derived queries must find their source video; random
ones must find nothing. Also times adding and removing single videos afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import numpy.typing as npt

from hashwarden.core.index.video_index import VideoIndex

Hashes = npt.NDArray[np.uint8]


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def to_hex(rows: Hashes) -> list[str]:
    return [row.tobytes().hex() for row in rows]


def noisy(rng: np.random.Generator, rows: Hashes, mean_bits: float) -> Hashes:
    """Rows with each bit flipped with probability ``mean_bits / 256``."""
    return rows ^ np.packbits(rng.random((len(rows), 256)) < mean_bits / 256, axis=1)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def make_queries(
    rng: np.random.Generator, data: Hashes, args: argparse.Namespace
) -> list[tuple[str, int, list[str]]]:
    """(kind, source video or -1, hex frames) for every query."""
    queries = []
    for i in range(args.queries):
        length = int(rng.integers(args.min_frames, args.max_frames + 1))
        if i % 2:
            queries.append(("random", -1, to_hex(rng.integers(0, 256, (length, 32), np.uint8))))
            continue
        source = int(rng.integers(0, args.videos))
        frames = data[source * args.frames : (source + 1) * args.frames]
        # At most 15% padding so the query side stays above 80%; every source frame is kept.
        padding = min(int(length * rng.uniform(0, 0.15)), length - args.frames)
        # Resampling repeats source frames; the noise keeps the copies distinct hashes.
        picks = frames[np.sort(rng.integers(0, args.frames, length - padding))]
        picks[: args.frames] = frames
        rows = np.concatenate(
            (noisy(rng, picks, args.noise_bits), rng.integers(0, 256, (padding, 32), np.uint8))
        )
        queries.append(("derived", source, to_hex(rows)))
    return queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--videos", type=int, default=20_000)
    parser.add_argument("--frames", type=int, default=60, help="frames per indexed video")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--min-frames", type=int, default=60)
    parser.add_argument("--max-frames", type=int, default=600)
    parser.add_argument("--noise-bits", type=float, default=6.0, help="mean bits flipped")
    parser.add_argument("--distance", type=int, default=31)
    parser.add_argument("--threshold", type=float, default=80.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    data = rng.integers(0, 256, (args.videos * args.frames, 32), dtype=np.uint8)
    flat = to_hex(data)
    videos = [(v, flat[v * args.frames : (v + 1) * args.frames]) for v in range(args.videos)]
    queries = make_queries(rng, data, args)

    before = rss_bytes()
    index = VideoIndex()
    start = time.perf_counter()
    index.add_many(videos)
    build_s = time.perf_counter() - start
    rss_delta = rss_bytes() - before
    del videos, flat

    index.search(queries[0][2], distance=args.distance, threshold=args.threshold)  # warm-up
    latencies: dict[str, list[float]] = {"derived": [], "random": [], "all": []}
    frames_per_kind: dict[str, list[int]] = {"derived": [], "random": [], "all": []}
    found_source = spurious = 0
    for kind, source, hashes in queries:
        start = time.perf_counter()
        found = index.search(hashes, distance=args.distance, threshold=args.threshold)
        seconds = time.perf_counter() - start
        for key in (kind, "all"):
            latencies[key].append(seconds)
            frames_per_kind[key].append(len(hashes))
        ids = {m.video_id for m in found}
        found_source += source in ids
        spurious += len(ids - {source})

    fresh = [to_hex(rng.integers(0, 256, (args.frames, 32), np.uint8)) for _ in range(100)]
    start = time.perf_counter()
    for i, hashes in enumerate(fresh):
        index.add(args.videos + i, hashes)
    add_ms = (time.perf_counter() - start) / len(fresh) * 1e3
    start = time.perf_counter()
    for v in rng.choice(args.videos, 100, replace=False).tolist():
        index.remove([v])
    remove_ms = (time.perf_counter() - start) / 100 * 1e3

    report: dict[str, Any] = {
        "videos": args.videos,
        "frames_per_video": args.frames,
        "indexed_frames": args.videos * args.frames,
        "distance": args.distance,
        "threshold": args.threshold,
        "build_s": build_s,
        "memory_bytes": index.memory_bytes(),
        "memory_bytes_per_frame": index.memory_bytes() / (args.videos * args.frames),
        "rss_delta_bytes": rss_delta,
        "derived_found_source": f"{found_source}/{sum(k == 'derived' for k, _, _ in queries)}",
        "spurious_matches": spurious,
        "add_one_video_ms": add_ms,
        "remove_one_video_ms": remove_ms,
        "queries": {
            kind: {
                "count": len(values),
                "median_frames": statistics.median(frames_per_kind[kind]),
                "max_frames": max(frames_per_kind[kind]),
                "median_ms": statistics.median(values) * 1e3,
                "p95_ms": percentile(values, 0.95) * 1e3,
            }
            for kind, values in latencies.items()
            if values
        },
    }
    print(markdown(report))
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


def markdown(report: dict[str, Any]) -> str:
    mib = 1 << 20
    lines = [
        f"VideoIndex: {report['videos']:,} videos x {report['frames_per_video']} frames, "
        f"distance {report['distance']}, threshold {report['threshold']}%",
        "",
        "| measure | value |",
        "|---|---|",
        f"| build (add_many, hex parsing included) | {report['build_s']:.2f} s |",
        f"| memory_bytes | {report['memory_bytes'] / mib:.1f} MiB "
        f"({report['memory_bytes_per_frame']:.1f} B/frame) |",
        f"| RSS delta of the build | {report['rss_delta_bytes'] / mib:.1f} MiB |",
        f"| add one video / remove one video | {report['add_one_video_ms']:.2f} ms / "
        f"{report['remove_one_video_ms']:.2f} ms |",
        f"| derived queries finding their source | {report['derived_found_source']} |",
        f"| spurious matches | {report['spurious_matches']} |",
        "",
        "| queries | count | median frames | max frames | median ms | p95 ms |",
        "|---|---|---|---|---|---|",
    ]
    for kind, row in report["queries"].items():
        lines.append(
            f"| {kind} | {row['count']} | {row['median_frames']:.0f} | {row['max_frames']} | "
            f"{row['median_ms']:.2f} | {row['p95_ms']:.2f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
