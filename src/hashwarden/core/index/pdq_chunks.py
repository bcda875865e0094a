"""Multi-index hashing arithmetic: how the 256 bits are cut into chunks and which keys to probe.

Pigeonhole (after Norouzi et al., "Fast search in Hamming space with multi-index hashing"): cut
(some of) the bits into disjoint chunks and give chunk ``j`` a probe radius ``r_j`` (``-1``: not
probed) with ``sum(r_j + 1) >= t + 1``. If two hashes were more than ``r_j`` apart in every chunk
their distance would be at least ``sum(r_j + 1) > t``; so probing every key within ``r_j`` of the
query's chunk values, in every chunk, finds every hash within ``t``. Chunks need not cover all
256 bits and need not be equally wide: the layout and radii are chosen to minimise the expected
work per query under a memory budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import combinations

import numpy as np
import numpy.typing as npt

from hashwarden.core.index.pdq_codec import Words

HASH_BITS = 256
#: Offsets are stored per group of this many buckets (see ``pdq_segment``); chunks are >= 8 bits.
GROUP = 256
#: Never enumerate more probe keys than this per query: brute force is cheaper by then.
MAX_PROBES = 400_000

U64 = npt.NDArray[np.uint64]


@dataclass(frozen=True)
class ChunkLayout:
    """``widths[j]`` bits starting at bit ``starts[j]`` (from the most significant end)."""

    widths: tuple[int, ...]

    @classmethod
    def even(cls, chunks: int) -> ChunkLayout:
        base, extra = divmod(HASH_BITS, chunks)
        # The wider chunks first: they get the larger probe radius (fewer candidates per key).
        return cls(tuple(base + 1 if j < extra else base for j in range(chunks)))

    @cached_property
    def starts(self) -> tuple[int, ...]:
        out, pos = [], 0
        for width in self.widths:
            out.append(pos)
            pos += width
        return tuple(out)

    @property
    def buckets(self) -> int:
        return sum(1 << w for w in self.widths)

    def all_chunk_values(self, words: Words) -> npt.NDArray[np.int64]:
        """(N, m) chunk values of (N, 4) words, all chunks at once."""
        if len(words) == 1:
            # One query (the latency-critical case): Python ints beat a dozen tiny array ops.
            w0, w1, w2, w3 = (int(x) for x in words[0].tolist())
            value = (w0 << 192) | (w1 << 128) | (w2 << 64) | w3
            row = [(value >> shift) & mask for shift, mask in self._shifts_masks]
            return np.array([row], dtype=np.int64)
        word, offset, width = self._extraction
        top = words[:, word] << offset
        # Two shifts because numpy (like C) leaves a shift by 64 undefined.
        following = words[:, np.minimum(word + 1, 3)] >> np.uint64(1)
        window = top | (following >> (np.uint64(63) - offset))
        return (window >> (np.uint64(64) - width)).astype(np.int64)

    @cached_property
    def _shifts_masks(self) -> list[tuple[int, int]]:
        return [
            (HASH_BITS - start - width, (1 << width) - 1)
            for start, width in zip(self.starts, self.widths, strict=True)
        ]

    @cached_property
    def _extraction(self) -> tuple[npt.NDArray[np.intp], U64, U64]:
        word = np.array([s // 64 for s in self.starts], dtype=np.intp)
        offset = np.array([s % 64 for s in self.starts], dtype=np.uint64)
        return word, offset, np.array(self.widths, dtype=np.uint64)

    def bucket_bases(self) -> list[int]:
        bases, pos = [], 0
        for width in self.widths:
            bases.append(pos)
            pos += 1 << width
        return bases


@dataclass(frozen=True)
class ProbePlan:
    """Keys to probe for one threshold: query chunk ``chunk[i]`` XOR ``flip[i]``.

    ``flip`` also carries the chunk's first global bucket number in the bits above the chunk
    width, so one XOR gives the global bucket (the chunk value never reaches those bits).
    """

    chunk: npt.NDArray[np.intp]
    flip: npt.NDArray[np.int64]


@lru_cache(maxsize=256)
def probe_plan(layout: ChunkLayout, radii: tuple[int, ...]) -> ProbePlan:
    chunk, flip = [], []
    for j, (width, bucket, radius) in enumerate(
        zip(layout.widths, layout.bucket_bases(), radii, strict=True)
    ):
        if radius < 0:
            continue
        masks = flip_masks(width, radius).astype(np.int64)
        chunk.append(np.full(len(masks), j, dtype=np.intp))
        flip.append(masks | bucket)
    return ProbePlan(np.concatenate(chunk), np.concatenate(flip))


#: Relative cost of probing one key and of verifying one candidate (two random reads).
PROBE_COST = 1.0
CANDIDATE_COST = 2.0
#: Budget for the per-chunk row lists and bucket offsets, in bytes per hash: with the 32-byte
#: hash and the 8-byte label a 10M index stays under 100 bytes per hash.
INDEX_BYTES_PER_HASH = 58.0


def _chunk_cost(width: int, radius: int, size: int) -> float:
    keys = ball_size(width, radius)
    return keys * (PROBE_COST + CANDIDATE_COST * size / (1 << width))


@lru_cache(maxsize=1024)
def plan_radii(layout: ChunkLayout, threshold: int, size: int) -> tuple[int, ...]:
    """Cheapest radii with ``sum(r_j + 1) >= threshold + 1`` (greedy; costs are convex in r)."""
    radii = [-1] * len(layout.widths)
    for _ in range(threshold + 1):
        best = min(
            range(len(radii)),
            key=lambda j: (
                _chunk_cost(layout.widths[j], radii[j] + 1, size)
                - _chunk_cost(layout.widths[j], radii[j], size)
            ),
        )
        radii[best] += 1
    return tuple(radii)


def probe_count(layout: ChunkLayout, radii: tuple[int, ...]) -> int:
    return sum(ball_size(w, r) for w, r in zip(layout.widths, radii, strict=True))


def expected_candidates(layout: ChunkLayout, radii: tuple[int, ...], size: int) -> float:
    """Candidates per query for uniformly random hashes."""
    return sum(ball_size(w, r) * size / (1 << w) for w, r in zip(layout.widths, radii, strict=True))


def layout_bytes_per_hash(layout: ChunkLayout, size: int) -> float:
    """Row lists (uint32 per chunk) plus bucket offsets (uint16 per bucket)."""
    return 4 * len(layout.widths) + 2 * layout.buckets / max(size, 1)


@lru_cache(maxsize=64)
def _choose_layout(size: int) -> ChunkLayout:
    best: tuple[float, ChunkLayout] | None = None
    fallback: tuple[float, ChunkLayout] | None = None
    low = max(12, size.bit_length() - 5)
    for chunks in range(8, 21):
        for width in range(low, max(low, min(24, size.bit_length() + 3)) + 1):
            for wider in range(chunks + 1):
                layout = ChunkLayout((width + 1,) * wider + (width,) * (chunks - wider))
                if sum(layout.widths) > HASH_BITS:
                    break
                memory = layout_bytes_per_hash(layout, size)
                if fallback is None or memory < fallback[0]:
                    fallback = (memory, layout)
                if memory > INDEX_BYTES_PER_HASH:
                    continue
                cost = sum(
                    _chunk_cost(w, r, size)
                    for w, r in zip(layout.widths, plan_radii(layout, 31, size), strict=True)
                )
                if best is None or cost < best[0]:
                    best = (cost, layout)
    assert fallback is not None
    return (best or fallback)[1]


def choose_layout(size: int) -> ChunkLayout:
    """The cheapest layout at the default threshold (31) that fits the memory budget."""
    # Round the size so nearby sizes share one cached search.
    rounded = 1 << max(10, size.bit_length() - 1)
    return _choose_layout(rounded if rounded * 1.5 > size else int(rounded * 1.5))


@lru_cache(maxsize=4096)
def ball_size(width: int, radius: int) -> int:
    """Number of ``width``-bit values within ``radius`` of a given one."""
    return sum(math.comb(width, i) for i in range(min(radius, width) + 1)) if radius >= 0 else 0


def chunk_values(words: Words, start: int, width: int) -> U64:
    """The ``width``-bit value at bit ``start`` of each row of (N, 4) words."""
    word, offset = divmod(start, 64)
    mask = np.uint64((1 << width) - 1)
    end = offset + width
    if end <= 64:
        return (words[:, word] >> np.uint64(64 - end)) & mask
    low_bits = end - 64
    high = (words[:, word] & np.uint64((1 << (64 - offset)) - 1)) << np.uint64(low_bits)
    return high | (words[:, word + 1] >> np.uint64(64 - low_bits))


@lru_cache(maxsize=64)
def flip_masks(width: int, radius: int) -> U64:
    """All ``width``-bit masks with at most ``radius`` bits set, fewest bits first."""
    masks: list[int] = []
    for bits in range(min(radius, width) + 1):
        masks.extend(sum(1 << b for b in combo) for combo in combinations(range(width), bits))
    out = np.array(masks, dtype=np.uint64)
    out.flags.writeable = False
    return out
