"""Thresholds at target false-positive rates, recall per case and group, Wilson bounds.

A pair matches when ``distance <= threshold``; ``inf`` never matches. One global threshold per
method and target FPR, chosen on the negatives alone, is applied to every transform.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

TARGET_FPRS = (1e-4, 1e-5, 1e-6)
LIST_SIZES = (1_000, 100_000, 10_000_000)
Z95 = 1.959963984540054

#: (family, severity) rungs of the issue's "hard" groups; all rungs of the "easy" families.
HARD_GROUPS: dict[str, tuple[tuple[str, float], ...]] = {
    "crop ≤10%": (("crop", 0.02), ("crop", 0.05), ("crop", 0.10)),
    "border ≤10%": (("border", 0.05), ("border", 0.10)),
    "rotation ≤5°": (("rotate", 1.0), ("rotate", 3.0), ("rotate", 5.0)),
    "overlays ≤15%": (
        ("text", 0.05),
        ("text", 0.10),
        ("text", 0.15),
        ("logo", 0.05),
        ("logo", 0.10),
        ("logo", 0.15),
        ("caption", 0.10),
        ("caption", 0.15),
    ),
}
EASY_FAMILIES = (
    "jpeg",
    "webp",
    "resize",
    "aspect",
    "saturation",
    "brightness",
    "blur",
    "noise",
)
#: Reported beside "easy": only flip-aware matchers are expected to handle them.
ORIENTATION_FAMILIES = ("flip", "rot90")
OTHER_FAMILIES = ("social", "screenshot")


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (``(0, 1)`` when there are no trials)."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    denominator = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def count_at_or_below(sorted_values: NDArray[np.float32], threshold: float) -> int:
    """How many of the ascending ``sorted_values`` match at ``threshold`` (``inf`` never does)."""
    if math.isnan(threshold):
        return 0
    matched = int(np.searchsorted(sorted_values, threshold, side="right"))
    finite_end = int(np.searchsorted(sorted_values, np.inf, side="left"))
    return min(matched, finite_end)


def threshold_at_fpr(
    negatives_sorted: NDArray[np.float32], candidates: NDArray[np.float32], target: float
) -> float | None:
    """Largest candidate threshold with FPR <= ``target``; None with fewer than 1/target negatives.

    ``candidates`` are the ascending distinct finite distances seen (positives and negatives):
    any threshold between two of them matches the same pairs as the lower one. ``-inf`` means
    even the closest candidate already exceeds the allowed false positives.
    """
    total = negatives_sorted.size
    if total == 0 or total * target < 1.0 - 1e-9:
        return None
    allowed = math.floor(total * target + 1e-9)
    finite = count_at_or_below(negatives_sorted, np.inf)
    if allowed >= finite:
        return float(candidates[-1]) if candidates.size else math.inf
    bound = float(negatives_sorted[allowed])  # the first negative that must not match
    index = int(np.searchsorted(candidates, bound, side="left")) - 1
    return float(candidates[index]) if index >= 0 else -math.inf


def distinct_finite(*arrays: NDArray[np.float32]) -> NDArray[np.float32]:
    """Ascending distinct finite values across ``arrays``."""
    joined = np.concatenate([a.ravel() for a in arrays]) if arrays else np.zeros(0, np.float32)
    return np.unique(joined[np.isfinite(joined)]).astype(np.float32)


@dataclass(frozen=True)
class Rate:
    """``k`` of ``n`` with its 95% Wilson interval."""

    k: int
    n: int

    @property
    def value(self) -> float:
        return self.k / self.n if self.n else float("nan")

    @property
    def low(self) -> float:
        return wilson_interval(self.k, self.n)[0]

    @property
    def high(self) -> float:
        return wilson_interval(self.k, self.n)[1]

    def as_dict(self) -> dict[str, float | int]:
        return {
            "k": self.k,
            "n": self.n,
            "rate": self.value,
            "wilson_low": self.low,
            "wilson_high": self.high,
        }


def recall(positives: NDArray[np.float32], threshold: float | None) -> Rate:
    """Share of positive distances matching at ``threshold`` (none match at None)."""
    flat = positives.ravel()
    if threshold is None:
        return Rate(0, flat.size)
    return Rate(int(np.count_nonzero(flat <= threshold)), flat.size)


def false_positives(negatives_sorted: NDArray[np.float32], threshold: float) -> Rate:
    """Negatives matching at ``threshold``: the measured pairwise FPR."""
    return Rate(count_at_or_below(negatives_sorted, threshold), negatives_sorted.size)


def expected_false_positives(
    fpr: float, list_sizes: Iterable[int] = LIST_SIZES
) -> dict[int, float]:
    """Expected false matches per upload against a list of L entries: FPR x L."""
    return {size: fpr * size for size in list_sizes}


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def group_indices(
    cases: Sequence[tuple[str, float]], members: Iterable[tuple[str, float]]
) -> list[int]:
    """Indices of ``cases`` listed in ``members``."""
    wanted = list(members)
    return [
        index
        for index, (family, severity) in enumerate(cases)
        if any(family == f and _same(severity, s) for f, s in wanted)
    ]


def family_indices(cases: Sequence[tuple[str, float]], families: Iterable[str]) -> list[int]:
    """Indices of ``cases`` in any of ``families``."""
    chosen = set(families)
    return [index for index, (family, _) in enumerate(cases) if family in chosen]


def summary_groups(cases: Sequence[tuple[str, float]]) -> dict[str, list[int]]:
    """The summary table's columns: hard groups, their union, easy, orientation, others."""
    groups = {name: group_indices(cases, members) for name, members in HARD_GROUPS.items()}
    groups["hard (all)"] = sorted({i for members in list(groups.values()) for i in members})
    groups["easy"] = family_indices(cases, EASY_FAMILIES)
    for family in (*ORIENTATION_FAMILIES, *OTHER_FAMILIES):
        groups[family] = family_indices(cases, [family])
    return groups


def roc_points(
    negatives_sorted: NDArray[np.float32], positives: NDArray[np.float32], points: int = 60
) -> list[tuple[float, float, float]]:
    """(FPR, mean per-case recall, threshold) over thresholds spanning the negatives' low tail.

    ``positives`` is ``[n_cases, n_images]``; recall is averaged per case so every transform
    weighs the same.
    """
    total = negatives_sorted.size
    if total == 0:
        return []
    finite = count_at_or_below(negatives_sorted, np.inf)
    ranks = np.unique(np.geomspace(1, max(finite, 1), points).astype(np.int64)) - 1
    out: list[tuple[float, float, float]] = []
    for rank in ranks:
        threshold = float(negatives_sorted[int(rank)]) if finite else 0.0
        fpr = count_at_or_below(negatives_sorted, threshold) / total
        mean_recall = float(np.mean(positives <= threshold, axis=1).mean())
        out.append((fpr, mean_recall, threshold))
    return out
