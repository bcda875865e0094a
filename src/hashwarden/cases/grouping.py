"""Near-duplicate pairs and stacks of a case's items, and same-place pairs between stacks.

Pure: items come in as plain values, pairs and stacks go out as positions in that sequence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from hashwarden.cases.models import ScannedItem
from hashwarden.core.index.pdq_index import PdqIndex, pdq_hex_to_bytes
from hashwarden.core.index.video_index import VideoIndex
from hashwarden.core.robust.feature_index import FeatureIndex
from hashwarden.core.robust.features import SCENE, deserialise
from hashwarden.core.signals.pdq import PDQ_MIN_QUALITY
from hashwarden.core.signals.vpdq import (
    VPDQ_FRAME_DISTANCE,
    distance_of,
    frames_of,
    usable_hashes,
)

#: PDQ bits within which two pictures are one picture (the lists' default threshold).
NEAR_DUPLICATE_BITS = 31
#: vPDQ distance (100 - % frames matched both ways) within which two videos are one.
NEAR_DUPLICATE_VIDEO = 20
#: Verified keypoint pairs for a same-place link, under the perspective model (``SCENE``).
#: On bench/same_place (seed 1) 18 kept 4 false links in 289,170 pairs of different places
#: (16: 6, 12: 19) at 48% recall of generated views and 34% of real multi-view photos; two
#: photos of one mass-produced sofa share keypoints too, so the bar stays above matching's 12.
SAME_PLACE_INLIERS = 18
#: Candidates verified per item. Counting pairs of real photos with 12 verified keypoints,
#: 12 candidates found 31%, 24 found 46%, and verifying every pair 48%.
SAME_PLACE_CANDIDATES = 24
#: How candidate pairs verify: a camera moved, not a picture edited.
SAME_PLACE_VERIFICATION = SCENE


@dataclass(frozen=True, slots=True)
class Pair:
    a: int
    b: int
    score: float


class PdqPicture(Protocol):
    """What picture matching reads: a case item, or just its PDQ (``PictureHash``)."""

    @property
    def pdq(self) -> str | None: ...
    @property
    def pdq_quality(self) -> int: ...


def near_duplicate_pairs(items: Sequence[ScannedItem]) -> list[Pair]:
    """Every pair of pictures within ``NEAR_DUPLICATE_BITS`` and of videos by the vPDQ rule."""
    pairs: list[Pair] = []
    pictures = [i for i, item in enumerate(items)
                if item.pdq is not None and item.pdq_quality >= PDQ_MIN_QUALITY]
    if pictures:
        hashes = pdq_hex_to_bytes([items[i].pdq or "" for i in pictures])
        index = PdqIndex.build(np.arange(len(pictures), dtype=np.int64), hashes)
        found = index.search(hashes, NEAR_DUPLICATE_BITS)
        for query, label, distance in zip(found.query, found.label, found.distance, strict=True):
            if query < label:
                pairs.append(Pair(pictures[int(query)], pictures[int(label)], float(distance)))
    videos = [(i, usable_hashes(frames_of(item.vpdq))) for i, item in enumerate(items)
              if item.vpdq is not None]
    videos = [(i, frames) for i, frames in videos if frames]
    if len(videos) > 1:
        index_v = VideoIndex()
        index_v.add_many(videos)
        for i, frames in videos:
            for match in index_v.candidates(frames, distance=VPDQ_FRAME_DISTANCE):
                if i < match.video_id:
                    distance = distance_of(match.query_match_percent, match.compared_match_percent)
                    if distance <= NEAR_DUPLICATE_VIDEO:
                        pairs.append(Pair(i, match.video_id, float(distance)))
    return pairs


def matching_pictures(
    queries: Sequence[PdqPicture], references: Sequence[PdqPicture]
) -> list[tuple[int, int, int]]:
    """(query, reference, bits) for every picture pair within ``NEAR_DUPLICATE_BITS``."""
    usable = [i for i, item in enumerate(references)
              if item.pdq is not None and item.pdq_quality >= PDQ_MIN_QUALITY]
    asked = [i for i, item in enumerate(queries)
             if item.pdq is not None and item.pdq_quality >= PDQ_MIN_QUALITY]
    if not usable or not asked:
        return []
    index = PdqIndex.build(
        np.arange(len(usable), dtype=np.int64),
        pdq_hex_to_bytes([references[i].pdq or "" for i in usable]),
    )
    found = index.search(pdq_hex_to_bytes([queries[i].pdq or "" for i in asked]),
                         NEAR_DUPLICATE_BITS)
    return sorted(
        (asked[int(q)], usable[int(label)], int(d))
        for q, label, d in zip(found.query, found.label, found.distance, strict=True)
    )


def stacks(count: int, pairs: Sequence[Pair]) -> list[int]:
    """Stack of each item: the smallest position in its group of near-duplicates."""
    parent = list(range(count))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for pair in pairs:
        a, b = root(pair.a), root(pair.b)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return [root(node) for node in range(count)]


def same_place_pairs(items: Sequence[ScannedItem], stack_of: Sequence[int]) -> list[Pair]:
    """Pairs of items from different stacks whose local features verify (``score``: pairs)."""
    return [
        Pair(a, b, float(matched))
        for a, b, matched in place_candidates(items)
        if stack_of[a] != stack_of[b] and matched >= SAME_PLACE_INLIERS
    ]


def place_candidates(items: Sequence[ScannedItem]) -> list[tuple[int, int, int]]:
    """(a, b, inliers), a < b, for every retrieved pair that verified at all, at any count.

    ``same_place_pairs`` keeps those over ``SAME_PLACE_INLIERS``; the benchmark
    (bench/same_place) sweeps the threshold over all of them.
    """
    index = FeatureIndex()
    features = {}
    for i, item in enumerate(items):
        if item.features is not None:
            features[i] = deserialise(item.features)
            index.add(i, features[i])
    best: dict[tuple[int, int], int] = {}
    for i, mine in features.items():
        verified = index.verified(
            mine, candidates=SAME_PLACE_CANDIDATES, verification=SAME_PLACE_VERIFICATION
        )
        for j, matched in verified:
            if j == i:
                continue
            key = (min(i, j), max(i, j))
            best[key] = max(best.get(key, 0), matched)
    return [(a, b, matched) for (a, b), matched in sorted(best.items())]
