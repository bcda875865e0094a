"""ORB local features of a listed picture, for matching edited copies (``core.robust``).

Kept with the entry so the matcher can verify candidates geometrically, but never shared:
descriptors and keypoint positions are enough to reconstruct a rough likeness of a picture,
which a hash list must never give away. Formats, feeds and API responses leave them out.
"""

from __future__ import annotations

from hashwarden.core.robust.features import (
    FEATURE_ANCHOR,
    MIN_INLIERS,
    deserialise,
    feature_score,
    inliers,
    serialise,
)
from hashwarden.core.signals.base import SignalKind, SignalType


class ORB(SignalType):
    name = "orb"
    kind = SignalKind.PERCEPTUAL
    description = (
        "ORB local features (local only; distance: 31 at 12 verified keypoint pairs, "
        "one less per extra pair)"
    )
    default_threshold = FEATURE_ANCHOR
    max_threshold = FEATURE_ANCHOR + MIN_INLIERS
    shareable = False

    @classmethod
    def parse(cls, raw: str) -> str:
        return serialise(deserialise(raw.strip()))

    @classmethod
    def distance(cls, a: str, b: str) -> int:
        return feature_score(inliers(deserialise(a), deserialise(b)))
