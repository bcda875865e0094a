"""Limits applied to every video before and while it is decoded."""

from __future__ import annotations

from dataclasses import dataclass

GIB = 1024**3


@dataclass(frozen=True, slots=True)
class VideoLimits:
    """Refuse what would take unbounded time or memory, before decoding where the header allows.

    ``max_pixels`` bounds each frame (a 16K x 16K header is refused before any frame is decoded,
    and a stream that changes size mid-way is checked per frame). ``max_seconds`` bounds the
    duration: declared, and as decoded (headers may lie). ``timeout`` bounds the wall time of
    the whole hashing.
    """

    max_file_bytes: int = 8 * GIB
    max_pixels: int = 8192 * 4320
    max_seconds: float = 4 * 3600.0
    timeout: float = 1800.0

    def __post_init__(self) -> None:
        if min(self.max_file_bytes, self.max_pixels) <= 0 or min(
            self.max_seconds, self.timeout
        ) <= 0:
            raise ValueError("video limits must be positive")


DEFAULT_VIDEO_LIMITS = VideoLimits()
