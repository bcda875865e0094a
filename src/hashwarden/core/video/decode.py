"""Opening a video with PyAV (FFmpeg) and walking its frames, under ``VideoLimits``.

Frames that a sample or another frame needs are decoded (non-reference frames no sample needs
are dropped by the decoder unread); only sampled frames are handed on, none converted to RGB.
FFmpeg's errors become ``MediaError``s that name the file and say what is wrong.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

import av
import av.error

from hashwarden.core.errors import (
    CorruptMediaError,
    EmptyMediaError,
    MediaTooLargeError,
    UnreadableMediaError,
    UnsupportedMediaError,
)
from hashwarden.core.video.errors import VideoTimeoutError
from hashwarden.core.video.limits import VideoLimits
from hashwarden.core.video.models import VideoInfo

#: Frame rate assumed when a stream declares none (timestamps then come from the frames).
FALLBACK_RATE = 30.0


@dataclass(frozen=True, slots=True)
class DecodedFrame:
    number: int
    timestamp: float
    frame: Any  # av.VideoFrame


@dataclass(slots=True)
class DecodeProgress:
    #: Frames decoded so far, sampled or not.
    decoded: int = 0


class Sampler:
    """Which frames vPDQ hashes: every ``int(seconds * rate)``-th frame, counting from 0.

    Meta's rule (``filehasher.cpp``: truncated, so 29.97 fps samples every 29th frame), so
    sampled hashes line up with lists made by Meta's tools; ``seconds == 0``: every frame.
    """

    def __init__(self, frame_rate: float, seconds_per_hash: float) -> None:
        self.step = 1 if seconds_per_hash <= 0 else max(1, int(frame_rate * seconds_per_hash))

    def wants(self, number: int) -> bool:
        return number % self.step == 0


@contextmanager
def open_video(source: Path | IO[bytes], name: str, limits: VideoLimits) -> Iterator[Any]:
    """The opened container; FFmpeg's refusal becomes a clear ``MediaError``."""
    try:
        container = av.open(source, mode="r", metadata_errors="ignore")
    except av.error.FileNotFoundError as exc:
        raise UnreadableMediaError(name, "no such file") from exc
    except av.error.PermissionError as exc:
        raise UnreadableMediaError(name, "permission denied") from exc
    except av.error.EOFError as exc:
        raise CorruptMediaError(name, "the file ends before its header does") from exc
    except (av.error.InvalidDataError, av.error.FFmpegError) as exc:
        raise CorruptMediaError(name, _ffmpeg_detail(exc)) from exc
    try:
        yield container
    finally:
        container.close()


def describe_stream(container: Any, name: str, limits: VideoLimits) -> tuple[Any, VideoInfo]:
    """The first video stream and what it declares; refuses what the limits forbid up front."""
    if not container.streams.video:
        kinds = sorted({stream.type for stream in container.streams})
        detail = f"no video stream (it has: {', '.join(kinds)})" if kinds else "no video stream"
        raise UnsupportedMediaError(name, detail)
    stream = container.streams.video[0]
    context = stream.codec_context
    width, height = int(context.width or 0), int(context.height or 0)
    check_pixels(width, height, name, limits)
    rate = _rate(stream)
    duration = _duration(container, stream)
    if duration > limits.max_seconds:
        raise MediaTooLargeError(
            name, f"{duration:.0f} s long > limit {limits.max_seconds:.0f} s"
        )
    info = VideoInfo(
        width=width,
        height=height,
        frame_rate=rate,
        duration=duration,
        codec=str(context.name),
    )
    return stream, info


def check_pixels(width: int, height: int, name: str, limits: VideoLimits) -> None:
    if width * height > limits.max_pixels:
        raise MediaTooLargeError(
            name, f"{width}x{height} frames > limit of {limits.max_pixels} pixels"
        )


def decode_frames(
    container: Any,
    stream: Any,
    info: VideoInfo,
    *,
    name: str,
    limits: VideoLimits,
    sampler: Sampler,
    progress: DecodeProgress | None = None,
    threads: int = 0,
    deadline: float | None = None,
) -> Iterator[DecodedFrame]:
    """Sampled frames in display order, counting the stream's frames in ``progress``.

    Every frame is numbered by the decoder's count, as Meta's vPDQ numbers them. When sampling,
    frames are numbered by their timestamp instead (the same number in a constant-rate video),
    which lets the decoder drop the non-reference frames no sample needs before decoding them:
    half the decoding work of a typical H.264 file. ``threads`` 0 lets FFmpeg choose.
    """
    progress = progress if progress is not None else DecodeProgress()
    stream.thread_type = "AUTO"
    context = stream.codec_context
    context.thread_count = threads
    clock = _Clock(stream, info.frame_rate)
    skipping = sampler.step > 1
    counted = -1
    last = -1
    try:
        for packet in container.demux(stream):
            if packet.size:
                progress.decoded += 1
            if skipping:
                wanted = packet.pts is None or sampler.wants(clock.number(packet.pts))
                context.skip_frame = "DEFAULT" if wanted else "NONREF"
            for frame in context.decode(packet):
                counted += 1
                if deadline is not None and time.monotonic() > deadline:
                    raise VideoTimeoutError(name, f"stopped at frame {counted}")
                timestamp = clock.seconds(frame.pts, counted)
                if timestamp > limits.max_seconds:
                    raise MediaTooLargeError(
                        name, f"longer than the limit of {limits.max_seconds:.0f} s"
                    )
                number = counted
                if skipping and frame.pts is not None:
                    number = clock.number(frame.pts)
                if number <= last or not sampler.wants(number):
                    continue
                last = number
                check_pixels(int(frame.width), int(frame.height), name, limits)
                yield DecodedFrame(number, max(0.0, timestamp), frame)
    except av.error.FFmpegError as exc:
        where = f"after frame {counted}" if counted >= 0 else "before the first frame"
        raise CorruptMediaError(name, f"decoding failed {where}: {_ffmpeg_detail(exc)}") from exc
    if counted < 0:
        raise CorruptMediaError(name, "the video stream has no decodable frame")


class _Clock:
    """Frame times from timestamps, and frame numbers from times at the stream's rate."""

    def __init__(self, stream: Any, frame_rate: float) -> None:
        self.time_base = stream.time_base or Fraction(1, 1)
        self.start = stream.start_time or 0
        self.rate = frame_rate

    def seconds(self, pts: int | None, counted: int) -> float:
        if pts is None:
            return counted / self.rate
        return float((pts - self.start) * self.time_base)

    def number(self, pts: int) -> int:
        return max(0, round(float((pts - self.start) * self.time_base) * self.rate))


def check_not_empty(size: int, name: str) -> None:
    if size == 0:
        raise EmptyMediaError(name)


def _rate(stream: Any) -> float:
    for candidate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if candidate:
            value = float(candidate)
            if math.isfinite(value) and 0 < value <= 1000:
                return value
    return FALLBACK_RATE


def _duration(container: Any, stream: Any) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return float(container.duration) / av.time_base
    return 0.0


def _ffmpeg_detail(exc: Exception) -> str:
    # FFmpeg's message repeats the file name; keep its reason only.
    strerror = getattr(exc, "strerror", None)
    return str(strerror or type(exc).__name__)
