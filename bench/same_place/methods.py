"""The methods compared: hashwarden's case path, SIFT brute force, and PDQ distance alone.

hashwarden: each view's file bytes are hashed exactly as ``case scan`` does (``hash_media``
with the scan's options, then ``cases.services.scanned_item``), and pairs come from
``cases.grouping.place_candidates``, the retrieval and verification behind ``case links``
(``same_place_pairs`` keeps its pairs with at least ``SAME_PLACE_INLIERS``).
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from hashwarden.cases.grouping import near_duplicate_pairs, place_candidates, stacks
from hashwarden.cases.models import ScannedItem
from hashwarden.cases.services import scanned_item
from hashwarden.core.media.hashing import hash_media
from hashwarden.core.robust.features import grey_for_features
from hashwarden.core.robust.levels import RobustLevel
from hashwarden.core.signals.pdq import PDQ_MIN_QUALITY
from hashwarden.scanning.tasks import HashOptions
from same_place.metrics import PairKey
from same_place.views import View

#: The options ``hashwarden case scan`` hashes with (cli/case_cmd.py).
CASE_SCAN_OPTIONS = HashOptions(robust=RobustLevel.THOROUGH, exif=True)

SIFT_FEATURES = 500
SIFT_RATIO = 0.75
SIFT_RANSAC_PIXELS = 5.0


@dataclass
class Timing:
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, started: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started


def scan(views: Sequence[View], timing: Timing) -> list[ScannedItem]:
    """Case items of the views, hashed as ``case scan`` hashes a file."""
    items = []
    started = time.perf_counter()
    for number, view in enumerate(views):
        options = CASE_SCAN_OPTIONS
        hashes = hash_media(
            view.data, name=f"view-{number:05d}", limits=options.limits, require_image=False,
            dihedral=options.dihedral, fast=options.fast, robust=options.robust,
            exif=options.exif,
        )
        items.append(scanned_item(hashes, None))
    timing.add("case scan hashing", started)
    return items


def hashwarden_scores(items: Sequence[ScannedItem], timing: Timing) -> dict[PairKey, float]:
    started = time.perf_counter()
    found = {(a, b): float(n) for a, b, n in place_candidates(items)}
    timing.add("hashwarden retrieval + verification", started)
    return found


def stacked_pairs(items: Sequence[ScannedItem]) -> set[PairKey]:
    """Pairs ``case scan`` stacks as near-duplicates (a link would be redundant there)."""
    stack_of = stacks(len(items), near_duplicate_pairs(items))
    groups: dict[int, list[int]] = {}
    for position, stack in enumerate(stack_of):
        groups.setdefault(stack, []).append(position)
    return {(a, b) for members in groups.values() if len(members) > 1
            for k, a in enumerate(members) for b in members[k + 1:]}


def pdq_hashes(items: Sequence[ScannedItem]) -> list[str | None]:
    """Each item's PDQ, or None where its quality is below the gate the case code applies."""
    return [item.pdq if item.pdq is not None and item.pdq_quality >= PDQ_MIN_QUALITY else None
            for item in items]


class Sift:
    """OpenCV SIFT, Lowe's ratio test and a RANSAC homography, pair by pair (brute force).

    Pictures are scaled like hashwarden's (``FEATURE_SIDE`` long side, grey) so both see the
    same pixels; the score is the homography's inlier count.
    """

    def __init__(self) -> None:
        self._sift = cv2.SIFT_create(nfeatures=SIFT_FEATURES)  # type: ignore[attr-defined]
        self._matcher = cv2.BFMatcher(cv2.NORM_L2)
        self.features: list[tuple[NDArray[np.float32], NDArray[np.float32] | None]] = []

    def extract(self, views: Sequence[View], timing: Timing) -> None:
        started = time.perf_counter()
        for view in views:
            with Image.open(io.BytesIO(view.data)) as opened:
                grey = grey_for_features(opened.convert("RGB"))
            keypoints, descriptors = self._sift.detectAndCompute(grey, None)
            points = np.array([kp.pt for kp in keypoints], np.float32).reshape(-1, 2)
            self.features.append((points, descriptors))
        timing.add("sift extraction", started)

    def pair(self, a: int, b: int) -> int:
        points_a, desc_a = self.features[a]
        points_b, desc_b = self.features[b]
        if desc_a is None or desc_b is None or len(desc_a) < 2 or len(desc_b) < 2:
            return 0
        good = [m[0] for m in self._matcher.knnMatch(desc_a, desc_b, k=2)
                if len(m) == 2 and m[0].distance < SIFT_RATIO * m[1].distance]
        if len(good) < 4:
            return 0
        source = points_a[[m.queryIdx for m in good]]
        target = points_b[[m.trainIdx for m in good]]
        _, mask = cv2.findHomography(source, target, cv2.RANSAC, SIFT_RANSAC_PIXELS)
        return 0 if mask is None else int(mask.sum())

    def scores(self, pairs: Sequence[PairKey], timing: Timing) -> dict[PairKey, float]:
        started = time.perf_counter()
        found = {key: float(self.pair(*key)) for key in pairs}
        timing.add("sift pair matching", started)
        return found

