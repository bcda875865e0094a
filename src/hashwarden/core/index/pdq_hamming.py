"""Hamming distances between 256-bit hashes held as (N, 4) uint64 words, and brute-force search."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from hashwarden.core.index.pdq_codec import Words

Ints = npt.NDArray[np.int64]
Dists = npt.NDArray[np.int32]

#: Pairs compared per block; bounds temporaries to a few tens of MB.
_PAIRS_PER_BLOCK = 1 << 18


def popcount_rows(
    xored: Words, *, below_256: bool = False, out: npt.NDArray[np.uint8] | None = None
) -> npt.NDArray[np.uint32]:
    """Bits set per row of an (K, 4) uint64 array (0..256), as uint32.

    ``below_256`` skips the fix-up for all-ones rows when the caller knows none can occur.
    """
    counts = np.bitwise_count(xored, out=out)  # (K, 4) uint8, each <= 64
    packed = counts.view(np.uint32).ravel()
    some_bits = None if below_256 else packed != 0
    # Multiplying by 0x01010101 adds the four bytes into the top byte; 256 wraps to 0.
    packed *= np.uint32(0x01010101)
    packed >>= np.uint32(24)
    if some_bits is not None:
        packed[(packed == 0) & some_bits] = 256
    return packed


def distances(words: Words, query: Words) -> Dists:
    """Distances from every row of ``words`` to the single (4,) ``query``."""
    return popcount_rows(np.bitwise_xor(words, query)).astype(np.int32)


def brute_force_search(words: Words, queries: Words, threshold: int) -> tuple[Ints, Ints, Dists]:
    """All (query, row, distance) with distance <= threshold, by comparing every pair."""
    n = len(words)
    found_q: list[Ints] = []
    found_r: list[Ints] = []
    found_d: list[Dists] = []
    if n == 0 or len(queries) == 0:
        return _empty()
    if n * len(queries) <= _PAIRS_PER_BLOCK:
        xored = np.bitwise_xor(words[None, :, :], queries[:, None, :]).reshape(-1, 4)
        bits = popcount_rows(xored)
        hit = np.flatnonzero(bits <= threshold)
        return hit // n, hit % n, bits[hit].astype(np.int32)
    step = max(1, _PAIRS_PER_BLOCK)
    for qi, query in enumerate(queries):
        for start in range(0, n, step):
            dist = distances(words[start : start + step], query)
            hit = np.flatnonzero(dist <= threshold)
            if len(hit):
                found_q.append(np.full(len(hit), qi, dtype=np.int64))
                found_r.append(hit + start)
                found_d.append(dist[hit])
    if not found_q:
        return _empty()
    return np.concatenate(found_q), np.concatenate(found_r), np.concatenate(found_d)


def _empty() -> tuple[Ints, Ints, Dists]:
    return (
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=np.int32),
    )
