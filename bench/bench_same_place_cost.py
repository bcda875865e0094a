"""What same-place linking costs in a large case: retrieval per image, verification per pair.

    .venv/bin/python bench/bench_same_place_cost.py --entries 100000 --queries 200

``case links`` indexes every case item's ORB features (``QUERY_KEYPOINTS`` per item, as
``case scan`` extracts them) and asks the index, for each item, for its
``SAME_PLACE_CANDIDATES`` best-voted others, each verified by RANSAC
(``cases.grouping.place_candidates``). This script times those two steps at ``--entries``.

Entries are real ORB features of benign photos (bench/robustness/corpus.py, listed half):
each photo, its tiles (2x2 and 3x3 grids) and six views (bench/same_place/views.py) are
extracted like a case item. Extraction costs ~20-50 ms, so past that pool the remaining
entries are re-framed copies of pool entries: all their keypoints turned by up to 15 degrees,
zoomed out by up to 30% and shifted. Descriptors stay real, but each recurs in many entries,
which crowds buckets: pessimistic for retrieval. Queries are
views of listed photos (their place is indexed) and of the held-out half (it is not).

The index is built by its own rebuild (keys computed in chunks), timed, with its peak memory
measured by tracemalloc.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import io
import json
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))  # ``robustness``, ``same_place``

from hashwarden.cases.grouping import SAME_PLACE_CANDIDATES, SAME_PLACE_INLIERS
from hashwarden.core.robust.feature_index import FeatureIndex
from hashwarden.core.robust.features import (
    FEATURE_SIDE,
    QUERY_KEYPOINTS,
    SCENE,
    Features,
    extract,
    inliers,
)
from robustness.corpus import load_corpus
from same_place.views import EDITED_KINDS, make_view

cv2.setNumThreads(1)
CACHE = Path("/tmp/hashwarden-robustness-cache")
GRIDS = (2, 3)
#: Views per photo (whole pictures, as most case items are).
VIEWS = 6
#: Descriptors whose keys are computed at once while building (64 MB of unpacked bits).


def tiles(image: Image.Image, grid: int) -> list[Image.Image]:
    width, height = image.size
    step_x, step_y = width // grid, height // grid
    return [image.crop((x * step_x, y * step_y, (x + 1) * step_x, (y + 1) * step_y))
            for y in range(grid) for x in range(grid)]


def _decoded(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as opened:
        return opened.convert("RGB")


def pool(photos: list[Image.Image], seed: int) -> list[Features]:
    """Real case-item features: each photo, its tiles and its views."""
    found = []
    for number, photo in enumerate(photos):
        pictures = [photo, *(t for g in GRIDS for t in tiles(photo, g))]
        for view in range(VIEWS):
            rng = np.random.default_rng([seed, 41, number, view])
            kind = EDITED_KINDS[view % len(EDITED_KINDS)]
            pictures.append(_decoded(make_view(photo, number, kind, None, rng).data))
        found += [extract(picture, QUERY_KEYPOINTS) for picture in pictures]
    return [f for f in found if len(f)]


def reframed(source: Features, rng: np.random.Generator) -> Features:
    """The source's keypoints seen at another angle, zoom and offset (descriptors unchanged)."""
    angle = np.deg2rad(rng.uniform(-15, 15))
    scale = rng.uniform(0.7, 1.0)
    rotation = scale * np.array([[np.cos(angle), -np.sin(angle)],
                                 [np.sin(angle), np.cos(angle)]], np.float32)
    centre = np.float32(FEATURE_SIDE / 2)
    shift = rng.uniform(-0.1, 0.1, 2).astype(np.float32) * FEATURE_SIDE
    points = (source.points - centre) @ rotation.T + centre + shift
    return Features(points.astype(np.float32), source.descriptors)


def rebuild(index: FeatureIndex) -> tuple[float, int]:
    """The index's own (chunked) rebuild: seconds and peak bytes allocated on top."""
    tracemalloc.start()
    started = time.perf_counter()
    index._rebuild()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def run(entries: int, queries: int, seed: int, photos: int | None = None) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    corpus = load_corpus(CACHE, seed)
    listed = [item.image for item in corpus.listed][:photos]
    held_out = [item.image for item in corpus.distractors]
    started = time.perf_counter()
    real = pool(listed, seed)
    extract_ms = (time.perf_counter() - started) / max(len(real), 1) * 1000
    print(f"{len(real)} real case-item feature sets from {len(listed)} photos "
          f"({extract_ms:.0f} ms each with tiling)")

    index = FeatureIndex()
    descriptors = 0
    for label in range(entries):
        source = real[label % len(real)]
        item = source if label < len(real) else reframed(source, rng)
        descriptors += len(item)
        index.add(label, item)
    build_s, rebuild_peak = rebuild(index)
    table_bytes = sum(k.nbytes + o.nbytes for k, o in zip(index._keys, index._owners,
                                                           strict=True))
    feature_bytes = descriptors * (32 + 8)

    retrieval, verification, per_query, linked = [], [], [], {"indexed": 0, "unrelated": 0}
    for number in range(queries):
        indexed = number % 2 == 0
        sources = listed if indexed else held_out
        photo = sources[int(rng.integers(len(sources)))]
        kind = EDITED_KINDS[number % len(EDITED_KINDS)]
        view = make_view(photo, number, kind, None, np.random.default_rng([seed, 43, number]))
        query = extract(_decoded(view.data), QUERY_KEYPOINTS)
        started = time.perf_counter()
        ranked = sorted(index.votes(query).items(), key=lambda item: -item[1])
        ranked = ranked[:SAME_PLACE_CANDIDATES]
        spent = time.perf_counter() - started
        retrieval.append(spent * 1000)
        best = 0
        for label, _ in ranked:
            started = time.perf_counter()
            best = max(best, inliers(query, index._features[label], SCENE))
            verification.append((time.perf_counter() - started) * 1000)
        per_query.append(spent * 1000 + sum(verification[-len(ranked):]) if ranked else 0.0)
        linked["indexed" if indexed else "unrelated"] += best >= SAME_PLACE_INLIERS
    total_query_ms = statistics.median(per_query)
    return {
        "entries": entries,
        "real_entries": min(len(real), entries),
        "keypoints_per_entry": round(descriptors / entries, 1),
        "extract_ms_per_item": round(extract_ms, 1),
        "table_build_s": round(build_s, 1),
        "index_bytes_per_entry": round((table_bytes + feature_bytes) / entries),
        "index_rebuild_peak_gb": round(rebuild_peak / 1e9, 2),
        "retrieval_ms_median": round(statistics.median(retrieval), 2),
        "retrieval_ms_p95": round(_percentile(retrieval, 0.95), 2),
        "verification_ms_per_pair_median": round(statistics.median(verification), 3),
        "verification_ms_per_pair_p95": round(_percentile(verification, 0.95), 3),
        "candidates_per_query": SAME_PLACE_CANDIDATES,
        "query_ms_median": round(total_query_ms, 1),
        "case_links_hours_at_entries": round(total_query_ms * entries / 3.6e6, 2),
        "queries": queries,
        "indexed_views_linked": f"{linked['indexed']}/{(queries + 1) // 2}",
        "unrelated_views_linked": f"{linked['unrelated']}/{queries // 2}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--photos", type=int, help="listed photos in the pool (default all)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.entries, args.queries, args.seed, args.photos)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
