"""VideoIndex: the vPDQ rule on hand-made cases, and a property test against a brute-force model."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hashwarden.core.errors import InvalidSignalError
from hashwarden.core.index.video_index import VideoIndex, VideoMatch


def random_hash(seed: int) -> int:
    return int.from_bytes(np.random.default_rng(seed).bytes(32), "big")


def flip(value: int, bits: int, seed: int = 0) -> int:
    """``value`` with exactly ``bits`` distinct bits flipped."""
    for bit in np.random.default_rng(seed).choice(256, bits, replace=False):
        value ^= 1 << int(bit)
    return value


def hexes(values: list[int]) -> list[str]:
    return [f"{v:064x}" for v in values]


def frames(first_seed: int, count: int) -> list[str]:
    return hexes([random_hash(first_seed + i) for i in range(count)])


def test_identical_video_matches_fully() -> None:
    index = VideoIndex()
    video = frames(0, 12)
    index.add(7, video)
    index.add(8, frames(100, 12))
    assert index.search(video) == [VideoMatch(7, 100.0, 100.0)]


def test_clip_of_a_longer_video() -> None:
    index = VideoIndex()
    video = frames(0, 10)
    index.add(1, video)
    clip = video[:5]
    assert index.candidates(clip) == [VideoMatch(1, 100.0, 50.0)]
    assert index.search(clip) == []
    assert index.search(clip, compared_threshold=0.0) == [VideoMatch(1, 100.0, 50.0)]
    # The longer video as the query against the clip indexed: the sides swap.
    index.add(2, clip)
    assert index.search(video, query_threshold=0.0) == [
        VideoMatch(1, 100.0, 100.0),
        VideoMatch(2, 50.0, 100.0),
    ]


def test_threshold_is_inclusive() -> None:
    index = VideoIndex()
    video = frames(0, 5)
    index.add(1, video)
    query = [*video[:4], *frames(50, 1)]
    assert index.search(query) == [VideoMatch(1, 80.0, 80.0)]
    assert index.search(query, threshold=80.1) == []


@pytest.mark.parametrize(
    ("bits", "distance", "hit"), [(31, 31, True), (32, 31, False), (32, 32, True)]
)
def test_distance_boundary(bits: int, distance: int, hit: bool) -> None:
    base = random_hash(1)
    index = VideoIndex()
    index.add(1, hexes([base]))
    query = hexes([flip(base, bits, seed=bits)])
    expected = [VideoMatch(1, 100.0, 100.0)] if hit else []
    assert index.search(query, distance=distance) == expected
    assert index.candidates(query, distance=distance) == expected


def test_duplicate_frames_count_once() -> None:
    a, b, c = frames(0, 3)
    index = VideoIndex()
    index.add(1, [a, a, a, b])
    assert index.frame_count() == 2
    # Query {a}: all of it matched; video {a, b}: half of it.
    assert index.candidates([a, a, a]) == [VideoMatch(1, 100.0, 50.0)]
    # Query {a, c} with a repeated: half of it matched; three copies of a do not tip it.
    assert index.candidates([a, a, a, c]) == [VideoMatch(1, 50.0, 50.0)]


def test_one_query_frame_near_several_frames_of_a_video() -> None:
    base = random_hash(3)
    near = [flip(base, 2, seed=s) for s in range(4)]
    index = VideoIndex()
    index.add(1, hexes(near))
    # One distinct query frame, four distinct video frames, each within reach of the other.
    assert index.candidates(hexes([base])) == [VideoMatch(1, 100.0, 100.0)]


def test_percentages_keep_their_fraction() -> None:
    index = VideoIndex()
    video = frames(0, 3)
    index.add(1, video)
    [match] = index.candidates([video[0], *frames(10, 2)])
    assert match.query_match_percent == 1 * 100 / 3
    assert match.compared_match_percent == 1 * 100 / 3


def test_order_by_smaller_percentage_then_id() -> None:
    index = VideoIndex()
    query = frames(0, 4)
    index.add(5, query[:2])  # 50 / 100
    index.add(3, query)  # 100 / 100
    index.add(4, query[:2])  # 50 / 100
    index.add(9, [*query, *frames(20, 4)])  # 100 / 50
    index.add(1, [*query[:3], *frames(30, 1)])  # 75 / 75
    got = [m.video_id for m in index.candidates(query)]
    assert got == [3, 1, 4, 5, 9]


def test_replace_and_remove() -> None:
    index = VideoIndex()
    old, new = frames(0, 6), frames(100, 4)
    index.add(1, old)
    index.add(2, old)
    index.add(1, new)
    assert len(index) == 2
    assert index.frame_count() == 10
    assert [m.video_id for m in index.search(old)] == [2]
    assert index.search(new) == [VideoMatch(1, 100.0, 100.0)]
    assert index.remove([2, 2, 99]) == 1
    assert index.search(old) == []
    assert len(index) == 1
    assert 2 not in index
    # Replacing with nothing removes the video.
    index.add(1, [])
    assert len(index) == 0
    assert index.frame_count() == 0
    assert index.search(new) == []
    assert index.remove([1]) == 0


def test_add_many_last_entry_wins() -> None:
    index = VideoIndex()
    index.add_many([(1, frames(0, 3)), (2, frames(10, 3)), (1, frames(20, 2))])
    assert index.frame_count() == 5
    assert index.search(frames(20, 2)) == [VideoMatch(1, 100.0, 100.0)]
    assert index.candidates(frames(0, 3)) == []


def test_empty_query_and_empty_index() -> None:
    index = VideoIndex()
    assert index.search(frames(0, 3)) == []
    index.add(1, frames(0, 3))
    assert index.search([]) == []
    assert index.candidates([]) == []


def test_bad_hex_leaves_the_index_alone() -> None:
    index = VideoIndex()
    video = frames(0, 3)
    index.add(1, video)
    with pytest.raises(InvalidSignalError):
        index.add(1, [video[0], "zz" * 32])
    with pytest.raises(InvalidSignalError):
        index.search(["abc"])
    # Right number of hex digits in all, split at the wrong place.
    with pytest.raises(InvalidSignalError):
        index.search([video[0][:62], video[0][62:] + video[1]])
    assert index.search(video) == [VideoMatch(1, 100.0, 100.0)]


def test_hex_with_whitespace_or_upper_case() -> None:
    index = VideoIndex()
    video = frames(0, 2)
    index.add(1, [f" {video[0].upper()}\n", video[1]])
    assert index.search(video) == [VideoMatch(1, 100.0, 100.0)]


def test_labels_are_recycled() -> None:
    index = VideoIndex()
    for round_ in range(20):
        index.add(round_ % 3, frames(round_ * 10, 8))
        index.remove([(round_ + 1) % 3])
    # At most three videos of eight frames were ever live at once.
    assert index._label_end <= 24
    assert index.frame_count() == 8 * len(index)


# --- property test against a plain implementation of the rule ---

BASES = [random_hash(1000 + i) for i in range(3)]


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def brute_force(
    query: list[int], videos: dict[int, list[int]], max_distance: int
) -> list[VideoMatch]:
    """Every video with a match, percentages as in Meta's vpdq_brute_matcher."""
    q = list(dict.fromkeys(query))
    out = []
    for video_id, hashes in videos.items():
        c = list(dict.fromkeys(hashes))
        q_hits = sum(any(distance(a, b) <= max_distance for b in c) for a in q)
        c_hits = sum(any(distance(a, b) <= max_distance for a in q) for b in c)
        if q_hits:
            out.append(VideoMatch(video_id, q_hits * 100 / len(q), c_hits * 100 / len(c)))
    out.sort(key=lambda m: (-min(m.query_match_percent, m.compared_match_percent), m.video_id))
    return out


frame_values = st.one_of(
    st.sampled_from(BASES),
    st.builds(flip, st.sampled_from(BASES), st.integers(0, 40), st.integers(0, 10**6)),
)
video_ids = st.integers(0, 8)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), video_ids, st.lists(frame_values, max_size=8)),
        st.tuples(st.just("remove"), st.lists(video_ids, max_size=3)),
    ),
    max_size=15,
)


@settings(max_examples=200, deadline=None)
@given(
    operations,
    st.lists(frame_values, max_size=8),
    st.sampled_from([0, 10, 31, 32, 45]),
    st.sampled_from([0.0, 50.0, 80.0, 100.0]),
)
def test_matches_brute_force(
    ops: list[tuple[Any, ...]], query: list[int], max_distance: int, threshold: float
) -> None:
    index = VideoIndex()
    model: dict[int, list[int]] = {}
    for op in ops:
        if op[0] == "add":
            _, video_id, values = op
            index.add(video_id, hexes(values))
            model.pop(video_id, None)
            if values:
                model[video_id] = values
        else:
            assert index.remove(op[1]) == len(set(op[1]) & model.keys())
            for video_id in op[1]:
                model.pop(video_id, None)
    assert len(index) == len(model)
    assert index.frame_count() == sum(len(set(v)) for v in model.values())

    expected = brute_force(query, model, max_distance)
    assert index.candidates(hexes(query), distance=max_distance) == expected
    wanted = [
        m for m in expected if min(m.query_match_percent, m.compared_match_percent) >= threshold
    ]
    assert index.search(hexes(query), distance=max_distance, threshold=threshold) == wanted
