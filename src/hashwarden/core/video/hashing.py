"""vPDQ: PDQ of sampled video frames, as Meta's ``vpdq`` computes it."""

from __future__ import annotations

import io
import time
from dataclasses import replace
from pathlib import Path

from hashwarden.core.video.decode import (
    DecodeProgress,
    Sampler,
    check_not_empty,
    decode_frames,
    describe_stream,
    open_video,
)
from hashwarden.core.video.limits import DEFAULT_VIDEO_LIMITS, VideoLimits
from hashwarden.core.video.luma import frame_pdq
from hashwarden.core.video.models import FrameHash, VideoHashes

#: Meta's default sampling: one frame per second.
DEFAULT_SECONDS_PER_HASH = 1.0


def hash_video(
    source: Path | bytes,
    *,
    name: str | None = None,
    every_frame: bool = False,
    seconds_per_hash: float = DEFAULT_SECONDS_PER_HASH,
    limits: VideoLimits = DEFAULT_VIDEO_LIMITS,
    threads: int = 0,
    via_rgb: bool = False,
) -> VideoHashes:
    """Frame hashes of a video file (or its bytes): every frame, or one per ``seconds_per_hash``.

    Raises a ``MediaError`` naming the file for anything that cannot be hashed: empty, not a
    video (audio only), corrupt or truncated before its first frame, over a limit, too slow.
    """
    label = name if name is not None else (str(source) if isinstance(source, Path) else "<bytes>")
    if isinstance(source, Path):
        size = source.stat().st_size if source.exists() else -1
        opened: Path | io.BytesIO = source
    else:
        size = len(source)
        opened = io.BytesIO(source)
    check_not_empty(size, label)
    seconds = 0.0 if every_frame else seconds_per_hash
    deadline = time.monotonic() + limits.timeout
    with open_video(opened, label, limits) as container:
        stream, info = describe_stream(container, label, limits)
        sampler = Sampler(info.frame_rate, seconds)
        frames: list[FrameHash] = []
        progress = DecodeProgress()
        rotation = 0
        for item in decode_frames(
            container, stream, info, name=label, limits=limits, sampler=sampler,
            progress=progress, threads=threads, deadline=deadline,
        ):  # fmt: skip
            if not frames:
                rotation = int(getattr(item.frame, "rotation", 0) or 0) % 360
            pdq = frame_pdq(item.frame, via_rgb=via_rgb)
            frames.append(FrameHash(item.number, pdq.quality, pdq.hex, item.timestamp))
    return VideoHashes(
        info=replace(info, rotation=rotation),
        frames=tuple(frames),
        decoded_frames=progress.decoded,
        seconds_per_hash=seconds,
    )
