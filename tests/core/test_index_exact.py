"""ExactIndex: lookups, multiple labels per value, replacement, removal, and a model check."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hashwarden.core.index.exact import ExactIndex, value_key


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def test_finds_exact_values_per_type() -> None:
    index = ExactIndex()
    index.add(np.array([1, 2]), "md5", [md5("a"), md5("b")])
    index.add([3], "sha1", [hashlib.sha1(b"a").hexdigest()])
    assert index.search("md5", [md5("b"), md5("zzz"), md5("a")]) == [(0, 2), (2, 1)]
    assert index.search("sha1", [md5("a")]) == []
    assert index.search("sha256", [md5("a")]) == []
    assert len(index) == 3
    assert sorted(index.signal_types()) == ["md5", "sha1"]


def test_several_labels_share_a_value() -> None:
    index = ExactIndex()
    index.add([5, 1, 9], "md5", [md5("x")] * 3)
    assert index.search("md5", [md5("x")]) == [(0, 1), (0, 5), (0, 9)]
    assert index.remove([5]) == 1
    assert index.search("md5", [md5("x")]) == [(0, 1), (0, 9)]
    assert index.remove([1, 9, 1000]) == 2
    assert index.search("md5", [md5("x")]) == []
    assert len(index) == 0


def test_readding_a_label_replaces_its_value() -> None:
    index = ExactIndex()
    index.add([1], "md5", [md5("old")])
    index.add([1], "sha256", [hashlib.sha256(b"new").hexdigest()])
    assert index.search("md5", [md5("old")]) == []
    assert index.search("sha256", [hashlib.sha256(b"new").hexdigest()]) == [(0, 1)]
    index.add([2, 2], "md5", [md5("first"), md5("second")])
    assert index.search("md5", [md5("first"), md5("second")]) == [(1, 2)]
    assert len(index) == 2


def test_opaque_values_are_case_sensitive_and_kept_verbatim() -> None:
    index = ExactIndex()
    index.add([1, 2, 3], "photodna", ["ABCD", "abcd", "1,2,3,4"])
    assert index.search("photodna", ["abcd", "ABCD", "1,2,3,4", "abc"]) == [
        (0, 2),
        (1, 1),
        (2, 3),
    ]
    assert value_key("abcd") == b"\xab\xcd"
    assert value_key("ABCD") == "ABCD"
    assert value_key("abc") == "abc"


def test_length_mismatch_is_rejected() -> None:
    with pytest.raises(ValueError, match="labels"):
        ExactIndex().add([1, 2], "md5", [md5("a")])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(
                st.just("add"),
                st.lists(st.tuples(st.integers(0, 20), st.sampled_from("abcd")), max_size=6),
            ),
            st.tuples(st.just("remove"), st.lists(st.integers(0, 20), max_size=5)),
        ),
        max_size=30,
    )
)
def test_matches_a_dict_model(ops: list[tuple[str, list[Any]]]) -> None:
    index = ExactIndex()
    model: dict[int, str] = {}
    for op, items in ops:
        if op == "add":
            index.add([k for k, _ in items], "md5", [md5(v) for _, v in items])
            model.update({k: md5(v) for k, v in items})
        else:
            present = {k for k in items if k in model}
            assert index.remove(items) == len(present)
            for k in present:
                del model[k]
    queries = [md5(v) for v in "abcde"]
    expected = sorted(
        (q, k) for q, value in enumerate(queries) for k, v in model.items() if v == value
    )
    assert sorted(index.search("md5", queries)) == expected
    assert len(index) == len(model)
