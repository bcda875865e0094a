"""Where two pictures match: the verified keypoint pairs in each picture's own pixels.

Stored keypoints are in the ``FEATURE_SIDE`` frame of the picture's stored pixels (before any
EXIF rotation), so they are scaled back to the picture's size and, for display, turned as a
viewer turns the picture. An investigator then sees which part of each picture (the tiles, the
socket, the view from the window) carried the link, not only a number.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from hashwarden.core.robust.features import Features, feature_frame, verified_pairs

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Region:
    """One picture's side of a match, in its pixels (x right, y down)."""

    #: The verified keypoints, row for row with the other picture's.
    points: tuple[Point, ...]
    #: Their convex hull, a polygon.
    hull: tuple[Point, ...]
    #: Their bounding box: left, top, width, height.
    box: tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class MatchedRegions:
    a: Region
    b: Region

    def __len__(self) -> int:
        return len(self.a.points)


def to_pixels(points: NDArray[np.float32], width: int, height: int) -> NDArray[np.float64]:
    """Keypoints of the ``FEATURE_SIDE`` frame in the ``width`` x ``height`` picture's pixels."""
    frame_w, frame_h = feature_frame(width, height)
    scaled: NDArray[np.float64] = points.astype(np.float64) * np.array(
        [width / frame_w, height / frame_h]
    )
    return scaled


def upright(points: NDArray[np.float64], width: int, height: int,
            orientation: int) -> NDArray[np.float64]:  # fmt: skip
    """Points of the stored pixels where they land once EXIF ``orientation`` (1-8) is applied
    (as ``PIL.ImageOps.exif_transpose`` turns the picture)."""
    x, y = points[:, 0], points[:, 1]
    turned = {
        2: (width - x, y), 3: (width - x, height - y), 4: (x, height - y), 5: (y, x),
        6: (height - y, x), 7: (height - y, width - x), 8: (y, width - x),
    }.get(orientation)  # fmt: skip
    return points if turned is None else np.stack(turned, axis=1)


def region(points: NDArray[np.float64]) -> Region:
    if len(points) == 0:
        return Region((), (), (0.0, 0.0, 0.0, 0.0))
    hull = cv2.convexHull(points.astype(np.float32)).reshape(-1, 2)
    low, high = points.min(axis=0), points.max(axis=0)
    return Region(
        tuple((float(px), float(py)) for px, py in points),
        tuple((float(px), float(py)) for px, py in hull),
        (float(low[0]), float(low[1]), float(high[0] - low[0]), float(high[1] - low[1])),
    )


def matched_regions(
    a: Features, a_size: tuple[int, int], b: Features, b_size: tuple[int, int],
    a_orientation: int = 1, b_orientation: int = 1,
) -> MatchedRegions | None:  # fmt: skip
    """The verified pairs between pictures ``a`` and ``b`` (sizes of their stored pixels), in
    each picture's upright pixels; None when the pictures do not verify."""
    points_a, points_b = verified_pairs(b, a)
    if len(points_a) == 0:
        return None
    in_a = upright(to_pixels(points_a, *a_size), *a_size, a_orientation)
    in_b = upright(to_pixels(points_b, *b_size), *b_size, b_orientation)
    return MatchedRegions(region(in_a), region(in_b))
