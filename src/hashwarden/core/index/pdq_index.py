"""Exact radius search over PDQ hashes, with incremental add and remove.

Three tiers, searched together:

* ``main``: a multi-index-hashing segment (see ``pdq_segment``) over most hashes;
* ``delta``: a second, smaller segment for hashes added since ``main`` was built;
* ``tail``: up to ``TAIL_LIMIT`` newest hashes, compared by brute force.

When the tail fills up it is folded into the delta (rebuilding only the delta); when the delta
outgrows ``DELTA_FRACTION`` of the main segment everything is rebuilt into a new main segment, so
the rebuild cost is amortised. Removal marks rows dead (tombstones) and the dead rows are dropped at
the next rebuild; a segment whose dead rows pass ``COMPACT_FRACTION`` is rebuilt early.

An index can also be opened over a *shared* main segment (``PdqIndex.over``, e.g. a segment
mapped from a file that every worker process maps): that segment is never rebuilt in-process, so
its memory stays shared; changes accumulate in the delta and tail (``overlay_size``) until the
owner replaces the whole index with one over a newer shared segment.

Labels are unique: adding a label that is already present replaces its hash (last one wins, also
within one batch). Not thread-safe for writers; searches are correct whenever no mutation runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hashwarden.core.index.pdq_codec import (
    PDQ_WORDS,
    Words,
    bytes_to_words,
    pdq_bytes_to_hex,
    pdq_hex_to_bytes,
)
from hashwarden.core.index.pdq_hamming import Dists, Ints, brute_force_search
from hashwarden.core.index.pdq_segment import MihSegment

__all__ = ["PdqIndex", "SearchResult", "pdq_bytes_to_hex", "pdq_hex_to_bytes"]

#: Newest hashes kept unindexed; a brute-force pass over them costs a few tens of microseconds.
TAIL_LIMIT = 4096
#: The delta segment is merged into main once it holds this fraction of main's rows.
DELTA_FRACTION = 0.125
#: A segment is rebuilt once this fraction of its rows is dead.
COMPACT_FRACTION = 0.25
MAX_THRESHOLD = 256


@dataclass(frozen=True)
class SearchResult:
    """Parallel arrays, one element per (query, label) match, ordered by query then distance."""

    query: npt.NDArray[np.int64]
    label: npt.NDArray[np.int64]
    distance: npt.NDArray[np.int32]

    def __len__(self) -> int:
        return len(self.query)


class PdqIndex:
    # Class attributes so tests can exercise the merge policy on small data via a subclass.
    tail_limit = TAIL_LIMIT
    delta_fraction = DELTA_FRACTION
    compact_fraction = COMPACT_FRACTION

    def __init__(self) -> None:
        self._main: MihSegment | None = None
        self._delta: MihSegment | None = None
        self._tail_labels: Ints = np.zeros(0, dtype=np.int64)
        self._tail_words: Words = np.zeros((0, PDQ_WORDS), dtype=np.uint64)
        #: Segment builds so far (for benchmarks and tests of the merge policy).
        self.rebuilds = 0
        self._main_shared = False

    @classmethod
    def build(cls, labels: npt.ArrayLike, hashes: npt.ArrayLike) -> PdqIndex:
        """Index ``hashes`` ((N, 32) uint8) under ``labels`` in one go."""
        index = cls()
        labels_, words = _unique_last(*_validate(labels, hashes))
        if len(labels_) <= index.tail_limit:
            index._tail_labels, index._tail_words = labels_, words
        else:
            index._main = index._build_segment(labels_, words)
        return index

    @classmethod
    def over(cls, main: MihSegment) -> PdqIndex:
        """An index whose main tier is ``main``, shared and never rebuilt here."""
        index = cls()
        index._main = main if main.size else None
        index._main_shared = True
        return index

    def __len__(self) -> int:
        return sum(len(s) for s in self._segments()) + len(self._tail_labels)

    def overlay_size(self) -> int:
        """Rows held outside the main segment (delta and tail), dead ones included."""
        delta = self._delta.size if self._delta is not None else 0
        return delta + len(self._tail_labels)

    def live(self) -> tuple[Ints, Words]:
        """Labels and (N, 4) words of every live hash, in no particular order."""
        return self._live_of(self._segments())

    def sole_segment(self) -> MihSegment | None:
        """The main segment when it alone holds every live hash and no dead rows."""
        main = self._main
        alone = self._delta is None and not len(self._tail_labels)
        return main if main is not None and alone and main.dead_count == 0 else None

    def memory_bytes(self) -> int:
        tail = self._tail_labels.nbytes + self._tail_words.nbytes
        return sum(s.memory_bytes() for s in self._segments()) + tail

    def add(self, labels: npt.ArrayLike, hashes: npt.ArrayLike) -> None:
        """Add hashes; a label already present is replaced."""
        labels_, words = _unique_last(*_validate(labels, hashes))
        if not len(labels_):
            return
        self._remove_unique(labels_, compact=False)
        self._tail_labels = np.concatenate((self._tail_labels, labels_))
        self._tail_words = np.concatenate((self._tail_words, words))
        if len(self._tail_labels) > self.tail_limit:
            self._flush_tail()

    def remove(self, labels: npt.ArrayLike) -> int:
        """Remove the hashes of ``labels``; returns how many were present."""
        wanted = np.unique(np.asarray(labels, dtype=np.int64).ravel())
        return self._remove_unique(wanted, compact=True)

    def compact(self) -> None:
        """Merge every tier into one main segment without dead rows."""
        if self._delta is None and not len(self._tail_labels) and not self._main_dead():
            return
        self._rebuild_main()

    def search(self, queries: npt.ArrayLike, threshold: int) -> SearchResult:
        """Every live (query, label) pair within ``threshold`` bits of (Q, 32) uint8 ``queries``."""
        if not 0 <= threshold <= MAX_THRESHOLD:
            raise ValueError(f"threshold must be within 0..{MAX_THRESHOLD}, got {threshold}")
        words = bytes_to_words(queries)
        parts: list[tuple[Ints, Ints, Dists]] = []
        for segment in self._segments():
            q, rows, d = segment.search(words, threshold)
            parts.append((q, segment.labels[rows], d))
        if len(self._tail_labels):
            q, rows, d = brute_force_search(self._tail_words, words, threshold)
            parts.append((q, self._tail_labels[rows], d))
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return SearchResult(empty, empty.copy(), np.zeros(0, dtype=np.int32))
        query = np.concatenate([p[0] for p in parts]).astype(np.int64, copy=False)
        label = np.concatenate([p[1] for p in parts])
        distance = np.concatenate([p[2] for p in parts]).astype(np.int32, copy=False)
        if len(parts) > 1 or len(query) > 1:
            order = np.lexsort((label, distance, query))
            query, label, distance = query[order], label[order], distance[order]
        return SearchResult(query, label, distance)

    def _segments(self) -> list[MihSegment]:
        return [s for s in (self._main, self._delta) if s is not None]

    def _main_dead(self) -> int:
        return self._main.dead_count if self._main is not None else 0

    def _remove_unique(self, labels: Ints, *, compact: bool) -> int:
        removed = 0
        for segment in self._segments():
            removed += int(segment.remove(labels).sum())
        if len(self._tail_labels):
            gone = np.isin(self._tail_labels, labels)
            if gone.any():
                removed += int(gone.sum())
                self._tail_labels = self._tail_labels[~gone]
                self._tail_words = self._tail_words[~gone]
        if compact and removed:
            self._compact_if_needed()
        return removed

    def _compact_if_needed(self) -> None:
        main, delta = self._main, self._delta
        if (
            main is not None
            and not self._main_shared
            and main.dead_count > self.compact_fraction * main.size
        ):
            self._rebuild_main()
        elif delta is not None and delta.dead_count > self.compact_fraction * delta.size:
            labels, words = delta.live()
            self._delta = self._build_segment(labels, words) if len(labels) else None

    def _flush_tail(self) -> None:
        pending = len(self._tail_labels) + (len(self._delta) if self._delta is not None else 0)
        grown = self._main is None or pending > self.delta_fraction * self._main.size
        if grown and not self._main_shared:
            self._rebuild_main()
            return
        labels, words = self._live_of([self._delta] if self._delta is not None else [])
        self._delta = self._build_segment(labels, words)
        self._clear_tail()

    def _rebuild_main(self) -> None:
        labels, words = self._live_of(self._segments())
        self._main = self._build_segment(labels, words) if len(labels) else None
        self._main_shared = False
        self._delta = None
        self._clear_tail()

    def _live_of(self, segments: list[MihSegment]) -> tuple[Ints, Words]:
        """Live rows of ``segments`` plus the tail."""
        parts = [s.live() for s in segments]
        labels = np.concatenate([p[0] for p in parts] + [self._tail_labels])
        words = np.concatenate([p[1] for p in parts] + [self._tail_words])
        return labels, words

    def _clear_tail(self) -> None:
        self._tail_labels = np.zeros(0, dtype=np.int64)
        self._tail_words = np.zeros((0, PDQ_WORDS), dtype=np.uint64)

    def _build_segment(self, labels: Ints, words: Words) -> MihSegment:
        self.rebuilds += 1
        return MihSegment.build(labels, words)


def _validate(labels: npt.ArrayLike, hashes: npt.ArrayLike) -> tuple[Ints, Words]:
    labels_ = np.asarray(labels, dtype=np.int64).ravel()
    words = bytes_to_words(hashes)
    if len(labels_) != len(words):
        raise ValueError(f"{len(labels_)} labels for {len(words)} hashes")
    return labels_, words


def _unique_last(labels: Ints, words: Words) -> tuple[Ints, Words]:
    """Drop all but the last occurrence of each label, keeping input order."""
    if len(labels) < 2:
        return labels, words
    _, from_end = np.unique(labels[::-1], return_index=True)
    if len(from_end) == len(labels):
        return labels, words
    keep = np.sort(len(labels) - 1 - from_end)
    return labels[keep], words[keep]
