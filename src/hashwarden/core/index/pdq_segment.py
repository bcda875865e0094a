"""An immutable multi-index-hashing segment over PDQ hashes, with a tombstone mask for removals.

Storage per hash: the 4 words (32 bytes), the label (8 bytes), one uint32 row number per chunk
(4 bytes each, rows listed bucket by bucket) and the bucket offsets. Rows are kept sorted by label
so removal by label is a binary search and needs no extra map. Bucket offsets are split into a
int64 base per group of 256 buckets plus a uint16 offset within the group, halving
the offset table (12 chunks of 21-22 bits at 10M hashes: 6.4 instead of 12.8 bytes per hash).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from hashwarden.core.index.array_files import load_array, save_array
from hashwarden.core.index.pdq_chunks import (
    GROUP,
    MAX_PROBES,
    ChunkLayout,
    choose_layout,
    chunk_values,
    expected_candidates,
    plan_radii,
    probe_count,
    probe_plan,
)
from hashwarden.core.index.pdq_codec import Words
from hashwarden.core.index.pdq_hamming import Dists, Ints, brute_force_search, popcount_rows
from hashwarden.core.index.pdq_scratch import SCRATCH

#: Candidate rows gathered per batch of queries. Small enough that the temporaries (~40 bytes a
#: candidate) stay in cache and reuse freed memory instead of page-faulting in fresh mappings.
_CANDIDATES_PER_BATCH = 1 << 17
# Relative costs (ns) of a probed key, a verified candidate and a brute-force comparison.
_PROBE_COST, _CANDIDATE_COST, _BRUTE_COST = 20.0, 25.0, 10.0


class MihSegment:
    """Hashes and labels indexed for radius search; rows are removed by marking them dead."""

    def __init__(
        self,
        labels: Ints,
        words: Words,
        layout: ChunkLayout,
        rows: npt.NDArray[np.uint32],
        group_base: Ints,
        bucket_offset: npt.NDArray[np.unsignedinteger],
    ) -> None:
        self.labels = labels
        self.words = words
        self.layout = layout
        self._rows = rows
        self._group_base = group_base
        self._bucket_offset = bucket_offset
        self._dead: npt.NDArray[np.bool_] | None = None
        self.dead_count = 0
        self._costs: dict[int, tuple[bool, float, tuple[int, ...]]] = {}

    @classmethod
    def build(cls, labels: Ints, words: Words, layout: ChunkLayout | None = None) -> MihSegment:
        """Index unique ``labels`` with their (N, 4) ``words``."""
        n = len(labels)
        if n >= 1 << 32:
            raise ValueError("a segment holds fewer than 2**32 hashes")
        layout = layout or choose_layout(n)
        order = np.argsort(labels, kind="stable")
        labels = np.ascontiguousarray(labels[order], dtype=np.int64)
        words = np.take(words, order, axis=0)
        m = len(layout.widths)
        rows = np.empty(m * n, dtype=np.uint32)
        # int64 (one per 256 buckets, so small) lets lookups skip a conversion.
        group_base = np.empty(layout.buckets // GROUP + 1, dtype=np.int64)
        bucket_offset: npt.NDArray[np.unsignedinteger] = np.empty(
            layout.buckets + 1, dtype=np.uint16
        )
        row_ids = np.arange(n, dtype=np.uint64)
        for j, (start, width, bucket) in enumerate(
            zip(layout.starts, layout.widths, layout.bucket_bases(), strict=True)
        ):
            values = chunk_values(words, start, width)
            # One sort of (value, row) pairs gives the rows bucket by bucket, rows ascending.
            ordered = np.sort((values << np.uint64(32)) | row_ids)
            rows[j * n : (j + 1) * n] = ordered & np.uint64(0xFFFFFFFF)
            del ordered
            counts = np.bincount(values.astype(np.intp), minlength=1 << width)
            offsets = np.zeros((1 << width) + 1, dtype=np.int64)
            np.cumsum(counts, out=offsets[1:])
            offsets += j * n
            bases = offsets[: 1 << width : GROUP]
            within = offsets[: 1 << width] - np.repeat(bases, GROUP)
            if bucket_offset.dtype == np.uint16 and int(within.max(initial=0)) > 0xFFFF:
                bucket_offset = bucket_offset.astype(np.uint32)
            group_base[bucket // GROUP : (bucket + (1 << width)) // GROUP] = bases
            bucket_offset[bucket : bucket + (1 << width)] = within
        group_base[-1] = m * n
        bucket_offset[-1] = 0
        return cls(labels, words, layout, rows, group_base, bucket_offset)

    def save(self, directory: Path) -> None:
        """Write the segment's arrays (not its tombstones) as ``.npy`` files into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        save_array(directory, "widths", np.asarray(self.layout.widths, dtype=np.int64))
        save_array(directory, "labels", self.labels)
        save_array(directory, "words", self.words)
        save_array(directory, "rows", self._rows)
        save_array(directory, "group_base", self._group_base)
        save_array(directory, "bucket_offset", self._bucket_offset)

    @classmethod
    def load(cls, directory: Path, *, mapped: bool = True) -> MihSegment:
        """A segment ``save`` wrote; mapped read-only, so processes share its memory."""
        widths = tuple(int(w) for w in load_array(directory, "widths", mapped=False))
        arrays = [
            load_array(directory, name, mapped=mapped)
            for name in ("labels", "words", "rows", "group_base", "bucket_offset")
        ]
        labels, words, rows, group_base, bucket_offset = arrays
        if words.shape != (len(labels), 4) or len(rows) != len(widths) * len(labels):
            raise ValueError(f"inconsistent PDQ segment files in {directory}")
        return cls(labels, words, ChunkLayout(widths), rows, group_base, bucket_offset)

    def __len__(self) -> int:
        return len(self.labels) - self.dead_count

    @property
    def size(self) -> int:
        """Rows stored, dead ones included."""
        return len(self.labels)

    def memory_bytes(self) -> int:
        arrays = (self.labels, self.words, self._rows, self._group_base, self._bucket_offset)
        dead = self._dead.nbytes if self._dead is not None else 0
        return sum(a.nbytes for a in arrays) + dead

    def remove(self, labels: Ints) -> npt.NDArray[np.bool_]:
        """Mark the rows of ``labels`` dead; returns which of them were live here."""
        where, found = self._find(labels)
        if not found.any():
            return found
        if self._dead is None:
            self._dead = np.zeros(self.size, dtype=np.bool_)
        self._dead[where[found]] = True
        self.dead_count += int(found.sum())
        return found

    def contains(self, labels: Ints) -> npt.NDArray[np.bool_]:
        return self._find(labels)[1]

    def live(self) -> tuple[Ints, Words]:
        """Labels and words of the live rows (copies only when some are dead)."""
        if self._dead is None or self.dead_count == 0:
            return self.labels, self.words
        alive = ~self._dead
        return self.labels[alive], self.words[alive]

    def search(self, queries: Words, threshold: int) -> tuple[Ints, Ints, Dists]:
        """(query, row, distance) for every live row within ``threshold``; rows unique per query."""
        if self.size == 0 or len(queries) == 0:
            q, r, d = brute_force_search(self.words[:0], queries[:0], threshold)
        elif self._prefers_brute_force(threshold):
            q, r, d = brute_force_search(self.words, queries, threshold)
        else:
            q, r, d = self._search_mih(queries, threshold)
        if self._dead is not None and self.dead_count:
            alive = ~self._dead[r]
            q, r, d = q[alive], r[alive], d[alive]
        return q, r, d

    def _find(self, labels: Ints) -> tuple[Ints, npt.NDArray[np.bool_]]:
        where = np.searchsorted(self.labels, labels)
        inside = where < self.size
        where = np.where(inside, where, 0)
        found = inside & (self.labels[where] == labels) if self.size else inside
        if self._dead is not None:
            found &= ~self._dead[where]
        return where, found

    def _prefers_brute_force(self, threshold: int) -> bool:
        return self._cost(threshold)[0]

    def _cost(self, threshold: int) -> tuple[bool, float, tuple[int, ...]]:
        """(whether brute force is cheaper, expected candidates per query, radii), cached."""
        cached = self._costs.get(threshold)
        if cached is None:
            radii = plan_radii(self.layout, threshold, self.size)
            probes = probe_count(self.layout, radii)
            candidates = expected_candidates(self.layout, radii, self.size)
            mih = _PROBE_COST * probes + _CANDIDATE_COST * candidates
            brute = probes > MAX_PROBES or mih > _BRUTE_COST * self.size
            cached = self._costs[threshold] = (brute, candidates, radii)
        return cached

    def _probe_keys(self, queries: Words, threshold: int) -> Ints:
        """(Q, L) global bucket numbers to probe for each query."""
        plan = probe_plan(self.layout, self._cost(threshold)[2])
        keys = np.take(self.layout.all_chunk_values(queries), plan.chunk, axis=1)
        keys ^= plan.flip
        return keys

    def _search_mih(self, queries: Words, threshold: int) -> tuple[Ints, Ints, Dists]:
        keys = self._probe_keys(queries, threshold)
        n_queries, per_query = keys.shape
        expected = max(1.0, self._cost(threshold)[1])
        batch = max(1, min((1 << 16) // per_query, int(_CANDIDATES_PER_BATCH / expected)))
        found: list[tuple[Ints, Ints, Dists]] = []
        for first in range(0, n_queries, batch):
            block = keys[first : first + batch]
            hit = self._verify(block.ravel(), len(block), queries[first : first + batch], threshold)
            if len(hit[0]):
                found.append((hit[0] + first, hit[1], hit[2]))
        if not found:
            return brute_force_search(self.words[:0], queries[:0], threshold)
        q = np.concatenate([f[0] for f in found])
        r = np.concatenate([f[1] for f in found])
        d = np.concatenate([f[2] for f in found])
        if len(q) < 2:
            return q, r, d
        # A row close in several chunks is found several times; keep one per query.
        _, first_seen = np.unique(q * self.size + r, return_index=True)
        return q[first_seen], r[first_seen], d[first_seen]

    def _verify(
        self, keys: Ints, n_queries: int, queries: Words, threshold: int
    ) -> tuple[Ints, Ints, Dists]:
        n_keys = len(keys)
        both = SCRATCH.get("keys", 2 * n_keys, np.int64)
        both[:n_keys] = keys
        np.add(keys, 1, out=both[n_keys:])
        bounds = self._bucket_start(both)
        starts = bounds[:n_keys]
        counts = bounds[n_keys:]
        counts -= starts
        per_query = counts.reshape(n_queries, -1).sum(axis=1)
        total = int(per_query.sum())
        slots = _expand_ranges(starts, counts, total)
        rows = np.take(self._rows, slots, out=SCRATCH.get("rows", total, np.uint32), mode="clip")
        xored = np.take(
            self.words, rows, axis=0, out=SCRATCH.get("xored", total, np.uint64, 4), mode="clip"
        )
        query_of = SCRATCH.get("query_of", total, np.int64)
        query_of.fill(0)
        if n_queries > 1:
            first = np.cumsum(per_query)[:-1]
            np.add.at(query_of, first[first < total], 1)
            np.cumsum(query_of, out=query_of)
        # Gathering the query rows beats a broadcast XOR, whose inner loop is only 4 long.
        query_rows = SCRATCH.get("query_rows", total, np.uint64, 4)
        xored ^= np.take(queries, query_of, axis=0, out=query_rows, mode="clip")
        # Every candidate shares a bucket (up to the probe radius) with its query: never 256.
        dist = popcount_rows(xored, below_256=True, out=SCRATCH.get("bits", total, np.uint8, 4))
        keep = np.flatnonzero(dist <= threshold)
        return query_of[keep], rows[keep].astype(np.int64), dist[keep].astype(np.int32)

    def _bucket_start(self, keys: Ints) -> Ints:
        groups = np.right_shift(keys, 8, out=SCRATCH.get("groups", len(keys), np.int64))
        base: Ints = np.take(
            self._group_base, groups, out=SCRATCH.get("base", len(keys), np.int64), mode="clip"
        )
        within = SCRATCH.get("within", len(keys), self._bucket_offset.dtype.type)
        base += np.take(self._bucket_offset, keys, out=within, mode="clip")
        return base


def _expand_ranges(starts: Ints, counts: Ints, total: int) -> Ints:
    """Concatenate the ranges ``[starts[i], starts[i] + counts[i])`` without a Python loop.

    Written as the running sum of steps: +1 inside a range, a jump at each range's first slot.
    """
    nonempty = np.flatnonzero(counts)
    starts, counts = starts[nonempty], counts[nonempty]
    steps: Ints = SCRATCH.get("slots", total, np.int64)
    if not total:
        return steps
    steps.fill(1)
    first = np.cumsum(counts) - counts
    ends = starts + counts - 1
    steps[first[1:]] = starts[1:] - ends[:-1]
    steps[0] = starts[0]
    np.cumsum(steps, out=steps)
    return steps
