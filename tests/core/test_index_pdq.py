"""PdqIndex against a brute-force reference built on np.unpackbits (independent of the index)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from hashwarden.core.errors import InvalidSignalError
from hashwarden.core.index.pdq_chunks import (
    INDEX_BYTES_PER_HASH,
    ChunkLayout,
    choose_layout,
    layout_bytes_per_hash,
    plan_radii,
)
from hashwarden.core.index.pdq_codec import bytes_to_words, words_to_bytes
from hashwarden.core.index.pdq_index import PdqIndex, pdq_bytes_to_hex, pdq_hex_to_bytes
from hashwarden.core.index.pdq_segment import MihSegment

CONFORMANCE = Path("/work/shared/conformance/pdq")
THRESHOLDS = (0, 1, 16, 31, 32, 47, 63)

Hashes = npt.NDArray[np.uint8]
Triples = set[tuple[int, int, int]]


def reference(labels: npt.NDArray[np.int64], hashes: Hashes, queries: Hashes, t: int) -> Triples:
    found: Triples = set()
    for qi, query in enumerate(queries):
        dist = np.unpackbits(hashes ^ query, axis=1).sum(axis=1)
        for row in np.flatnonzero(dist <= t):
            found.add((qi, int(labels[row]), int(dist[row])))
    return found


def as_triples(index: PdqIndex, queries: Hashes, t: int) -> Triples:
    result = index.search(queries, t)
    triples = list(
        zip(result.query.tolist(), result.label.tolist(), result.distance.tolist(), strict=True)
    )
    assert len(triples) == len(set(triples)), "duplicate matches"
    return set(triples)


def flip_bits(rng: np.random.Generator, hashes: Hashes, max_flips: int) -> Hashes:
    out = hashes.copy()
    for row in out:
        flips = rng.choice(256, int(rng.integers(0, max_flips + 1)), replace=False)
        for bit in flips:
            row[bit // 8] ^= np.uint8(1 << (bit % 8))
    return out


def random_hashes(rng: np.random.Generator, n: int) -> Hashes:
    return rng.integers(0, 256, size=(n, 32), dtype=np.uint8)


def clustered_hashes(rng: np.random.Generator, centres: int, per_centre: int) -> Hashes:
    base = np.repeat(random_hashes(rng, centres), per_centre, axis=0)
    return flip_bits(rng, base, 12)


def queries_for(rng: np.random.Generator, hashes: Hashes) -> Hashes:
    near = flip_bits(rng, hashes[rng.integers(0, len(hashes), 40)], 70)
    return np.concatenate((near, random_hashes(rng, 5)))


@pytest.mark.parametrize("kind", ["random", "clustered"])
def test_recall_matches_brute_force(kind: str) -> None:
    rng = np.random.default_rng(7)
    hashes = random_hashes(rng, 20_000) if kind == "random" else clustered_hashes(rng, 200, 100)
    labels = rng.permutation(10**6)[: len(hashes)].astype(np.int64)
    index = PdqIndex.build(labels, hashes)
    queries = queries_for(rng, hashes)
    for t in THRESHOLDS:
        assert as_triples(index, queries, t) == reference(labels, hashes, queries, t), t


@pytest.mark.parametrize("chunks", [12, 14, 16])
def test_segment_layouts_find_everything(chunks: int) -> None:
    """The production layout (12 chunks of 21-22 bits, spanning words) and others."""
    rng = np.random.default_rng(chunks)
    hashes = clustered_hashes(rng, 300, 20)
    labels = np.arange(len(hashes), dtype=np.int64)
    segment = MihSegment.build(labels, bytes_to_words(hashes), ChunkLayout.even(chunks))
    queries = queries_for(rng, hashes)
    for t in (*THRESHOLDS, 100, 256):
        q, rows, d = segment.search(bytes_to_words(queries), t)
        got = set(zip(q.tolist(), segment.labels[rows].tolist(), d.tolist(), strict=True))
        assert got == reference(labels, hashes, queries, t), t


def test_distances_are_exact() -> None:
    rng = np.random.default_rng(3)
    hashes = random_hashes(rng, 6000)
    index = PdqIndex.build(np.arange(6000), hashes)
    query = hashes[10:11].copy()
    query[0, :4] ^= np.uint8(0xFF)  # 32 bits flipped
    result = index.search(query, 32)
    assert result.label.tolist() == [10]
    assert result.distance.tolist() == [32]
    assert index.search(query, 31).label.tolist() == []
    assert result.distance.dtype == np.int32
    assert result.query.dtype == np.int64


def test_complement_is_at_distance_256() -> None:
    hashes = np.zeros((1, 32), dtype=np.uint8)
    index = PdqIndex.build([5], hashes)
    result = index.search(np.full((1, 32), 0xFF, dtype=np.uint8), 256)
    assert result.distance.tolist() == [256]


def test_empty_index() -> None:
    index = PdqIndex()
    assert len(index) == 0
    result = index.search(np.zeros((3, 32), dtype=np.uint8), 31)
    assert len(result) == 0
    assert index.remove([1, 2]) == 0
    assert len(PdqIndex.build(np.zeros(0, dtype=np.int64), np.zeros((0, 32), np.uint8))) == 0


def test_no_queries() -> None:
    index = PdqIndex.build(np.arange(10), np.zeros((10, 32), dtype=np.uint8))
    assert len(index.search(np.zeros((0, 32), dtype=np.uint8), 31)) == 0


def test_remove_and_readd_across_tiers() -> None:
    rng = np.random.default_rng(11)
    hashes = random_hashes(rng, 12_000)
    labels = np.arange(12_000, dtype=np.int64)
    index = PdqIndex.build(labels[:8000], hashes[:8000])  # main segment
    index.add(labels[8000:], hashes[8000:])  # tail overflows into delta
    assert len(index) == 12_000
    gone = np.array([0, 1, 7999, 8000, 11_999, 10**9])
    assert index.remove(gone) == 5
    assert index.remove(gone) == 0
    assert len(index) == 11_995
    assert set(index.search(hashes[gone[:5]], 0).label.tolist()) == set()
    index.add(gone[:2], hashes[gone[:2]])
    assert index.search(hashes[:2], 0).label.tolist() == [0, 1]
    assert len(index) == 11_997


def test_adding_an_existing_label_replaces_it() -> None:
    rng = np.random.default_rng(5)
    hashes = random_hashes(rng, 6000)
    index = PdqIndex.build(np.arange(6000), hashes)
    new = random_hashes(rng, 1)
    index.add([42], new)
    assert len(index) == 6000
    assert 42 not in index.search(hashes[42:43], 31).label.tolist()
    assert index.search(new, 0).label.tolist() == [42]


def test_duplicate_labels_in_one_batch_keep_the_last() -> None:
    rng = np.random.default_rng(6)
    hashes = random_hashes(rng, 3)
    index = PdqIndex.build([1, 1, 2], hashes)
    assert len(index) == 2
    assert index.search(hashes[:1], 0).label.tolist() == []
    assert index.search(hashes[1:2], 0).label.tolist() == [1]


class SmallIndex(PdqIndex):
    tail_limit = 16
    delta_fraction = 0.5
    compact_fraction = 0.25


def test_merge_and_compaction_keep_results() -> None:
    rng = np.random.default_rng(9)
    hashes = clustered_hashes(rng, 30, 10)
    labels = np.arange(300, dtype=np.int64)
    index = SmallIndex()
    for start in range(0, 300, 7):
        index.add(labels[start : start + 7], hashes[start : start + 7])
    assert index.rebuilds > 3
    assert len(index) == 300
    queries = queries_for(rng, hashes)
    assert as_triples(index, queries, 31) == reference(labels, hashes, queries, 31)
    before = index.rebuilds
    assert index.remove(labels[:150]) == 150
    assert index.rebuilds > before  # half of main dead: compacted
    assert as_triples(index, queries, 31) == reference(labels[150:], hashes[150:], queries, 31)
    index.compact()
    assert index.memory_bytes() > 0
    assert as_triples(index, queries, 47) == reference(labels[150:], hashes[150:], queries, 47)


def test_conformance_haystack() -> None:
    needles = pdq_hex_to_bytes(CONFORMANCE.joinpath("needles.txt").read_text().split())
    haystack = pdq_hex_to_bytes(CONFORMANCE.joinpath("haystack.txt").read_text().split())
    labels = np.arange(len(haystack), dtype=np.int64)
    index = PdqIndex.build(labels, haystack)
    for t in (0, 31, 63):
        assert as_triples(index, needles, t) == reference(labels, haystack, needles, t)
    assert as_triples(index, needles, 31)  # the needles do find something


def test_hex_round_trip_and_errors() -> None:
    values = ["00" * 32, "ff" * 32, "0123456789abcdef" * 4]
    arr = pdq_hex_to_bytes(values)
    assert arr.shape == (3, 32)
    assert pdq_bytes_to_hex(arr) == values
    assert pdq_bytes_to_hex(words_to_bytes(bytes_to_words(arr))) == values
    assert pdq_hex_to_bytes(["  " + "AB" * 32 + "\n"])[0, 0] == 0xAB
    with pytest.raises(InvalidSignalError):
        pdq_hex_to_bytes(["abc"])
    with pytest.raises(InvalidSignalError):
        pdq_hex_to_bytes(["zz" * 32])


def test_rejects_bad_input() -> None:
    index = PdqIndex()
    with pytest.raises(ValueError, match="shape"):
        index.add([1], np.zeros((1, 31), dtype=np.uint8))
    with pytest.raises(ValueError, match="labels"):
        index.add([1, 2], np.zeros((1, 32), dtype=np.uint8))
    with pytest.raises(ValueError, match="threshold"):
        index.search(np.zeros((1, 32), dtype=np.uint8), 257)


@pytest.mark.parametrize("widths", [(13, 13, 12, 12, 12, 12), (23, 22, 21, 20), (16,) * 16])
def test_single_query_chunk_values_match_the_vectorised_path(widths: tuple[int, ...]) -> None:
    rng = np.random.default_rng(sum(widths))
    words = bytes_to_words(random_hashes(rng, 50))
    layout = ChunkLayout(widths)
    batch = layout.all_chunk_values(words)
    for row in range(len(words)):
        assert layout.all_chunk_values(words[row : row + 1]).tolist() == [batch[row].tolist()]
    # Independent check through Python ints.
    value = int.from_bytes(words_to_bytes(words[:1]).tobytes(), "big")
    expected = [
        (value >> (256 - start - width)) & ((1 << width) - 1)
        for start, width in zip(layout.starts, widths, strict=True)
    ]
    assert batch[0].tolist() == expected


@pytest.mark.parametrize("size", [5_000, 100_000, 10_000_000])
def test_radii_satisfy_the_pigeonhole_bound(size: int) -> None:
    layout = choose_layout(size)
    assert sum(layout.widths) <= 256
    assert layout_bytes_per_hash(layout, size) <= INDEX_BYTES_PER_HASH
    for t in range(0, 129):
        radii = plan_radii(layout, t, size)
        # A radius beyond a chunk's width probes every key of it: still exact, just brute force.
        assert sum(
            min(r, w) + 1 for r, w in zip(radii, layout.widths, strict=True)
        ) >= t + 1 or any(r >= w for r, w in zip(radii, layout.widths, strict=True))
        assert min(radii) >= -1


def test_uneven_layout_with_uncovered_bits() -> None:
    rng = np.random.default_rng(17)
    hashes = clustered_hashes(rng, 100, 30)
    labels = np.arange(len(hashes), dtype=np.int64)
    layout = ChunkLayout((14, 14, 13, 13, 13, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12))
    segment = MihSegment.build(labels, bytes_to_words(hashes), layout)
    queries = queries_for(rng, hashes)
    for t in (0, 31, 47):
        q, rows, d = segment.search(bytes_to_words(queries), t)
        got = set(zip(q.tolist(), segment.labels[rows].tolist(), d.tolist(), strict=True))
        assert got == reference(labels, hashes, queries, t), t
