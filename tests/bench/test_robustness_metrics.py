"""Robustness benchmark: threshold/FPR/Wilson logic, Hamming packing, and every transform."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from robustness import metrics
from robustness.methods import euclidean, hamming_min, pack_bits
from robustness.transforms import Case, all_cases


def _sorted(values: list[float]) -> np.ndarray:
    return np.sort(np.asarray(values, dtype=np.float32))


def test_wilson_interval_matches_known_values() -> None:
    low, high = metrics.wilson_interval(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4)
    assert high == pytest.approx(0.7634, abs=1e-4)
    assert metrics.wilson_interval(0, 10)[0] == 0.0
    assert metrics.wilson_interval(10, 10)[0] == pytest.approx(0.7225, abs=1e-4)
    assert metrics.wilson_interval(0, 0) == (0.0, 1.0)


def test_threshold_is_largest_with_fpr_at_most_target() -> None:
    negatives = _sorted([float(v) for v in range(1, 1001)])
    candidates = metrics.distinct_finite(negatives)
    threshold = metrics.threshold_at_fpr(negatives, candidates, 1e-3)
    assert threshold == 1.0
    assert metrics.false_positives(negatives, threshold).value <= 1e-3
    assert metrics.false_positives(negatives, 2.0).value > 1e-3


def test_threshold_can_sit_on_a_positive_between_negatives() -> None:
    negatives = _sorted([10.0] * 500 + [20.0] * 500)
    positives = np.asarray([5.0, 7.0, 12.0], dtype=np.float32)
    candidates = metrics.distinct_finite(positives, negatives)
    # Only one false positive is allowed and 500 negatives tie at 10: the cut is below 10.
    assert metrics.threshold_at_fpr(negatives, candidates, 1e-3) == 7.0
    assert metrics.recall(positives, 7.0).k == 2


def test_threshold_needs_enough_negatives() -> None:
    negatives = _sorted([50.0] * 999)
    candidates = metrics.distinct_finite(negatives)
    assert metrics.threshold_at_fpr(negatives, candidates, 1e-3) is None
    assert metrics.recall(np.zeros(4, np.float32), None).k == 0


def test_threshold_when_even_the_closest_negative_is_too_many() -> None:
    negatives = _sorted([0.0] * 10 + [90.0] * 990)
    threshold = metrics.threshold_at_fpr(negatives, metrics.distinct_finite(negatives), 1e-3)
    assert threshold == -math.inf
    assert metrics.recall(np.zeros(3, np.float32), threshold).k == 0


def test_infinite_distances_never_match() -> None:
    negatives = _sorted([math.inf] * 990 + [40.0] * 10)
    candidates = metrics.distinct_finite(negatives, np.asarray([3.0], np.float32))
    # Ten finite negatives may all match at 1e-2: the threshold is the largest finite value.
    assert metrics.threshold_at_fpr(negatives, candidates, 1e-2) == 40.0
    assert metrics.false_positives(negatives, math.inf).k == 10
    positives = np.asarray([math.inf, 1.0], dtype=np.float32)
    assert metrics.recall(positives, 1e9).k == 1


def test_expected_false_positives_scale_with_list_size() -> None:
    expected = metrics.expected_false_positives(2e-6)
    assert expected[1_000] == pytest.approx(2e-3)
    assert expected[100_000] == pytest.approx(0.2)
    assert expected[10_000_000] == pytest.approx(20.0)


def test_summary_groups_cover_the_issue_groups() -> None:
    cases = [(case.family, case.severity) for case in all_cases()]
    groups = metrics.summary_groups(cases)
    sizes = {name: len(groups[name]) for name in metrics.HARD_GROUPS}
    assert sizes == {"crop ≤10%": 3, "border ≤10%": 2, "rotation ≤5°": 3, "overlays ≤15%": 8}
    assert len(groups["hard (all)"]) == 16
    assert {cases[i][0] for i in groups["easy"]} == set(metrics.EASY_FAMILIES)


def test_roc_points_are_monotone() -> None:
    rng = np.random.default_rng(0)
    negatives = np.sort(rng.integers(60, 200, 5000).astype(np.float32))
    positives = rng.integers(0, 120, (4, 30)).astype(np.float32)
    points = metrics.roc_points(negatives, positives)
    fprs = [p[0] for p in points]
    recalls = [p[1] for p in points]
    assert fprs == sorted(fprs) and recalls == sorted(recalls)


def test_hamming_min_matches_python_popcount() -> None:
    rng = np.random.default_rng(1)
    query_bits = rng.random((5, 8, 256)) < 0.5
    ref_bits = rng.random((7, 256)) < 0.5
    distances = hamming_min(pack_bits(query_bits), pack_bits(ref_bits))
    for q in range(5):
        for r in range(7):
            expected = min(int(np.sum(query_bits[q, v] != ref_bits[r])) for v in range(8))
            assert distances[q, r] == expected


def test_pack_bits_pads_odd_lengths() -> None:
    bits = np.ones((3, 42), dtype=bool)
    packed = pack_bits(bits)
    assert packed.shape == (3, 1)
    assert hamming_min(packed[:, None, :], np.zeros((1, 1), np.uint64))[0, 0] == 42


def test_euclidean_matches_brute_force() -> None:
    rng = np.random.default_rng(2)
    q, r = rng.random((4, 42)).astype(np.float32), rng.random((3, 42)).astype(np.float32)
    brute = np.linalg.norm(q[:, None, :] - r[None, :, :], axis=2)
    np.testing.assert_allclose(euclidean(q, r), brute, rtol=1e-5, atol=1e-5)


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    """A small textured colour image (gradients plus noise): enough structure for every edit."""
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:120, 0:160]
    base = np.stack([x * 1.5, y * 2.0, (x + y) * 0.9], axis=2)
    pixels = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
    return Image.fromarray(pixels, "RGB")


@pytest.mark.parametrize("case", all_cases(), ids=lambda case: case.label)
def test_transform_is_rgb_sized_and_deterministic(case: Case, photo: Image.Image) -> None:
    first = case.apply(photo, np.random.default_rng([7, 1]))
    again = case.apply(photo, np.random.default_rng([7, 1]))
    assert first.mode == "RGB"
    assert first.tobytes() == again.tobytes()
    width, height = first.size
    assert 0.2 * 160 <= width <= 1.5 * 160 and 0.2 * 120 <= height <= 1.5 * 120
    assert photo.size == (160, 120)  # the input is never modified in place


def test_transform_sizes_follow_their_definitions(photo: Image.Image) -> None:
    by_label = {case.label: case for case in all_cases()}
    rng = np.random.default_rng(0)
    assert by_label["crop 10%"].apply(photo, rng).size == (144, 108)
    assert by_label["border 10%"].apply(photo, rng).size == (176, 132)
    assert by_label["rotate 5°"].apply(photo, rng).size == (160, 120)
    assert by_label["rot90 90°"].apply(photo, rng).size == (120, 160)
    assert by_label["resize x0.5"].apply(photo, rng).size == (80, 60)
    assert by_label["aspect x0.8"].apply(photo, rng).size == (128, 120)
    assert by_label["caption 20%"].apply(photo, rng).size == (160, 144)
    framed = by_label["screenshot 60%"].apply(photo, rng)
    assert 160 * 120 / (framed.size[0] * framed.size[1]) == pytest.approx(0.6, abs=0.03)
