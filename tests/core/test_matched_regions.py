"""Matched regions land on the same scene point in both pictures, in their own pixels."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageOps
from robust_samples import photo

from hashwarden.core.robust.features import MAX_KEYPOINTS, extract, inliers
from hashwarden.core.robust.matched_regions import matched_regions, upright


def test_points_of_two_framings_are_the_same_scene_points() -> None:
    astronaut = photo("astronaut")  # 512 x 512
    width, height = astronaut.size
    # Different sizes on purpose: keypoints live in each picture's own 512-pixel frame.
    left = astronaut.crop((0, 0, int(width * 0.7), height)).resize((716, 1024))
    right = astronaut.crop((int(width * 0.3), 0, width, height))
    a, b = extract(left, MAX_KEYPOINTS), extract(right, MAX_KEYPOINTS)
    regions = matched_regions(a, left.size, b, right.size)
    assert regions is not None and len(regions) == inliers(b, a) >= 20
    in_left = np.array(regions.a.points) * np.array([0.7 * width / 716, height / 1024])
    in_right = np.array(regions.b.points) + np.array([0.3 * width, 0])
    # Both sides, mapped back into the astronaut photograph, name the same points.
    assert np.median(np.abs(in_left - in_right)) < 3.0
    assert all(0 <= x <= 716 and 0 <= y <= 1024 for x, y in regions.a.points)
    box_x, box_y, box_w, box_h = regions.b.box
    assert box_x >= 0 and box_x + box_w <= right.width and box_y + box_h <= right.height
    assert 3 <= len(regions.b.hull) <= len(regions.b.points)


def test_unrelated_pictures_have_no_regions() -> None:
    cat, rocket = photo("chelsea"), photo("rocket")
    assert matched_regions(extract(cat), cat.size, extract(rocket), rocket.size) is None


@pytest.mark.parametrize("orientation", range(1, 9))
def test_points_turn_as_the_viewer_turns_the_picture(orientation: int) -> None:
    width, height = 40, 30
    image = Image.new("L", (width, height))
    image.putpixel((5, 3), 255)
    exif = image.getexif()
    exif[0x0112] = orientation
    image.info["exif"] = exif.tobytes()
    shown = np.asarray(ImageOps.exif_transpose(image))
    row, column = np.argwhere(shown == 255)[0]
    (x, y), = upright(np.array([[5.5, 3.5]]), width, height, orientation)
    assert (x, y) == (column + 0.5, row + 0.5)
