"""Bad and unusual videos: a clear error or a correct result, never a hang or a crash."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from hashwarden.core.errors import (
    CorruptMediaError,
    EmptyMediaError,
    MediaError,
    MediaTooLargeError,
    UnsupportedMediaError,
)
from hashwarden.core.media.hashing import hash_media
from hashwarden.core.pdq.hexbits import hamming_distance
from hashwarden.core.video import VideoLimits, hash_video
from hashwarden.core.video.errors import VideoTimeoutError
from hashwarden.core.video.options import VideoOptions
from video_samples import write_audio_only, write_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_video(tmp_path_factory.mktemp("video") / "clip.mp4", seconds=3.0)


def test_a_plain_clip_samples_one_frame_per_second(clip: Path) -> None:
    result = hash_video(clip)
    assert [f.frame for f in result.frames] == [0, 10, 20]
    assert [f.timestamp for f in result.frames] == [0.0, 1.0, 2.0]
    assert result.decoded_frames == 30
    assert all(f.quality == 100 for f in result.frames)
    every = hash_video(clip, every_frame=True)
    assert len(every.frames) == 30
    assert hash_video(clip, seconds_per_hash=0.5).frames[1].frame == 5


def test_bytes_and_path_give_the_same_hashes(clip: Path) -> None:
    assert hash_video(clip.read_bytes()).frames == hash_video(clip).frames


def test_hash_media_reports_a_video(clip: Path) -> None:
    hashes = hash_media(clip, video=VideoOptions(every_frame=True))
    record = hashes.as_json()
    assert record["media_type"] == "video"
    assert "pdq" not in record
    assert record["md5"] == hashlib.md5(clip.read_bytes()).hexdigest()
    assert hashes.vpdq is not None
    frames = record["vpdq"]
    assert isinstance(frames, list) and len(frames) == 30
    first = hashes.vpdq.frames[0]
    assert frames[0] == {"frame": 0, "quality": 100, "hash": first.hash, "timestamp": 0.0}
    assert record["video"] == {
        "width": 96, "height": 64, "frame_rate": 10.0, "duration": 3.0, "codec": "h264",
        "rotation": 0, "frames": 30, "seconds_per_hash": 0.0,
    }  # fmt: skip


def test_zero_length(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.touch()
    with pytest.raises(EmptyMediaError):
        hash_video(empty)


def test_truncated_video_is_an_error_or_a_shorter_result(clip: Path, tmp_path: Path) -> None:
    data = clip.read_bytes()
    for keep in (0.1, 0.5, 0.9):
        cut = tmp_path / f"cut-{keep}.mp4"
        cut.write_bytes(data[: int(len(data) * keep)])
        try:
            result = hash_video(cut, every_frame=True)
        except MediaError as exc:
            assert str(cut) in str(exc)
        else:
            assert len(result.frames) <= 30


def test_audio_only_is_refused_clearly(tmp_path: Path) -> None:
    sound = write_audio_only(tmp_path / "sound.mp4")
    with pytest.raises(UnsupportedMediaError, match=r"no video stream \(it has: audio\)"):
        hash_video(sound)


@pytest.mark.parametrize(
    "content",
    [b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * 40, b"\x1a\x45\xdf\xa3" + b"\xff" * 5000],
    ids=["mp4-header-then-noise", "matroska-header-then-noise"],
)
def test_corrupt_container(tmp_path: Path, content: bytes) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(content)
    with pytest.raises((CorruptMediaError, UnsupportedMediaError)) as caught:
        hash_video(broken)
    assert str(broken) in str(caught.value)


def test_resolution_limit_is_checked_before_decoding(clip: Path) -> None:
    with pytest.raises(MediaTooLargeError, match="96x64 frames > limit of 5000 pixels"):
        hash_video(clip, limits=VideoLimits(max_pixels=5000))


def test_duration_limit(clip: Path) -> None:
    with pytest.raises(MediaTooLargeError, match="s long > limit 2 s"):
        hash_video(clip, limits=VideoLimits(max_seconds=2))


def test_timeout_stops_hashing(clip: Path) -> None:
    with pytest.raises(VideoTimeoutError, match="time limit"):
        hash_video(clip, every_frame=True, limits=VideoLimits(timeout=1e-9))


def test_variable_frame_rate_keeps_real_timestamps(tmp_path: Path) -> None:
    times = [0.0, 0.1, 0.15, 0.5, 0.55, 1.4, 1.45, 2.0]
    video = write_video(tmp_path / "vfr.mp4", timestamps=times, rate=10)
    result = hash_video(video, every_frame=True)
    assert [f.frame for f in result.frames] == list(range(len(times)))
    assert [round(f.timestamp, 3) for f in result.frames] == times


def test_rotated_video_hashes_the_stored_pixels(tmp_path: Path) -> None:
    plain = hash_video(write_video(tmp_path / "plain.mp4"), every_frame=True)
    turned = hash_video(write_video(tmp_path / "turned.mp4", rotation=90), every_frame=True)
    assert turned.info.rotation != 0 and plain.info.rotation == 0
    assert [f.hash for f in turned.frames] == [f.hash for f in plain.frames]


def test_tiny_frames_hash_to_zero(tmp_path: Path) -> None:
    video = write_video(tmp_path / "tiny.mp4", width=4, height=4, codec="mpeg4")
    result = hash_video(video)
    assert result.frames[0].quality == 0 and set(result.frames[0].hash) == {"0"}


def test_other_codecs_agree_with_h264(tmp_path: Path) -> None:
    h264 = hash_video(write_video(tmp_path / "a.mp4"), every_frame=True)
    vp9 = hash_video(write_video(tmp_path / "a.webm", codec="libvpx-vp9"), every_frame=True)
    assert len(vp9.frames) == len(h264.frames)
    pairs = zip(h264.frames, vp9.frames, strict=True)
    distances = [hamming_distance(a.hash, b.hash) for a, b in pairs]
    assert max(distances) <= 31
