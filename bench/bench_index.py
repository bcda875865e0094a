"""Benchmark hashwarden's PdqIndex against faiss and python-threatexchange on the same data.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_index.py --size 10000000 --queries 1000

Measures build time, memory per hash (``memory_bytes`` and the process RSS delta), single-query
latency (median, p99) for queries near an indexed hash (0-31 bits flipped) and for random ones,
the results' agreement with an exact brute-force peer, incremental add/remove of 10k hashes and
the cost of a full merge. Peers run single-threaded in the same process, taking turns every
``--block`` queries.
The full 10M run needs ~10 GB with every peer; run it under ``flock /tmp/hw-bench.lock``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import numpy.typing as npt

from hashwarden.core.index.pdq_index import PdqIndex, pdq_bytes_to_hex

Hashes = npt.NDArray[np.uint8]
Query = Callable[[Hashes], set[int]]


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def flip_random_bits(rng: np.random.Generator, rows: Hashes, low: int, high: int) -> Hashes:
    """Flip between ``low`` and ``high`` distinct random bits in every row."""
    out = rows.copy()
    for row in out:
        for bit in rng.choice(256, int(rng.integers(low, high + 1)), replace=False):
            row[bit // 8] ^= np.uint8(1 << (bit % 8))
    return out


def make_data(rng: np.random.Generator, size: int, clustered: bool) -> Hashes:
    if not clustered:
        return rng.integers(0, 256, size=(size, 32), dtype=np.uint8)
    # size/100 centres, 100 near-duplicates each, ~6 bits flipped (binomial) per copy.
    centres = rng.integers(0, 256, size=(max(1, size // 100), 32), dtype=np.uint8)
    data = np.repeat(centres, 100, axis=0)[:size]
    block = 1 << 18
    for start in range(0, size, block):
        stop = min(size, start + block)
        flips = rng.random((stop - start, 256)) < 6 / 256
        data[start:stop] ^= np.packbits(flips, axis=1)
    return data


@dataclass
class Engine:
    name: str
    query: Query
    build_s: float
    rss_delta: int
    memory_bytes: int | None = None
    latencies: dict[str, list[float]] = field(default_factory=dict)
    mismatches: int = 0


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def build_hashwarden(data: Hashes, threshold: int) -> tuple[Engine, PdqIndex]:
    before = rss_bytes()
    labels = np.arange(len(data), dtype=np.int64)
    index, seconds = timed(lambda: PdqIndex.build(labels, data))

    def query(q: Hashes) -> set[int]:
        return set(index.search(q, threshold).label.tolist())

    engine = Engine("hashwarden", query, seconds, rss_bytes() - before, index.memory_bytes())
    return engine, index


def build_faiss(data: Hashes, threshold: int, kind: str) -> Engine:
    import faiss

    faiss.omp_set_num_threads(1)
    before = rss_bytes()
    index: Any
    if kind == "flat":
        index = faiss.IndexBinaryFlat(256)
    else:
        index = faiss.IndexBinaryMultiHash(256, 16, 16)
        index.nflip = threshold // 16  # 16 maps of 16 bits: exact up to 16*(nflip+1)-1
    _, seconds = timed(lambda: index.add(data))

    def query(q: Hashes) -> set[int]:
        limits, _, ids = index.range_search(q, threshold + 1)
        return set(ids[limits[0] : limits[1]].tolist())

    return Engine(f"faiss-{kind}", query, seconds, rss_bytes() - before)


def build_threatexchange(data: Hashes, threshold: int) -> Engine:
    from threatexchange.signal_type.pdq.pdq_index import PDQIndex

    if threshold != 31:
        raise SystemExit("python-threatexchange's PDQIndex only searches at threshold 31")
    before = rss_bytes()
    # PDQIndex keeps each (hex, entry) tuple, so the strings count towards its memory.
    index, seconds = timed(
        lambda: PDQIndex(zip(pdq_bytes_to_hex(data), range(len(data)), strict=True))
    )

    def query(q: Hashes) -> set[int]:
        return {int(m.metadata) for m in index.query(pdq_bytes_to_hex(q)[0])}

    return Engine("threatexchange", query, seconds, rss_bytes() - before)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_queries(engines: list[Engine], queries: dict[str, Hashes], block: int) -> None:
    """Rotate engines every ``block`` single queries so drifting machine load hits all alike.

    Strict one-by-one interleaving would measure cold caches instead: every faiss-flat query
    streams the whole 320 MB array and evicts the other engines' data and page-table entries.
    """
    reference = next((e for e in engines if e.name == "faiss-flat"), None)
    for kind, rows in queries.items():
        answers: dict[str, list[set[int]]] = {e.name: [] for e in engines}
        for engine in engines:
            engine.latencies[kind] = []
        for first in range(0, len(rows), block):
            for engine in engines:
                for i in range(first, min(first + block, len(rows))):
                    start = time.perf_counter()
                    answers[engine.name].append(engine.query(rows[i : i + 1]))
                    engine.latencies[kind].append(time.perf_counter() - start)
        truth = answers[reference.name if reference else "hashwarden"]
        for engine in engines:
            engine.mismatches += sum(
                a != b for a, b in zip(answers[engine.name], truth, strict=True)
            )


def incremental(index: PdqIndex, rng: np.random.Generator, size: int) -> dict[str, float]:
    fresh = rng.integers(0, 256, size=(10_000, 32), dtype=np.uint8)
    labels = np.arange(size, size + 10_000, dtype=np.int64)
    out: dict[str, float] = {}
    _, out["add_10k_s"] = timed(lambda: index.add(labels, fresh))
    assert set(index.search(fresh[:5], 0).label.tolist()) == set(labels[:5].tolist())
    gone = rng.choice(size, 10_000, replace=False)
    removed, out["remove_10k_s"] = timed(lambda: index.remove(gone))
    assert removed == 10_000
    probe = fresh[rng.integers(0, 10_000, 200)]
    lat = []
    for i in range(len(probe)):
        start = time.perf_counter()
        index.search(probe[i : i + 1], 31)
        lat.append(time.perf_counter() - start)
    out["median_query_after_changes_ms"] = statistics.median(lat) * 1e3
    _, out["merge_all_s"] = timed(index.compact)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--threshold", type=int, default=31)
    parser.add_argument("--clustered", action="store_true", help="near-duplicate clusters")
    parser.add_argument(
        "--skip", default="", help="comma-separated peers to skip: flat,multihash,threatexchange"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--block", type=int, default=50, help="queries per engine turn")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    skip = {s for s in args.skip.split(",") if s}
    rng = np.random.default_rng(args.seed)

    data = make_data(rng, args.size, args.clustered)
    picks = data[rng.integers(0, args.size, args.queries)]
    queries = {
        "near": flip_random_bits(rng, picks, 0, 31),
        "random": rng.integers(0, 256, size=(args.queries, 32), dtype=np.uint8),
    }
    mine, index = build_hashwarden(data, args.threshold)
    engines = [mine]
    if "flat" not in skip:
        engines.append(build_faiss(data, args.threshold, "flat"))
    if "multihash" not in skip:
        engines.append(build_faiss(data, args.threshold, "multihash"))
    if "threatexchange" not in skip:
        engines.append(build_threatexchange(data, args.threshold))
    run_queries(engines, queries, args.block)

    _, batch_s = timed(lambda: index.search(queries["near"], args.threshold))
    report: dict[str, Any] = {
        "size": args.size,
        "clustered": args.clustered,
        "threshold": args.threshold,
        "queries": args.queries,
        "block": args.block,
        "batch_query_us": batch_s / args.queries * 1e6,
        "engines": {},
    }
    base = {k: statistics.median(v) for k, v in mine.latencies.items()}
    for engine in engines:
        row: dict[str, Any] = {
            "build_s": engine.build_s,
            "rss_bytes_per_hash": engine.rss_delta / args.size,
            "mismatching_queries": engine.mismatches,
        }
        if engine.memory_bytes is not None:
            row["memory_bytes_per_hash"] = engine.memory_bytes / args.size
        for kind, values in engine.latencies.items():
            row[f"{kind}_median_ms"] = statistics.median(values) * 1e3
            row[f"{kind}_p99_ms"] = percentile(values, 0.99) * 1e3
            row[f"{kind}_median_vs_hashwarden"] = statistics.median(values) / base[kind]
        report["engines"][engine.name] = row
    report["hashwarden_incremental"] = incremental(index, rng, args.size)
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
