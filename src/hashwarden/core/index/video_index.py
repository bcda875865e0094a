"""vPDQ video matching over one ``PdqIndex`` of frame hashes.

The rule follows Meta's reference implementation, python-threatexchange's
``threatexchange/extensions/vpdq/vpdq_brute_matcher.py`` and ``vpdq_util.py``
(facebook/ThreatExchange), also written out in ``vpdq/README.md``: each video is reduced to its
*distinct* frame hashes of quality >= ``QUALITY_TOLERANCE`` (the caller filters quality, this
module removes duplicates); the query match percentage is the share of the query's distinct
hashes with at least one of the compared video's hashes within ``distance`` bits (``<=``), and
the compared match percentage is the same the other way round.

``search`` requires both percentages to reach one threshold (80 by default). Meta's sources
disagree on the per-side defaults: python-threatexchange's ``VPDQIndex`` and
``VPDQSignal.compare_hash`` require query >= 80 and compared >= 0, while ``vpdq/README.md``
gives compared >= 80 and query >= 0 as examples; ``query_threshold`` and ``compared_threshold``
reproduce either.

Every distinct frame of every indexed video is a row of the ``PdqIndex`` under its own label.
Because the index returns *every* (query frame, indexed frame) pair within the distance, one
search yields both percentages for every candidate video at once: the distinct query frames that
hit a video and the distinct frames of that video that were hit.

Labels and video slots are recycled after removal so the lookup arrays stay as large as the peak
content, not the history. Not thread-safe for writers, like ``PdqIndex``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hashwarden.core.index.pdq_codec import (
    PDQ_BYTES,
    Bytes,
    as_pdq_bytes,
    pdq_hex_to_bytes,
    words_to_bytes,
)
from hashwarden.core.index.pdq_index import PdqIndex

__all__ = [
    "DEFAULT_DISTANCE",
    "DEFAULT_THRESHOLD",
    "QUALITY_TOLERANCE",
    "VideoIndex",
    "VideoMatch",
]

#: Frame hashes within this many bits match (vpdq_util.VPDQ_DISTANCE_THRESHOLD).
DEFAULT_DISTANCE = 31
#: Percentage of distinct frames that must match (vpdq_util.VPDQ_QUERY_MATCH_THRESHOLD_PERCENT).
DEFAULT_THRESHOLD = 80.0
#: Frames below this PDQ quality are dropped by the caller before add/search.
QUALITY_TOLERANCE = 50

Ints = npt.NDArray[np.int64]
_ROW = np.dtype((np.void, PDQ_BYTES))


@dataclass(frozen=True)
class VideoMatch:
    """One indexed video compared with a query; percentages of distinct frames, 0..100."""

    video_id: int
    query_match_percent: float
    compared_match_percent: float


@dataclass(frozen=True)
class _Scores:
    video_id: Ints
    query_percent: npt.NDArray[np.float64]
    compared_percent: npt.NDArray[np.float64]


class VideoIndex:
    """Videos as bags of distinct PDQ frame hashes, searched with the vPDQ rule."""

    def __init__(self) -> None:
        self._index = PdqIndex()
        # Frame label -> slot of its video, -1 for a free label.
        self._frame_slot = np.zeros(0, dtype=np.int32)
        self._label_end = 0
        self._free_labels: list[Ints] = []
        # Slot -> video id / distinct frame count / frame labels; a slot is freed on removal.
        self._slot_video = np.zeros(0, dtype=np.int64)
        self._slot_frames = np.zeros(0, dtype=np.int64)
        self._slot_labels: list[Ints | None] = []
        self._free_slots: list[int] = []
        self._slots: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, video_id: object) -> bool:
        return video_id in self._slots

    def frame_count(self) -> int:
        """Distinct frame hashes indexed, summed over videos."""
        return len(self._index)

    def memory_bytes(self) -> int:
        """The PDQ index plus the maps (Python containers estimated with ``sys.getsizeof``)."""
        arrays = self._frame_slot.nbytes + self._slot_video.nbytes + self._slot_frames.nbytes
        free = sum(a.nbytes for a in self._free_labels) + sys.getsizeof(self._free_slots)
        labels = sum(sys.getsizeof(a) for a in self._slot_labels if a is not None)
        # Each key is an int object of its own (~32 bytes); the slot values are mostly cached.
        slots = sys.getsizeof(self._slots) + 32 * len(self._slots)
        containers = sys.getsizeof(self._slot_labels)
        return self._index.memory_bytes() + arrays + free + labels + slots + containers

    def rows(self) -> tuple[Ints, Bytes]:
        """Every indexed frame as (video id, 32-byte hash) rows, for saving the index."""
        labels, words = self._index.live()
        order = np.argsort(labels, kind="stable")
        labels = labels[order]
        video_ids = self._slot_video[self._frame_slot[labels]]
        return video_ids.astype(np.int64), words_to_bytes(words[order])

    @classmethod
    def from_rows(cls, video_ids: npt.ArrayLike, frames: npt.ArrayLike) -> VideoIndex:
        """The index ``rows`` describes (frames of one video may be anywhere in the rows)."""
        ids = np.asarray(video_ids, dtype=np.int64)
        hashes = as_pdq_bytes(frames)
        index = cls()
        if not len(ids):
            return index
        order = np.argsort(ids, kind="stable")
        ids, hashes = ids[order], hashes[order]
        starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
        ends = np.append(starts[1:], len(ids))
        index._add_rows({int(ids[a]): hashes[a:b] for a, b in zip(starts, ends, strict=True)})
        return index

    def add(self, video_id: int, frame_hashes: Sequence[str]) -> None:
        """Index a video's quality-filtered hex frame hashes, replacing any video of that id.

        A video with no frame hashes is not indexed (so re-adding it empty removes it).
        """
        self.add_many([(video_id, frame_hashes)])

    def add_many(self, videos: Iterable[tuple[int, Sequence[str]]]) -> None:
        """``add`` for many videos with one index update; the last entry of an id wins."""
        parsed: dict[int, Bytes] = {}
        # Parse everything first so bad input leaves the index untouched.
        for video_id, hashes in videos:
            parsed[int(video_id)] = _parse_hex(hashes)
        self._add_rows(parsed)

    def _add_rows(self, videos: dict[int, Bytes]) -> None:
        parsed = {video_id: _distinct_rows(rows) for video_id, rows in videos.items()}
        self.remove(parsed)
        fresh = {vid: rows for vid, rows in parsed.items() if len(rows)}
        if not fresh:
            return
        total = sum(len(rows) for rows in fresh.values())
        labels = self._allocate_labels(total)
        start = 0
        for video_id, rows in fresh.items():
            slot = self._allocate_slot(video_id)
            own = labels[start : start + len(rows)]
            start += len(rows)
            self._slot_labels[slot] = own
            self._slot_frames[slot] = len(own)
            self._frame_slot[own] = slot
        self._index.add(labels, np.concatenate(list(fresh.values())))

    def remove(self, video_ids: Iterable[int]) -> int:
        """Drop videos; returns how many were indexed."""
        slots = [self._slots.pop(v) for v in {int(v) for v in video_ids} if v in self._slots]
        if not slots:
            return 0
        gone: list[Ints] = []
        for slot in slots:
            labels = self._slot_labels[slot]
            assert labels is not None
            gone.append(labels)
            self._slot_labels[slot] = None
            self._slot_frames[slot] = 0
            self._slot_video[slot] = -1
        labels = np.concatenate(gone)
        self._index.remove(labels)
        self._frame_slot[labels] = -1
        self._free_labels.append(labels)
        self._free_slots.extend(slots)
        return len(slots)

    def search(
        self,
        query_hashes: Sequence[str],
        *,
        distance: int = DEFAULT_DISTANCE,
        threshold: float = DEFAULT_THRESHOLD,
        query_threshold: float | None = None,
        compared_threshold: float | None = None,
    ) -> list[VideoMatch]:
        """Videos matching the quality-filtered hex ``query_hashes`` under the vPDQ rule.

        Both percentages must reach ``threshold`` unless overridden per side. Sorted by the
        smaller percentage, highest first, then video id.
        """
        scores = self._score(query_hashes, distance)
        q_min = threshold if query_threshold is None else query_threshold
        c_min = threshold if compared_threshold is None else compared_threshold
        keep = (scores.query_percent >= q_min) & (scores.compared_percent >= c_min)
        return _matches(scores, keep)

    def candidates(
        self, query_hashes: Sequence[str], *, distance: int = DEFAULT_DISTANCE
    ) -> list[VideoMatch]:
        """Every video with a frame within ``distance`` of a query frame, ordered as ``search``."""
        scores = self._score(query_hashes, distance)
        return _matches(scores, np.ones(len(scores.video_id), dtype=bool))

    def _score(self, query_hashes: Sequence[str], distance: int) -> _Scores:
        queries = _distinct_rows(_parse_hex(query_hashes))
        result = self._index.search(queries, distance)
        if not len(result):
            empty = np.zeros(0, dtype=np.float64)
            return _Scores(np.zeros(0, dtype=np.int64), empty, empty.copy())
        slot = self._frame_slot[result.label].astype(np.int64)
        # Distinct (video, query frame) pairs: a query frame hitting several frames of one
        # video counts once for it.
        pairs = np.unique(slot * len(queries) + result.query)
        slots, query_hits = _run_lengths(pairs // len(queries))
        # Labels are distinct frames and belong to one video each, so distinct labels grouped
        # by video count the video's frames that were hit.
        hit_slots, frame_hits = _run_lengths(np.sort(self._frame_slot[np.unique(result.label)]))
        assert np.array_equal(slots, hit_slots)
        # count * 100 / total as in vpdq_brute_matcher, so threshold ties agree exactly.
        return _Scores(
            self._slot_video[slots],
            query_hits * 100.0 / len(queries),
            frame_hits * 100.0 / self._slot_frames[slots],
        )

    def _allocate_labels(self, count: int) -> Ints:
        parts: list[Ints] = []
        need = count
        while need and self._free_labels:
            chunk = self._free_labels.pop()
            if len(chunk) > need:
                self._free_labels.append(chunk[need:])
                chunk = chunk[:need]
            parts.append(chunk)
            need -= len(chunk)
        if need:
            end = self._label_end + need
            if end > len(self._frame_slot):
                grown = np.full(max(end, 2 * len(self._frame_slot)), -1, dtype=np.int32)
                grown[: self._label_end] = self._frame_slot[: self._label_end]
                self._frame_slot = grown
            parts.append(np.arange(self._label_end, end, dtype=np.int64))
            self._label_end = end
        return np.concatenate(parts) if len(parts) != 1 else parts[0]

    def _allocate_slot(self, video_id: int) -> int:
        if self._free_slots:
            slot = self._free_slots.pop()
        else:
            slot = len(self._slot_labels)
            self._slot_labels.append(None)
            if slot >= len(self._slot_video):
                size = max(16, 2 * len(self._slot_video))
                self._slot_video = np.resize(self._slot_video, size)
                self._slot_frames = np.resize(self._slot_frames, size)
        self._slots[video_id] = slot
        self._slot_video[slot] = video_id
        return slot


def _matches(scores: _Scores, keep: npt.NDArray[np.bool_]) -> list[VideoMatch]:
    ids = scores.video_id[keep]
    q = scores.query_percent[keep]
    c = scores.compared_percent[keep]
    order = np.lexsort((ids, -np.minimum(q, c)))
    return [
        VideoMatch(int(v), float(qp), float(cp))
        for v, qp, cp in zip(ids[order].tolist(), q[order].tolist(), c[order].tolist(), strict=True)
    ]


def _parse_hex(values: Sequence[str]) -> Bytes:
    """Hex strings -> (N, 32) uint8; one ``bytes.fromhex`` call in the common case."""
    if not len(values):
        return np.zeros((0, PDQ_BYTES), dtype=np.uint8)
    # Lengths are checked one by one: a short string next to a long one would still join
    # into the right number of hex digits, shifted.
    if set(map(len, values)) == {2 * PDQ_BYTES}:
        try:
            raw = bytes.fromhex("".join(values))
        except ValueError:
            raw = b""
        # fromhex skips whitespace, so any in the input shows up as missing bytes.
        if len(raw) == PDQ_BYTES * len(values):
            return np.frombuffer(raw, dtype=np.uint8).reshape(len(values), PDQ_BYTES)
    # The codec strips whitespace and raises InvalidSignalError naming the bad value.
    return pdq_hex_to_bytes(values)


def _distinct_rows(rows: Bytes) -> Bytes:
    """Rows with exact duplicates removed (first occurrence kept, order preserved)."""
    if len(rows) < 2:
        return rows
    keys = np.ascontiguousarray(rows).view(_ROW).ravel()
    _, first = np.unique(keys, return_index=True)
    if len(first) == len(rows):
        return rows
    return rows[np.sort(first)]


def _run_lengths(values: Ints) -> tuple[Ints, Ints]:
    """Distinct values of a sorted array and how often each occurs."""
    starts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
    counts = np.diff(np.append(starts, len(values)))
    return values[starts], counts
