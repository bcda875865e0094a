"""What robust matching costs: hashing per upload at each level, and the feature index at scale.

    .venv/bin/python bench/bench_robust_cost.py --entries 100000 --queries 200

1. Hashing: ``hash_media`` per image at ``off``, ``standard`` and ``thorough`` on benign
   photos (the robustness corpus, bench/robustness/corpus.py: scikit-image samples and the
   Debian wallpapers, deduplicated, at most 1024 px; as JPEG bytes), median of 3 passes,
   one core.
2. Feature index: ``--entries`` listed pictures' ORB features. Real features come from
   non-overlapping tiles of the same photos (distinct content); past what the photos yield,
   entries are copies of real ones with 30% of descriptor bits flipped, which keeps ORB's bit
   statistics but no longer matches anything (pessimistic: copies crowd the same buckets).
   Then times queries: half cropped (10%) copies of listed tiles, which should be found (flat
   tiles with a handful of keypoints cannot be), half tiles of photos held out. KDE ships some
   artworks in several framings, so a held-out tile can truly show a listed one. Reports memory
   per entry, query latency (feature extraction included) and recall / matches at 16 inliers.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import time
import tracemalloc
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2
import numpy as np
from PIL import Image

from hashwarden.core.media.hashing import hash_media
from hashwarden.core.robust.feature_index import FeatureIndex
from hashwarden.core.robust.features import MIN_INLIERS, QUERY_KEYPOINTS, Features, extract
from hashwarden.core.robust.levels import RobustLevel
from robustness.corpus import load_corpus  # bench/ is on the path when run as a script

cv2.setNumThreads(1)

CACHE = Path("/tmp/hashwarden-robustness-cache")


def photos(limit: int) -> list[Image.Image]:
    """Distinct benign photos: the robustness corpus (deduplicated there), both halves."""
    corpus = load_corpus(CACHE, seed=1)
    return [item.image for item in corpus.listed + corpus.distractors][:limit]


def tiles(image: Image.Image, grid: int) -> list[Image.Image]:
    width, height = image.size
    step_x, step_y = width // grid, height // grid
    return [image.crop((x * step_x, y * step_y, (x + 1) * step_x, (y + 1) * step_y))
            for y in range(grid) for x in range(grid)]


def time_hashing(images: list[Image.Image]) -> dict[str, float]:
    payloads = []
    for image in images:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=90)
        payloads.append(buffer.getvalue())
    result = {}
    for level in RobustLevel:
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            for payload in payloads:
                hash_media(payload, robust=level)
            runs.append((time.perf_counter() - start) / len(payloads) * 1000)
        result[level.value] = round(statistics.median(runs), 2)
    return result


def noisy_copy(features: Features, rng: np.random.Generator) -> Features:
    flips = rng.random((len(features), 256)) < 0.3
    bits = np.unpackbits(features.descriptors, axis=1) ^ flips
    return Features(features.points, np.packbits(bits.astype(np.uint8), axis=1))


def run(entries: int, queries: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    sources = photos(120)
    held_out, listed_sources = sources[::5], [p for i, p in enumerate(sources) if i % 5]
    listed_tiles = [t for p in listed_sources for g in (1, 2, 4) for t in tiles(p, g)]
    unrelated = [t for p in held_out for g in (1, 2) for t in tiles(p, g)]
    print(f"{len(listed_tiles)} real listed pictures, {len(unrelated)} unrelated")

    hashing = time_hashing(sources[:20])
    print("hashing ms/image:", hashing)

    tracemalloc.start()
    index = FeatureIndex()
    real = [extract(tile) for tile in listed_tiles]
    for label in range(entries):
        source = real[label % len(real)]
        index.add(label, source if label < len(real) else noisy_copy(source, rng))
    build_start = time.perf_counter()
    index.votes(extract(unrelated[0], QUERY_KEYPOINTS))  # builds the buckets
    build = time.perf_counter() - build_start
    memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()

    picks = rng.choice(min(len(real), entries), size=queries // 2, replace=False)
    latencies, found, false_matches = [], 0, 0
    for number, label in enumerate(picks):
        tile = listed_tiles[int(label)]
        width, height = tile.size
        cropped = tile.crop((int(width * 0.1), int(height * 0.1), width, height))
        for query, expected in ((cropped, int(label)), (unrelated[number % len(unrelated)], None)):
            start = time.perf_counter()
            matches = [lab for lab, n in index.verified(extract(query, QUERY_KEYPOINTS))
                       if n >= MIN_INLIERS]
            latencies.append((time.perf_counter() - start) * 1000)
            if expected is not None:
                found += expected in matches
            else:
                false_matches += bool(matches)
    latencies.sort()
    return {
        "entries": entries,
        "real_entries": min(len(real), entries),
        "hashing_ms_per_image": hashing,
        "index_bytes_per_entry": round(memory / entries),
        "bucket_build_s": round(build, 2),
        "query_ms_median": round(statistics.median(latencies), 1),
        "query_ms_p95": round(latencies[int(len(latencies) * 0.95) - 1], 1),
        "recall_crop10": round(found / len(picks), 3),
        "unrelated_matched": false_matches,
        "queries": len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.entries, args.queries, args.seed)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
