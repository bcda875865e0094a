"""Same-place benchmark: the view generator, ground truth and metrics, the case path hook."""

from __future__ import annotations

import io
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from hashwarden.cases.grouping import SAME_PLACE_INLIERS, same_place_pairs
from same_place import methods, metrics, views


def _scenes() -> list[Image.Image]:
    astronaut = Image.fromarray(data.astronaut()).resize((320, 320))  # type: ignore[no-untyped-call]
    coffee = Image.fromarray(data.coffee()).resize((360, 240))  # type: ignore[no-untyped-call]
    stripes = (np.indices((200, 300)).sum(axis=0) % 37 * 6).astype(np.uint8)
    return [astronaut, coffee, Image.fromarray(np.stack([stripes] * 3, axis=2))]


@pytest.fixture(scope="module")
def scene_views() -> list[views.View]:
    scenes = _scenes()
    found: list[views.View] = []
    for number, scene in enumerate(scenes[:2]):
        found += views.scene_views(scene, number, 1, seed=5)
    return found


def test_views_have_every_kind_overlap_the_plain_one_and_are_jpeg_files(
    scene_views: list[views.View],
) -> None:
    first = [v for v in scene_views if v.scene == 0]
    assert [v.kind for v in first] == list(views.KINDS)
    for view in first[1:]:
        shared = views.overlap(view.window, first[0].window)
        assert views.MIN_OVERLAP - 0.05 <= shared <= views.MAX_OVERLAP + 0.05, view.kind
    for view in scene_views:
        with Image.open(io.BytesIO(view.data)) as opened:
            assert opened.format == "JPEG"
            assert max(opened.size) >= views.LONG_SIDE[0] - 1
    occluded = [v.occluded for v in scene_views if v.kind in ("occlusion", "combined")]
    assert all(views.OCCLUDED[0] <= share <= 0.9 for share in occluded)


def test_views_are_reproducible_from_the_seed() -> None:
    scene = _scenes()[1]
    again = [views.scene_views(scene, 0, 1, seed=9) for _ in range(2)]
    assert [v.data for v in again[0]] == [v.data for v in again[1]]
    other = views.scene_views(scene, 0, 1, seed=10)
    assert [v.data for v in again[0]] != [v.data for v in other]


def test_overlap_is_shared_area_over_the_smaller_window() -> None:
    big, small = views.Window(0, 0, 100, 100), views.Window(50, 50, 100, 20)
    assert views.overlap(big, small) == pytest.approx(50 * 20 / (100 * 20))
    assert views.overlap(big, views.Window(200, 0, 10, 10)) == 0.0


def _view(scene: int, left: float) -> views.View:
    return views.View(scene, "plain", views.Window(left, 0, 100, 100), b"")


def test_truth_precision_recall_and_sampled_negatives() -> None:
    # Scene 0: three windows; the third shares only 20% with the first (left out).
    found = [_view(0, 0), _view(0, 40), _view(0, 80), _view(1, 0), _view(1, 10)]
    truth = metrics.truth_of(found)
    assert truth.positives == ((0, 1), (1, 2), (3, 4))
    assert truth.excluded == {(0, 2)}
    assert truth.negatives == 10 - 3 - 1
    scores = metrics.Scores(truth, {(0, 1): 30, (1, 2): 12, (0, 3): 25, (0, 2): 50})
    point = scores.at(20)
    assert (point.recall.k, point.recall.n, point.false_positives) == (1, 3, 1)
    assert point.precision()[0] == pytest.approx(0.5)
    assert scores.at(10).recall.k == 2
    # One false positive among 2 sampled negatives of 6 stands for 3 in all of them.
    sampled = metrics.Scores(truth, {(0, 1): 30, (0, 3): 25, (0, 4): 0}, negatives_scored=2)
    assert sampled.at(20).expected_false_positives == pytest.approx(3.0)
    assert sampled.at(20).precision()[0] == pytest.approx(1 / 4)
    assert math.isnan(scores.at(100).precision()[0])
    assert len(metrics.sample_negatives(truth, 4, seed=1)) == 4


def test_chains_and_pdq_scores() -> None:
    assert set(metrics.chained(4, [(0, 1), (1, 2)])) == {(0, 1), (0, 2), (1, 2)}
    same, flipped = "0" * 64, "f" + "0" * 63
    assert metrics.pdq_scores([same, flipped, None]) == {(0, 1): -4.0}


def test_case_path_hook_agrees_with_same_place_pairs(scene_views: list[views.View]) -> None:
    timing = methods.Timing()
    items = methods.scan(scene_views, timing)
    assert all(item.features for item in items)
    scored = methods.hashwarden_scores(items, timing)
    stack_of = list(range(len(items)))
    linked = {(p.a, p.b): p.score for p in same_place_pairs(items, stack_of)}
    assert linked == {key: n for key, n in scored.items() if n >= SAME_PLACE_INLIERS}
    truth = metrics.truth_of(scene_views)
    assert not [key for key in linked if truth.is_negative(key)]
