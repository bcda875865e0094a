"""Candidate retrieval over the ORB descriptors of listed pictures, by locality-sensitive hashing.

Verifying a query against every listed picture costs ~0.7 ms each, too much past a few hundred
entries. Two ORB descriptors of the same spot differ in few of their 256 bits, so they often
agree exactly on a random subset of ``KEY_BITS`` bits; unrelated descriptors rarely do. Each of
``TABLES`` tables keys every listed descriptor by its own fixed bit subset; a query's
descriptors look their keys up and vote for the pictures they land on. Only the pictures with
the most votes are verified geometrically (``robust.features.inliers``).

Buckets are kept as sorted key arrays, rebuilt lazily after changes, so a lookup is a binary
search per key and the memory is 8 bytes per descriptor per table beside the descriptors.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from hashwarden.core.robust.features import (
    COPY,
    DESCRIPTOR_BYTES,
    Features,
    Verification,
    inliers,
)

TABLES = 8
KEY_BITS = 18
#: Buckets holding more descriptors than this are flat-texture noise (stop words); skipped.
MAX_BUCKET = 512
#: Descriptors whose keys are computed at once when the index is rebuilt (bounds the memory).
_KEY_CHUNK = 65_536
#: Fixed, so keys mean the same in every process and after a restart.
_SEED = 20261129

_BIT_WEIGHTS = (1 << np.arange(KEY_BITS, dtype=np.uint32)).astype(np.uint32)
_POSITIONS = np.random.default_rng(_SEED).permuted(
    np.tile(np.arange(DESCRIPTOR_BYTES * 8), (TABLES, 1)), axis=1
)[:, :KEY_BITS]

Ints = npt.NDArray[np.int64]


def descriptor_keys(descriptors: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint32]:
    """``TABLES x n`` bucket keys of ``n`` descriptors."""
    bits = np.unpackbits(descriptors, axis=1)
    return np.stack([bits[:, positions] @ _BIT_WEIGHTS for positions in _POSITIONS]).astype(
        np.uint32
    )


class FeatureIndex:
    """Listed pictures' features by label, with voting lookup. Not thread-safe for writers."""

    def __init__(self) -> None:
        self._features: dict[int, Features] = {}
        self._keys: list[npt.NDArray[np.uint32]] = []
        #: Per table, the position in ``_labels`` of each key's picture (int32 halves memory).
        self._owners: list[npt.NDArray[np.int32]] = []
        self._labels: Ints = np.zeros(0, np.int64)
        self._dirty = False

    def __len__(self) -> int:
        return len(self._features)

    def __contains__(self, label: int) -> bool:
        return label in self._features

    def add(self, label: int, features: Features) -> None:
        self._features[label] = features
        self._dirty = True

    def remove(self, labels: Iterable[int]) -> None:
        for label in labels:
            if self._features.pop(label, None) is not None:
                self._dirty = True

    def rows(self) -> tuple[Ints, Ints, npt.NDArray[np.float32], npt.NDArray[np.uint8]]:
        """(labels, keypoint counts, points, descriptors) for saving; ``from_rows`` undoes it."""
        labels = list(self._features)
        parts = [self._features[label] for label in labels]
        counts = np.asarray([len(p) for p in parts], np.int64)
        if not parts:
            return (np.zeros(0, np.int64), counts, np.zeros((0, 2), np.float32),
                    np.zeros((0, DESCRIPTOR_BYTES), np.uint8))
        return (
            np.asarray(labels, np.int64),
            counts,
            np.concatenate([p.points for p in parts]),
            np.concatenate([p.descriptors for p in parts]),
        )

    @classmethod
    def from_rows(
        cls,
        labels: Ints,
        counts: Ints,
        points: npt.NDArray[np.float32],
        descriptors: npt.NDArray[np.uint8],
    ) -> FeatureIndex:
        index = cls()
        ends = np.cumsum(counts)
        if ends.size and (ends[-1] != len(points) or len(points) != len(descriptors)):
            raise ValueError("feature rows do not add up")
        for label, end, count in zip(labels.tolist(), ends.tolist(), counts.tolist(), strict=True):
            start = end - count
            part = Features(np.array(points[start:end]), np.array(descriptors[start:end]))
            index.add(label, part)
        return index

    def _rebuild(self) -> None:
        labels = list(self._features)
        parts = [self._features[label] for label in labels]
        self._labels = np.asarray(labels, np.int64)
        counts = [len(p) for p in parts]
        owners = np.repeat(np.arange(len(parts), dtype=np.int32), counts)
        keys = np.zeros((TABLES, 0), np.uint32)
        if sum(counts):
            descriptors = np.concatenate([p.descriptors for p in parts])
            # In chunks: unpacking every descriptor's bits at once takes 256 bytes each, 15 GB
            # for 100,000 pictures of ~400 keypoints.
            keys = np.concatenate(
                [descriptor_keys(descriptors[start:start + _KEY_CHUNK])
                 for start in range(0, len(descriptors), _KEY_CHUNK)],
                axis=1,
            )
            del descriptors
        # One table at a time, so only one table's sort order is ever held beside the tables.
        self._keys, self._owners = [], []
        for table in range(TABLES):
            order = np.argsort(keys[table], kind="stable")
            self._keys.append(keys[table][order])
            self._owners.append(owners[order])
        self._dirty = False

    def votes(self, query: Features) -> dict[int, float]:
        """Labels whose descriptors share a bucket with the query's, with a weighted count.

        A hit counts ``1 / bucket size``: descriptors of flat or repetitive texture crowd a few
        buckets, and raw counts let pictures full of them outvote the real original.
        """
        if not len(query) or not self._features:
            return {}
        if self._dirty:
            self._rebuild()
        query_keys = descriptor_keys(query.descriptors)
        found: list[npt.NDArray[np.int32]] = []
        weights: list[npt.NDArray[np.float64]] = []
        for table in range(TABLES):
            keys, owners = self._keys[table], self._owners[table]
            low = np.searchsorted(keys, query_keys[table], side="left")
            high = np.searchsorted(keys, query_keys[table], side="right")
            sizes = high - low
            sizes[sizes > MAX_BUCKET] = 0
            total = int(sizes.sum())
            if not total:
                continue
            starts = np.repeat(low - (np.cumsum(sizes) - sizes), sizes)
            found.append(owners[starts + np.arange(total)])
            weights.append(np.repeat(1.0 / np.maximum(sizes, 1), sizes))
        if not found:
            return {}
        positions, slots = np.unique(np.concatenate(found), return_inverse=True)
        scores = np.bincount(slots, weights=np.concatenate(weights))
        return dict(zip(self._labels[positions].tolist(), scores.tolist(), strict=True))

    def verified(
        self, query: Features, *, candidates: int = 8, min_votes: float = 1.0,
        verification: Verification = COPY,
    ) -> list[tuple[int, int]]:
        """(label, inliers) for the best-voted pictures that share keypoints with the query."""
        ranked = sorted(self.votes(query).items(), key=lambda item: -item[1])
        results = []
        for label, count in ranked[:candidates]:
            if count < min_votes:
                break
            matched = inliers(query, self._features[label], verification)
            if matched:
                results.append((label, matched))
        return results
