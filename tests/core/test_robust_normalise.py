"""Repairs before hashing: borders and caption bars trimmed, tilts measured and undone."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from robust_samples import PHOTOS, bordered, captioned, photo

from hashwarden.core.pdq.hasher import pdq_hash_array, pdq_hash_image
from hashwarden.core.pdq.hexbits import hamming_distance
from hashwarden.core.robust.normalise import tilt_degrees, trim_bands, untilt


def _distance(a: Image.Image, pixels: np.ndarray) -> int:
    return hamming_distance(pdq_hash_image(a).hex, pdq_hash_array(pixels).hex)


@pytest.mark.parametrize("name", PHOTOS)
def test_a_plain_photo_needs_no_repair(name: str) -> None:
    pixels = np.asarray(photo(name))
    assert trim_bands(pixels) == []
    assert tilt_degrees(pixels) is None and untilt(pixels) is None


@pytest.mark.parametrize("name", PHOTOS)
@pytest.mark.parametrize("share", [0.05, 0.1, 0.2])
def test_a_border_is_trimmed_back_to_the_picture(name: str, share: float) -> None:
    original = photo(name)
    edited = np.asarray(bordered(original, share, (30, 200, 40)))
    assert _distance(original, edited) > 31  # PDQ alone misses it
    trimmed = trim_bands(edited)
    assert trimmed
    assert min(_distance(original, view) for view in trimmed) <= 4


@pytest.mark.parametrize("name", ["astronaut", "coffee", "chelsea", "rocket"])
def test_a_caption_bar_with_text_is_trimmed(name: str) -> None:
    original = photo(name)
    edited = np.asarray(captioned(original, 0.15))
    assert min(_distance(original, view) for view in trim_bands(edited)) <= 12


def test_trimming_never_keeps_a_sliver() -> None:
    # A flat picture is all "border": there is nothing left worth hashing.
    flat = np.full((200, 300, 3), 128, np.uint8)
    assert trim_bands(flat) == []


@settings(max_examples=25, deadline=None)
@given(angle=st.floats(min_value=2.0, max_value=12.0), sign=st.sampled_from([-1, 1]),
       name=st.sampled_from(PHOTOS))
def test_the_tilt_of_a_rotated_picture_is_measured_with_its_direction(
    angle: float, sign: int, name: str
) -> None:
    rotated = np.asarray(photo(name).rotate(sign * angle))
    measured = tilt_degrees(rotated)
    assert measured is not None
    assert measured == pytest.approx(sign * angle, abs=0.5)


@pytest.mark.parametrize("name", PHOTOS)
@pytest.mark.parametrize("angle", [3, -5, 5])
def test_undoing_a_tilt_brings_pdq_back_within_threshold(name: str, angle: int) -> None:
    original = photo(name)
    rotated = np.asarray(original.rotate(angle))
    upright = untilt(rotated)
    assert upright is not None
    assert _distance(original, upright) <= 31 < _distance(original, rotated) + 10
