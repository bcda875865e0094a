"""How videos are hashed wherever media is hashed (CLI, scans, API uploads)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hashwarden.core.video.limits import DEFAULT_VIDEO_LIMITS, VideoLimits


@dataclass(frozen=True, slots=True)
class VideoOptions:
    #: Hash every frame instead of sampling.
    every_frame: bool = False
    #: Seconds between sampled frames (Meta's default: 1).
    seconds_per_hash: float = 1.0
    limits: VideoLimits = field(default_factory=lambda: DEFAULT_VIDEO_LIMITS)
    #: Decoder threads; 0 lets FFmpeg use every core.
    threads: int = 0
    #: Convert frames to RGB24 before PDQ as Meta's tool does (slower; see ``video.luma``).
    via_rgb: bool = False

    def __post_init__(self) -> None:
        if not self.every_frame and not self.seconds_per_hash > 0:
            raise ValueError("seconds per hash must be positive (or hash every frame)")
        if self.threads < 0:
            raise ValueError("decoder threads cannot be negative")


DEFAULT_VIDEO_OPTIONS = VideoOptions()
