"""Which view pairs are the same place, and precision / recall of a method's pair scores.

Scores are "higher is more alike" (inliers; minus PDQ distance) and sparse: a pair a method
never scored (not retrieved, not verified) matches at no threshold. Negatives may be a seeded
sample of all negative pairs (brute-force peers); false positives are then scaled up to the
full negative count and precision is estimated from that.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from robustness.metrics import Rate, wilson_interval
from same_place.views import KINDS, MIN_OVERLAP, View, overlap

PairKey = tuple[int, int]


@dataclass(frozen=True)
class Truth:
    """Positive pairs (same scene, overlapping), the count of negatives, and pairs left out.

    Views of one scene whose framings share less than ``MIN_OVERLAP`` show little of the same
    place: they count neither way (``excluded``).
    """

    positives: tuple[PairKey, ...]
    negatives: int
    excluded: frozenset[PairKey]
    scene_of: tuple[int, ...]

    def is_negative(self, key: PairKey) -> bool:
        return self.scene_of[key[0]] != self.scene_of[key[1]]


def truth_of(views: Sequence[View], windows: bool = True) -> Truth:
    """Ground truth; ``windows=False`` (real photo sets) makes every same-scene pair positive."""
    scene_of = tuple(view.scene for view in views)
    positives: list[PairKey] = []
    excluded: set[PairKey] = set()
    for i in range(len(views)):
        for j in range(i + 1, len(views)):
            if scene_of[i] != scene_of[j]:
                continue
            if not windows or overlap(views[i].window, views[j].window) >= MIN_OVERLAP:
                positives.append((i, j))
            else:
                excluded.add((i, j))
    total = len(views) * (len(views) - 1) // 2
    negatives = total - len(positives) - len(excluded)
    return Truth(tuple(positives), negatives, frozenset(excluded), scene_of)


@dataclass(frozen=True)
class Operating:
    """A method at one threshold."""

    threshold: float
    recall: Rate
    false_positives: int
    negatives_scored: int
    negatives_total: int

    @property
    def expected_false_positives(self) -> float:
        return self.false_positives * self.negatives_total / max(self.negatives_scored, 1)

    def precision(self) -> tuple[float, float, float]:
        """(estimate, low, high); bounds from Wilson on recall's k and the false-positive rate."""
        found = self.recall.k
        if self.negatives_scored == self.negatives_total:
            rate = Rate(found, found + self.false_positives)
            return (rate.value if rate.n else math.nan), rate.low, rate.high
        low_fpr, high_fpr = wilson_interval(self.false_positives, self.negatives_scored)
        scale = self.negatives_total
        estimate = found / (found + self.expected_false_positives) if found else math.nan
        low = found / (found + high_fpr * scale) if found else 0.0
        high = found / (found + low_fpr * scale) if found else 1.0
        return estimate, low, high


class Scores:
    """One method's scores for positives and for the (possibly sampled) negatives."""

    def __init__(
        self,
        truth: Truth,
        scored: Mapping[PairKey, float],
        negatives_scored: int | None = None,
    ) -> None:
        self.truth = truth
        self.positive = np.array(
            [scored.get(key, -math.inf) for key in truth.positives], np.float64
        )
        negative = [score for key, score in scored.items() if truth.is_negative(key)]
        self.negative = np.sort(np.asarray(negative, np.float64))
        #: None: every negative pair was offered (unscored ones simply never match).
        self.negatives_scored = truth.negatives if negatives_scored is None else negatives_scored

    def at(self, threshold: float) -> Operating:
        found = int((self.positive >= threshold).sum())
        false = int(self.negative.size - np.searchsorted(self.negative, threshold, side="left"))
        return Operating(threshold, Rate(found, len(self.positive)), false,
                         self.negatives_scored, self.truth.negatives)

    def recall_of(self, threshold: float, wanted: Sequence[int]) -> Rate:
        """Recall over the positives at positions ``wanted``."""
        chosen = self.positive[np.asarray(wanted, np.int64)] if wanted else np.zeros(0)
        return Rate(int((chosen >= threshold).sum()), len(chosen))

    def curve(self, thresholds: Sequence[float]) -> list[Operating]:
        return [self.at(value) for value in thresholds]


def positives_by(views: Sequence[View], truth: Truth) -> dict[str, list[int]]:
    """Positions in ``truth.positives`` per group: ``plain vs KIND``, ``edited vs edited``,
    and bands of overlap (the share of the smaller framing both views show)."""
    kinds: dict[str, list[int]] = {f"plain vs {kind}": [] for kind in KINDS}
    kinds["edited vs edited"] = []
    bands: dict[str, list[int]] = {}
    for position, (i, j) in enumerate(truth.positives):
        pair = {views[i].kind, views[j].kind}
        if "plain" in pair:
            kinds[f"plain vs {next(iter((pair - {'plain'}) or {'plain'}))}"].append(position)
        else:
            kinds["edited vs edited"].append(position)
        bands.setdefault(_band(overlap(views[i].window, views[j].window)), []).append(position)
    groups = {name: wanted for name, wanted in kinds.items() if wanted}
    return groups | dict(sorted(bands.items()))


def _band(shared: float) -> str:
    low = min(int(shared * 10), 9) / 10
    return "overlap ≥ 90%" if low >= 0.9 else f"overlap {low:.0%}-{low + 0.1:.0%}"


def chained(count: int, links: Iterable[PairKey]) -> dict[PairKey, float]:
    """Every pair joined by a chain of ``links`` (an investigator follows links across views)."""
    parent = list(range(count))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in links:
        parent[root(a)] = root(b)
    members: dict[int, list[int]] = {}
    for node in range(count):
        members.setdefault(root(node), []).append(node)
    return {(a, b): 1.0 for group in members.values()
            for k, a in enumerate(group) for b in group[k + 1:]}


def sample_negatives(truth: Truth, count: int, seed: int) -> list[PairKey]:
    """``count`` distinct negative pairs drawn by seed (all of them when there are fewer)."""
    rng = np.random.default_rng([seed, 29])
    n = len(truth.scene_of)
    if count >= truth.negatives:
        return [(i, j) for i in range(n) for j in range(i + 1, n) if truth.is_negative((i, j))]
    chosen: set[PairKey] = set()
    while len(chosen) < count:
        a, b = (int(v) for v in rng.integers(0, n, 2))
        key = (min(a, b), max(a, b))
        if a != b and truth.is_negative(key):
            chosen.add(key)
    return sorted(chosen)


def pdq_scores(hashes: Sequence[str | None]) -> dict[PairKey, float]:
    """Minus the PDQ distance of every pair of hashed views (higher: more alike)."""
    present = [i for i, value in enumerate(hashes) if value]
    bits: NDArray[np.uint8] = np.array(
        [np.unpackbits(np.frombuffer(bytes.fromhex(hashes[i] or ""), np.uint8)) for i in present]
    )
    scores: dict[PairKey, float] = {}
    for row, i in enumerate(present):
        distances = (bits[row + 1:] != bits[row]).sum(axis=1)
        for offset, distance in enumerate(distances.tolist()):
            scores[(i, present[row + 1 + offset])] = -float(distance)
    return scores
