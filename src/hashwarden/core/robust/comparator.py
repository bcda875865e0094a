"""One object that hashes references and queries at a robustness level and scores pairs.

Scores share PDQ's scale (bits, lower is closer) so one threshold decides: the best PDQ
distance over the query's views and the reference's hash, or, for feature-verified pairs,
``features.feature_score`` (enough verified keypoint pairs score exactly the PDQ threshold,
each more one bit less). The matcher and the robustness benchmark both use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from hashwarden.core.pdq.hasher import pdq_hash_with_dihedral
from hashwarden.core.pdq.hexbits import hex_to_bits
from hashwarden.core.robust.feature_index import FeatureIndex
from hashwarden.core.robust.features import QUERY_KEYPOINTS, Features, extract, feature_score
from hashwarden.core.robust.levels import RobustLevel
from hashwarden.core.robust.views import query_views
from hashwarden.core.signals.pdq import PDQ, PDQ_MIN_QUALITY


def _packed(hexes: Sequence[str]) -> NDArray[np.uint64]:
    bits = np.stack([hex_to_bits(value) for value in hexes])
    return np.packbits(bits, axis=1).view(np.uint64)


@dataclass(frozen=True, slots=True)
class RobustReference:
    pdq: str
    quality: int
    features: Features | None = None


@dataclass(frozen=True, slots=True)
class RobustQuery:
    #: Every PDQ the query is looked up with: the eight dihedral variants, then repairs.
    hashes: tuple[str, ...]
    quality: int
    features: Features | None = None
    packed: NDArray[np.uint64] = field(
        repr=False, compare=False, default_factory=lambda: np.zeros((0, 4), np.uint64)
    )


class RobustComparator:
    def __init__(self, level: RobustLevel = RobustLevel.STANDARD) -> None:
        self.level = level
        self.configured_threshold = float(PDQ.default_threshold)
        self._index: FeatureIndex | None = None
        self._indexed: tuple[int, int] | None = None

    def reference(self, image: Image.Image) -> RobustReference:
        pdq, _ = pdq_hash_with_dihedral(image)
        features = extract(image) if self.level.features else None
        return RobustReference(pdq.hex, pdq.quality, features)

    def query(self, image: Image.Image) -> RobustQuery:
        pdq, dihedral = pdq_hash_with_dihedral(image)
        hashes = list(dihedral)
        if self.level.views:
            hashes.extend(result.hex for _, result in query_views(image))
        features = extract(image, QUERY_KEYPOINTS) if self.level.features else None
        return RobustQuery(tuple(hashes), pdq.quality, features, _packed(hashes))

    def distances(self, query: RobustQuery, refs: Sequence[RobustReference]) -> NDArray[np.float32]:
        """Score of ``query`` against each reference (``inf``: nothing usable to compare)."""
        scores = np.full(len(refs), np.inf, dtype=np.float32)
        if not refs:
            return scores
        if query.quality >= PDQ_MIN_QUALITY:
            ref_bits = self._ref_bits(refs)
            usable = self._ref_quality(refs) >= PDQ_MIN_QUALITY
            bits = np.bitwise_count(query.packed[:, None, :] ^ ref_bits[None, :, :]).sum(axis=2)
            scores = np.where(usable, bits.min(axis=0), np.inf).astype(np.float32)
        if self.level.features and query.features is not None:
            index = self._feature_index(refs)
            for label, matched in index.verified(query.features):
                scores[label] = min(scores[label], feature_score(matched))
        return scores

    def _ref_bits(self, refs: Sequence[RobustReference]) -> NDArray[np.uint64]:
        self._sync(refs)
        return self._bits

    def _ref_quality(self, refs: Sequence[RobustReference]) -> NDArray[np.int64]:
        self._sync(refs)
        return self._quality

    def _feature_index(self, refs: Sequence[RobustReference]) -> FeatureIndex:
        self._sync(refs)
        assert self._index is not None
        return self._index

    def _sync(self, refs: Sequence[RobustReference]) -> None:
        """Cache the packed hashes and feature index of the reference set last compared to."""
        key = (id(refs), len(refs))
        if self._indexed == key:
            return
        self._bits = _packed([ref.pdq for ref in refs])
        self._quality = np.asarray([ref.quality for ref in refs], dtype=np.int64)
        self._index = FeatureIndex()
        for label, ref in enumerate(refs):
            if ref.features is not None:
                self._index.add(label, ref.features)
        self._indexed = key
