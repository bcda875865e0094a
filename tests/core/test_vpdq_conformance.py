"""vPDQ against Meta's sample videos and frame hashes (shared/conformance/vpdq).

FFmpeg builds differ in how they turn YUV into RGB, so frame hashes cannot always be equal bit
for bit; the goal is a mean distance of at most 1.5 bits per video and at most 10 bits on any
frame. PDQ hashes of frames with quality under 50 are noise by PDQ's own definition (vPDQ's
matching drops them), so those frames are reported but held to nothing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hashwarden.core.errors import EmptyMediaError
from hashwarden.core.pdq.hexbits import hamming_distance
from hashwarden.core.video import hash_video
from shared_data import shared_dir

SHARED = shared_dir()
VPDQ = SHARED / "conformance" / "vpdq" if SHARED else None
VIDEOS = sorted((VPDQ / "videos").glob("*.mp4")) if VPDQ and VPDQ.is_dir() else []
MEAN_GOAL = 1.5
FRAME_GOAL = 10
USABLE_QUALITY = 50
#: Where Meta's own ``vpdq`` 0.2.5, built on this machine against FFmpeg 5.1, misses the goal
#: (``bench/vpdq_conformance.py``): mean and max bits over frames of quality >= 50. There the
#: bar is to do no worse than it.
VPDQ_MISSES_GOAL = {"doorknob-hd-no-bar": (5.40, 22)}

pytestmark = pytest.mark.skipif(
    not VIDEOS, reason="vPDQ conformance data not found: set HASHWARDEN_SHARED_DIR"
)


def expected_rows(video: Path) -> list[tuple[int, int, str, float]]:
    assert VPDQ is not None
    rows = []
    for line in (VPDQ / "expected" / f"{video.stem}.txt").read_text().splitlines():
        frame, quality, value, timestamp = line.strip().split(",")
        rows.append((int(frame), int(quality), value, float(timestamp)))
    return rows


@pytest.mark.parametrize("video", VIDEOS, ids=[v.stem for v in VIDEOS])
def test_every_frame_agrees_with_meta(video: Path) -> None:
    if video.stat().st_size == 0:  # two samples arrive as empty files: a clear error, no crash
        with pytest.raises(EmptyMediaError, match="file is empty"):
            hash_video(video, every_frame=True)
        return
    expected = expected_rows(video)
    result = hash_video(video, every_frame=True)
    assert [f.frame for f in result.frames] == [row[0] for row in expected]
    assert all(
        abs(f.timestamp - row[3]) < 0.0006 for f, row in zip(result.frames, expected, strict=True)
    )
    distances = np.array(
        [hamming_distance(f.hash, row[2]) for f, row in zip(result.frames, expected, strict=True)]
    )
    usable = np.array([row[1] >= USABLE_QUALITY for row in expected])
    qualities = np.array(
        [abs(f.quality - row[1]) for f, row in zip(result.frames, expected, strict=True)]
    )
    print(
        f"\n{video.stem}: {len(expected)} frames, mean {distances.mean():.2f} max "
        f"{distances.max()} | quality >= {USABLE_QUALITY}: {usable.sum()} frames, mean "
        f"{distances[usable].mean():.2f} max {distances[usable].max()} | quality off by "
        f"{qualities.max()} at most"
    )
    mean_goal, frame_goal = VPDQ_MISSES_GOAL.get(video.stem, (MEAN_GOAL, FRAME_GOAL))
    assert distances[usable].mean() <= mean_goal
    assert distances[usable].max() <= frame_goal
    assert qualities.max() <= 2


def test_rgb_conversion_matches_meta_where_clipping_matters() -> None:
    padded = [v for v in VIDEOS if v.stem == "test-padded-dimensions"]
    if not padded:
        pytest.skip("test-padded-dimensions.mp4 not in the conformance set")
    expected = expected_rows(padded[0])
    result = hash_video(padded[0], every_frame=True, via_rgb=True)
    pairs = zip(result.frames, expected, strict=True)
    distances = [hamming_distance(f.hash, row[2]) for f, row in pairs]
    assert sum(distances) / len(distances) <= 0.1


@pytest.mark.parametrize("video", VIDEOS[:1], ids=[v.stem for v in VIDEOS[:1]])
def test_one_frame_per_second_samples_meta_frames(video: Path) -> None:
    expected = {row[0]: row for row in expected_rows(video)}
    result = hash_video(video)
    assert [f.frame for f in result.frames] == list(range(0, len(expected), 30))
    assert result.decoded_frames == len(expected)
    for frame in result.frames:
        assert hamming_distance(frame.hash, expected[frame.frame][2]) <= FRAME_GOAL
