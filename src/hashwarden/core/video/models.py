"""What hashing a video yields: Meta vPDQ frame rows and the file's digests."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FrameHash:
    """One hashed frame, as Meta's vPDQ writes a row: ``frame,quality,hash,timestamp``."""

    #: Index of the frame among all decoded frames (0-based), sampled or not.
    frame: int
    quality: int
    hash: str
    #: Seconds from the start of the video.
    timestamp: float

    def as_json(self) -> dict[str, object]:
        return {
            "frame": self.frame,
            "quality": self.quality,
            "hash": self.hash,
            "timestamp": round(self.timestamp, 3),
        }

    def as_row(self) -> str:
        return f"{self.frame},{self.quality},{self.hash},{self.timestamp:.3f}"


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """The stream that was hashed, as its container describes it."""

    width: int
    height: int
    #: Frames per second used for sampling (the stream's average or guessed rate).
    frame_rate: float
    #: Seconds; 0.0 when the container does not say.
    duration: float
    codec: str
    #: Clockwise rotation the display matrix asks for (hashes are of the stored pixels).
    rotation: int = 0


@dataclass(frozen=True, slots=True)
class VideoHashes:
    info: VideoInfo
    frames: tuple[FrameHash, ...]
    #: Frames decoded (every frame is decoded; only sampled ones are hashed).
    decoded_frames: int
    #: Sampling used: seconds between hashed frames, 0.0 for every frame.
    seconds_per_hash: float = 1.0
    notes: tuple[str, ...] = field(default=())

    def distinct_hashes(self, min_quality: int = 0) -> set[str]:
        return {f.hash for f in self.frames if f.quality >= min_quality}
