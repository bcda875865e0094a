"""ORB features: storage form, and geometric verification of edited copies against originals."""

from __future__ import annotations

import base64
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from robust_samples import PHOTOS, bannered, crop, photo

from hashwarden.core.errors import InvalidSignalError
from hashwarden.core.robust.feature_index import FeatureIndex
from hashwarden.core.robust.features import (
    MIN_INLIERS,
    QUERY_KEYPOINTS,
    Features,
    deserialise,
    extract,
    feature_score,
    inliers,
    serialise,
)
from hashwarden.core.signals.orb import ORB


@given(count=st.integers(0, 40), seed=st.integers(0, 2**32 - 1))
def test_serialisation_round_trips_to_a_64th_of_a_pixel(count: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 512, (count, 2)).astype(np.float32)
    descriptors = rng.integers(0, 256, (count, 32), dtype=np.uint8)
    back = deserialise(serialise(Features(points, descriptors)))
    assert np.array_equal(back.descriptors, descriptors)
    assert np.abs(back.points - points).max(initial=0) <= 1 / 128


@pytest.mark.parametrize(
    "value",
    ["not base64!", base64.b64encode(b"\x01").decode(), base64.b64encode(b"\x09\x00\x00").decode(),
     base64.b64encode(b"\x01\x02\x00" + b"\x00" * 10).decode()],
)
def test_damaged_values_are_refused_with_a_reason(value: str) -> None:
    with pytest.raises(InvalidSignalError, match="orb value"):
        ORB.parse(value)


def test_score_puts_the_minimum_of_verified_pairs_at_pdq_threshold() -> None:
    assert feature_score(MIN_INLIERS) == 31
    assert feature_score(MIN_INLIERS + 10) == 21
    assert feature_score(0) == 31 + MIN_INLIERS and feature_score(500) == 0


@pytest.fixture(scope="module")
def references() -> dict[str, Features]:
    return {name: extract(photo(name)) for name in PHOTOS}


EDITS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "crop 10%": lambda image: crop(image, 0.1),
    "crop 20%": lambda image: crop(image, 0.2),
    "rotate 10": lambda image: image.rotate(10),
    "banner 15%": lambda image: bannered(image, 0.15),
    "quarter": lambda image: image.resize((image.width // 4, image.height // 4)),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_edited_copies_verify_only_against_their_original(
    references: dict[str, Features], edit: str
) -> None:
    for name in PHOTOS:
        query = extract(EDITS[edit](photo(name)), QUERY_KEYPOINTS)
        scores = {other: inliers(query, ref) for other, ref in references.items()}
        assert scores[name] >= 2 * MIN_INLIERS, (name, scores)
        assert all(v < MIN_INLIERS // 2 for other, v in scores.items() if other != name), scores


def test_a_mirror_image_is_not_claimed_by_features(references: dict[str, Features]) -> None:
    # Mirrors are the dihedral PDQ hashes' job; an affine fit through a mirror is refused.
    mirrored = extract(photo("astronaut").transpose(0), QUERY_KEYPOINTS)
    assert inliers(mirrored, references["astronaut"]) < MIN_INLIERS


def test_index_finds_the_original_among_many_and_forgets_removed(
    references: dict[str, Features],
) -> None:
    index = FeatureIndex()
    rng = np.random.default_rng(7)
    for label in range(200):  # unrelated noise pictures' worth of random descriptors
        index.add(1000 + label, Features(
            rng.uniform(0, 512, (256, 2)).astype(np.float32),
            rng.integers(0, 256, (256, 32), dtype=np.uint8),
        ))
    for label, name in enumerate(PHOTOS):
        index.add(label, references[name])
    query = extract(crop(photo("coffee"), 0.1), QUERY_KEYPOINTS)
    found = {label for label, count in index.verified(query) if count >= MIN_INLIERS}
    assert found == {PHOTOS.index("coffee")}
    index.remove([PHOTOS.index("coffee")])
    assert all(count < MIN_INLIERS for _, count in index.verified(query))
    copy = FeatureIndex.from_rows(*index.rows())
    assert len(copy) == len(index)
    again = extract(crop(photo("rocket"), 0.1), QUERY_KEYPOINTS)
    found = {label for label, count in copy.verified(again) if count >= MIN_INLIERS}
    assert found == {PHOTOS.index("rocket")}


def _turned(image: Image.Image, shift: float) -> Image.Image:
    """The picture as a camera turned sideways would see it: one side shrinks in perspective."""
    import cv2

    pixels = np.asarray(image.convert("RGB"))
    height, width = pixels.shape[:2]
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    moved = np.float32([[0, 0], [width, height * shift], [width, height * (1 - shift)],
                        [0, height]])
    warp = cv2.getPerspectiveTransform(corners, moved)
    return Image.fromarray(cv2.warpPerspective(pixels, warp, (width, height)))


def test_a_turned_camera_verifies_under_the_scene_model_not_as_a_copy() -> None:
    from hashwarden.core.robust.features import COPY, SCENE

    original = extract(photo("coffee"), QUERY_KEYPOINTS)
    turned = extract(_turned(photo("coffee"), 0.3), QUERY_KEYPOINTS)
    # An affine fit explains only the middle band of a perspective change; the homography all.
    assert inliers(turned, original, SCENE) >= 1.5 * inliers(turned, original, COPY)
    assert inliers(turned, original, SCENE) >= 18
    for other in ("astronaut", "rocket", "chelsea"):
        assert inliers(turned, extract(photo(other), QUERY_KEYPOINTS), SCENE) < 12


def test_the_index_computes_keys_in_chunks_and_gets_the_same_tables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hashwarden.core.robust import feature_index

    features = [extract(photo(name), QUERY_KEYPOINTS) for name in PHOTOS]
    whole, chunked = FeatureIndex(), FeatureIndex()
    for label, item in enumerate(features):
        whole.add(label, item)
        chunked.add(label, item)
    whole.votes(features[0])
    monkeypatch.setattr(feature_index, "_KEY_CHUNK", 97)  # never a multiple of a picture's count
    assert chunked.votes(features[1]) == whole.votes(features[1])
    for table in range(feature_index.TABLES):
        assert np.array_equal(chunked._keys[table], whole._keys[table])
        assert np.array_equal(chunked._owners[table], whole._owners[table])
