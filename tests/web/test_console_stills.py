"""Still frames of videos for the console viewer: spread, upright, bounded, cached briefly."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hashwarden.core.errors import (
    CorruptMediaError,
    MediaTooLargeError,
    UnsupportedMediaError,
)
from hashwarden.core.video.limits import VideoLimits
from hashwarden.web.console import stills
from hashwarden.web.console.previews import MAX_SIDE
from hashwarden.web.console.stills import StillCache, extract_stills
from video_samples import write_audio_only, write_video


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("videos")


def _video(folder: Path, name: str, **options: object) -> bytes:
    return write_video(folder / f"{name}.mp4", **options).read_bytes()  # type: ignore[arg-type]


def test_six_stills_from_the_middles_of_six_parts(folder: Path) -> None:
    stills = extract_stills(_video(folder, "plain", seconds=6, rate=10, style=1))
    assert [round(s.timestamp, 1) for s in stills] == [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]
    assert {s.image.mode for s in stills} == {"RGB"}
    assert len({s.image.tobytes() for s in stills}) == 6


def test_a_short_video_gives_every_frame(folder: Path) -> None:
    stills = extract_stills(_video(folder, "short", seconds=0.3, rate=10))
    assert [round(s.timestamp, 1) for s in stills] == [0.0, 0.1, 0.2]


def test_a_variable_rate_video_is_spread_over_its_frames(folder: Path) -> None:
    times = [0.0, 0.1, 0.15, 1.0, 2.5, 2.6, 4.0, 7.0, 7.1, 9.0, 9.5, 12.0]
    stills = extract_stills(_video(folder, "vfr", timestamps=times), count=4)
    assert [round(s.timestamp, 2) for s in stills] == [0.1, 2.5, 7.0, 9.5]


def test_large_frames_are_scaled_down_before_anything_else(folder: Path) -> None:
    (still,) = extract_stills(_video(folder, "wide", seconds=0.1, rate=10, width=1280,
                                     height=720), count=1)  # fmt: skip
    assert still.image.size == (MAX_SIDE, 360)


def test_a_rotated_video_is_shown_upright(folder: Path) -> None:
    plain = extract_stills(_video(folder, "upright", seconds=1, rate=10, style=3), count=1)
    turned = extract_stills(_video(folder, "turned", seconds=1, rate=10, style=3, rotation=90),
                            count=1)  # fmt: skip
    image = np.asarray(turned[0].image.convert("L"), dtype=float)
    # The display matrix turns counter-clockwise (FFmpeg's convention, as its players show it).
    ccw = np.asarray(plain[0].image.transpose(Image.Transpose.ROTATE_90).convert("L"), float)
    cw = np.asarray(plain[0].image.transpose(Image.Transpose.ROTATE_270).convert("L"), float)
    assert image.shape == ccw.shape == (96, 64)
    assert np.abs(image - ccw).mean() < 5 < np.abs(image - cw).mean()


def test_what_is_not_a_playable_video_is_refused(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(UnsupportedMediaError):
        extract_stills(write_audio_only(folder / "tone.m4a").read_bytes())
    with pytest.raises(CorruptMediaError):
        extract_stills(b"\x00\x00\x00\x18ftypmp42" + b"not a video" * 100)
    video = _video(folder, "limits", seconds=2, rate=10)
    with pytest.raises(MediaTooLargeError):
        extract_stills(video, limits=VideoLimits(max_seconds=1.0))
    with pytest.raises(MediaTooLargeError):
        extract_stills(video, limits=VideoLimits(max_pixels=96 * 63))
    monkeypatch.setattr(stills, "MAX_FRAMES", 19)
    with pytest.raises(MediaTooLargeError, match="more than 19 frames"):
        extract_stills(video)


def test_the_cache_decodes_a_video_once_for_a_whole_strip(folder: Path) -> None:
    video = _video(folder, "strip", seconds=1, rate=10)
    reads: list[int] = []

    def content() -> bytes:
        reads.append(1)
        return video

    cache = StillCache()
    # A browser asks for the strip's images at once.
    threads = [threading.Thread(target=cache.stills, args=("k", content)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reads) == 1 and len(cache) == 1
    assert cache.stills("gone", lambda: None) is None and len(cache) == 1


def test_the_cache_forgets_soon(folder: Path) -> None:
    video = _video(folder, "forget", seconds=0.2, rate=10)
    now = [0.0]
    cache = StillCache(size=2, ttl=60.0, clock=lambda: now[0])
    for key in ("a", "b", "c"):
        cache.stills(key, lambda: video)
    assert len(cache) == 2  # the oldest went
    cache.forget("b")
    assert len(cache) == 1
    now[0] = 61.0
    decoded: list[str] = []
    cache.stills("d", lambda: decoded.append("d") or video)
    assert decoded == ["d"] and len(cache) == 1  # "c" timed out
