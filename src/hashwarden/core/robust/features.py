"""Local features (OpenCV ORB) and their geometric verification.

PDQ compares whole pictures, so a crop, an overlay or a frame moves it far; ORB keypoints are
local, and a copy still shares dozens of them with the original *in the same arrangement*. A
match is therefore only claimed when an affine transform (RANSAC) explains enough keypoint
pairs, which unrelated pictures almost never do however similar their textures.

Pictures are scaled to ``FEATURE_SIDE`` on the long side first, so keypoint coordinates and the
RANSAC tolerance mean the same thing for every picture and coordinates fit in 16 bits.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from hashwarden.core.errors import InvalidSignalError

FEATURE_SIDE = 512
#: Keypoints kept per listed picture (8.2 KB each stored) and per query.
MAX_KEYPOINTS = 256
QUERY_KEYPOINTS = 500
DESCRIPTOR_BYTES = 32
#: Lowe's ratio test: a pair counts only if clearly better than the second-best partner.
RATIO = 0.8
#: ...and only if its descriptors differ in at most this many of 256 bits. Pairs that RANSAC
#: found consistent between unrelated pictures differed by a median of 52-92 bits and never
#: by 32 or fewer; those of edited copies by a median of 39 or less.
MATCH_BITS = 40
#: RANSAC tolerance in pixels of the ``FEATURE_SIDE`` frame.
RANSAC_PIXELS = 6.0
#: Transforms stranger than this (a picture squashed to a line, blown up tenfold) are chance.
MAX_SCALE_CHANGE = 6.0
MAX_ANISOTROPY = 2.5
#: Keypoints are shared out over GRID x GRID cells (``_spread``), and verified pairs must
#: cover at least ``MIN_CELLS`` of them: chance agreements in sky or a repeated texture crowd
#: a corner of the picture, a real copy spreads over it.
GRID = 4
MIN_CELLS = 3

#: Verified keypoint pairs that make a match at PDQ's default threshold (``feature_score``).
#: Unrelated pictures (129,000 pairs of the robustness corpus) shared at most 4; edited copies
#: a median of 60-240, and under 12 only where the picture has almost no texture.
MIN_INLIERS = 12
FEATURE_ANCHOR = 31

_HEADER = struct.Struct("<BH")
_FORMAT_VERSION = 1
_COORD_SCALE = 64.0  # 1/64 px steps: 512 * 64 fits in an unsigned 16-bit integer


@dataclass(frozen=True, slots=True)
class Features:
    """Keypoint positions (``n x 2`` float32, in the ``FEATURE_SIDE`` frame) and descriptors."""

    points: NDArray[np.float32]
    descriptors: NDArray[np.uint8]

    def __len__(self) -> int:
        return int(self.points.shape[0])


EMPTY = Features(np.zeros((0, 2), np.float32), np.zeros((0, DESCRIPTOR_BYTES), np.uint8))


def feature_score(inliers: int) -> int:
    """Verified pairs on PDQ's scale: ``MIN_INLIERS`` score 31 (a match), each more one less."""
    return max(0, FEATURE_ANCHOR + MIN_INLIERS - inliers)


def grey_for_features(image: Image.Image | NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The picture in grey, scaled so its long side is ``FEATURE_SIDE``."""
    picture = Image.fromarray(image) if isinstance(image, np.ndarray) else image
    grey = picture.convert("L")
    return np.asarray(grey.resize(feature_frame(*grey.size), Image.Resampling.BILINEAR))


def _spread(keypoints: list[Any], shape: tuple[int, ...], limit: int) -> list[Any]:
    """The strongest keypoints per cell of a ``GRID`` x ``GRID`` grid, then the strongest left.

    ORB keeps the globally strongest corners, and pasted text is nothing but strong corners: a
    15% caption took most of the 500 and left the picture itself unmatched. A fair share per
    cell keeps the picture's own keypoints whatever is pasted over part of it.
    """
    height, width = shape[:2]
    ranked = sorted(keypoints, key=lambda kp: -kp.response)
    share = max(1, limit // (GRID * GRID))
    taken: dict[tuple[int, int], int] = {}
    chosen, rest = [], []
    for kp in ranked:
        cell = (min(GRID - 1, int(kp.pt[0] * GRID / width)),
                min(GRID - 1, int(kp.pt[1] * GRID / height)))
        if taken.get(cell, 0) < share:
            taken[cell] = taken.get(cell, 0) + 1
            chosen.append(kp)
        else:
            rest.append(kp)
    return chosen + rest[: max(0, limit - len(chosen))]


def extract(image: Image.Image | NDArray[np.uint8], limit: int = MAX_KEYPOINTS) -> Features:
    """Up to ``limit`` ORB keypoints, the strongest of each part of the picture first."""
    grey = grey_for_features(image)
    if min(grey.shape) < 32:
        return EMPTY
    orb = cv2.ORB_create(  # type: ignore[attr-defined]
        nfeatures=limit * 4, fastThreshold=10, edgeThreshold=15, patchSize=31
    )
    found = orb.detect(grey, None)
    if not found:
        return EMPTY
    keypoints, descriptors = orb.compute(grey, _spread(list(found), grey.shape, limit))
    if descriptors is None or not keypoints:
        return EMPTY
    points = np.array([kp.pt for kp in keypoints], dtype=np.float32)
    return Features(points, np.ascontiguousarray(descriptors, dtype=np.uint8))


def serialise(features: Features) -> str:
    """Compact text for storage as a signal value: base64 of positions and descriptors."""
    coords = np.clip(np.round(features.points * _COORD_SCALE), 0, 65535).astype("<u2")
    body = _HEADER.pack(_FORMAT_VERSION, len(features)) + coords.tobytes()
    return base64.b64encode(body + features.descriptors.tobytes()).decode("ascii")


def deserialise(value: str) -> Features:
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise InvalidSignalError("orb value is not base64") from None
    if len(raw) < _HEADER.size:
        raise InvalidSignalError("orb value is too short")
    version, count = _HEADER.unpack_from(raw)
    if version != _FORMAT_VERSION:
        raise InvalidSignalError(f"orb value has unknown format version {version}")
    expected = _HEADER.size + count * (4 + DESCRIPTOR_BYTES)
    if len(raw) != expected:
        raise InvalidSignalError(f"orb value holds {len(raw)} bytes, {expected} expected")
    coord_end = _HEADER.size + count * 4
    coords = np.frombuffer(raw, "<u2", count * 2, _HEADER.size).reshape(count, 2)
    descriptors = np.frombuffer(raw, np.uint8, offset=coord_end).reshape(count, DESCRIPTOR_BYTES)
    return Features((coords / _COORD_SCALE).astype(np.float32), descriptors.copy())


def _plausible(transform: NDArray[np.float64]) -> bool:
    linear = transform[:, :2]
    singular = np.linalg.svd(linear, compute_uv=False)
    if singular[1] <= 0:
        return False
    scale = float(np.sqrt(singular[0] * singular[1]))
    return (
        1 / MAX_SCALE_CHANGE <= scale <= MAX_SCALE_CHANGE
        and singular[0] / singular[1] <= MAX_ANISOTROPY
        and np.linalg.det(linear) > 0  # a mirror image is the dihedral PDQ hashes' job
    )


_MATCHER = cv2.BFMatcher(cv2.NORM_HAMMING)


@dataclass(frozen=True, slots=True)
class Verification:
    """How keypoint pairs must agree for two pictures to verify.

    An edited copy keeps the picture flat: an affine map explains it and its descriptors stay
    close (``COPY``). Two photos of one room taken from different spots differ by a perspective
    change, and corners seen from another angle describe less alike (``SCENE``).
    """

    homography: bool = False
    match_bits: int = MATCH_BITS
    ratio: float = RATIO
    ransac_pixels: float = RANSAC_PIXELS


COPY = Verification()
SCENE = Verification(homography=True, match_bits=64, ratio=0.8, ransac_pixels=8.0)


def inliers(query: Features, reference: Features, verification: Verification = COPY) -> int:
    """Keypoint pairs a plausible transform from ``reference`` to ``query`` explains."""
    return len(verified_pairs(query, reference, verification)[0])


_NO_PAIRS = (np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32))


def verified_pairs(
    query: Features, reference: Features, verification: Verification = COPY
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """The pairs ``inliers`` counts: (reference points, query points), row for row, in the
    ``FEATURE_SIDE`` frame; both empty when the pictures do not verify."""
    if len(query) < 3 or len(reference) < 3:
        return _NO_PAIRS
    pairs = _MATCHER.knnMatch(reference.descriptors, query.descriptors, k=2)
    good = [
        p[0] for p in pairs
        if len(p) == 2 and p[0].distance < verification.ratio * p[1].distance
        and p[0].distance <= verification.match_bits
    ]
    if len(good) < (5 if verification.homography else 4):
        return _NO_PAIRS
    source = reference.points[[m.queryIdx for m in good]]
    target = query.points[[m.trainIdx for m in good]]
    if verification.homography:
        transform, mask = cv2.findHomography(
            source, target, cv2.RANSAC, verification.ransac_pixels, maxIters=1000,
            confidence=0.99,
        )
        plausible = transform is not None and _plausible_homography(
            np.asarray(transform, np.float64), reference.points
        )
    else:
        transform, mask = cv2.estimateAffine2D(
            source, target, method=cv2.RANSAC, ransacReprojThreshold=verification.ransac_pixels,
            maxIters=500, confidence=0.99,
        )
        plausible = transform is not None and _plausible(transform.astype(np.float64))
    if not plausible or mask is None:
        return _NO_PAIRS
    kept = mask.ravel().astype(bool)
    # Spread in either picture: a traced object fills its own region but not the scene.
    spread = max(_cells(source[kept], reference.points), _cells(target[kept], query.points))
    if spread < MIN_CELLS:
        return _NO_PAIRS
    return source[kept], target[kept]


def _plausible_homography(transform: NDArray[np.float64], frame: NDArray[np.float32]) -> bool:
    """A camera turned, not a picture folded: the map keeps orientation everywhere over the
    reference's keypoints, and its local affine part at their centre passes ``_plausible``."""
    h = transform.astype(np.float64)
    if abs(h[2, 2]) < 1e-12:
        return False
    h = h / h[2, 2]
    low, high = frame.min(axis=0), frame.max(axis=0)
    corners = np.array([[low[0], low[1]], [high[0], low[1]], [high[0], high[1]],
                        [low[0], high[1]]], dtype=np.float64)
    depth = corners @ h[2, :2] + h[2, 2]
    if (depth <= 0.1).any():  # the plane would pass behind the camera within the picture
        return False
    x, y = (corners[0] + corners[2]) / 2
    w = h[2, 0] * x + h[2, 1] * y + 1.0
    u = h[0, 0] * x + h[0, 1] * y + h[0, 2]
    v = h[1, 0] * x + h[1, 1] * y + h[1, 2]
    # The Jacobian of the projective map at the centre: its local affine approximation.
    jacobian = np.array([
        [(h[0, 0] * w - u * h[2, 0]) / w**2, (h[0, 1] * w - u * h[2, 1]) / w**2, 0.0],
        [(h[1, 0] * w - v * h[2, 0]) / w**2, (h[1, 1] * w - v * h[2, 1]) / w**2, 0.0],
    ])
    return _plausible(jacobian)


def feature_frame(width: int, height: int) -> tuple[int, int]:
    """The size ``grey_for_features`` gives a ``width`` x ``height`` picture: the frame stored
    keypoints are in (multiply by ``width / frame[0]`` to get back to the picture's pixels)."""
    scale = FEATURE_SIDE / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _cells(points: NDArray[np.float32], frame: NDArray[np.float32]) -> int:
    """Cells of a ``GRID`` x ``GRID`` grid over all of ``frame``'s keypoints that ``points`` hit."""
    if len(points) == 0:
        return 0
    low, high = frame.min(axis=0), frame.max(axis=0)
    span = np.maximum(high - low, 1.0)
    cells = np.minimum((points - low) * GRID / span, GRID - 1).astype(np.int64)
    return len({(int(x), int(y)) for x, y in cells})
