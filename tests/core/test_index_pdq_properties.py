"""Property tests: random add/remove/search sequences against a dict-based brute-force model."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hashwarden.core.index.pdq_index import PdqIndex


class TinyIndex(PdqIndex):
    """Merges and compactions after a handful of operations instead of thousands."""

    tail_limit = 6
    delta_fraction = 0.5
    compact_fraction = 0.3


def distance(a: bytes, b: bytes) -> int:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).bit_count()


def derive(seed: int, base: bytes, flips: int) -> bytes:
    """A hash ``flips`` bits from ``base`` (so near matches are common)."""
    rng = np.random.default_rng(seed)
    value = int.from_bytes(base, "big")
    for bit in rng.choice(256, flips, replace=False):
        value ^= 1 << int(bit)
    return value.to_bytes(32, "big")


BASES = [bytes(np.random.default_rng(i).integers(0, 256, 32, dtype=np.uint8)) for i in range(4)]

hash_values = st.builds(derive, st.integers(0, 10**6), st.sampled_from(BASES), st.integers(0, 60))
labels = st.integers(0, 40)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.lists(st.tuples(labels, hash_values), max_size=12)),
        st.tuples(st.just("remove"), st.lists(labels, max_size=8)),
    ),
    max_size=25,
)


def to_array(values: list[bytes]) -> np.ndarray:
    return np.frombuffer(b"".join(values), dtype=np.uint8).reshape(len(values), 32)


@settings(max_examples=150, deadline=None)
@given(operations, st.lists(hash_values, min_size=1, max_size=4), st.integers(0, 80))
def test_random_operations_match_model(
    ops: list[tuple[str, list[Any]]], queries: list[bytes], threshold: int
) -> None:
    index = TinyIndex()
    model: dict[int, bytes] = {}
    for op, items in ops:
        if op == "add":
            if not items:
                continue
            index.add(np.array([k for k, _ in items]), to_array([v for _, v in items]))
            model.update(dict(items))
        else:
            present = {k for k in items if k in model}
            assert index.remove(np.array(items, dtype=np.int64)) == len(present)
            for k in present:
                del model[k]
        assert len(index) == len(model)
    result = index.search(to_array(queries), threshold)
    got = set(
        zip(result.query.tolist(), result.label.tolist(), result.distance.tolist(), strict=True)
    )
    expected = {
        (qi, label, distance(q, value))
        for qi, q in enumerate(queries)
        for label, value in model.items()
        if distance(q, value) <= threshold
    }
    assert got == expected
    assert len(got) == len(result)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(labels, hash_values), max_size=60), st.sampled_from([0, 16, 31, 32]))
def test_build_matches_model(items: list[tuple[int, bytes]], threshold: int) -> None:
    model = dict(items)
    values = [v for _, v in items]
    index = TinyIndex.build(np.array([k for k, _ in items], dtype=np.int64), to_array(values))
    assert len(index) == len(model)
    query = BASES[0]
    result = index.search(to_array([query]), threshold)
    expected = {k for k, v in model.items() if distance(query, v) <= threshold}
    assert set(result.label.tolist()) == expected
