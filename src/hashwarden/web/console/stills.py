"""Still frames of a video item for the exposure-limiting viewer: a few, evenly spread.

Analysts see stills, never the video: no playback, no autoplay, no sound (exposure is the
occupational hazard, and these are the common safeguards). Frames come from the kept bytes,
decoded by PyAV under video limits as hashing does, and are scaled down at once; each is then
served through the viewer's steps like an image (``previews``). A small cache keeps the stills of
the last few videos opened, so a strip's images and each reveal step decode the video once.
"""

from __future__ import annotations

import io
import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av.error
from PIL import Image

from hashwarden.core.errors import CorruptMediaError, MediaTooLargeError
from hashwarden.core.video.decode import check_pixels, describe_stream, open_video
from hashwarden.core.video.errors import VideoTimeoutError
from hashwarden.core.video.limits import VideoLimits
from hashwarden.web.console.previews import MAX_SIDE

#: Stills per video: enough to judge what it shows, few enough to limit what is seen.
COUNT = 6
#: As hashing's limits, but an analyst's page waits on this one.
LIMITS = VideoLimits(timeout=60.0)
#: Frames whose timestamps are read at most (four hours at 120 frames a second): a file of
#: millions of tiny packets is refused, not listed.
MAX_FRAMES = 4 * 3600 * 120
_ROTATIONS = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180,
              270: Image.Transpose.ROTATE_270}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Still:
    #: Seconds from the start of the video.
    timestamp: float
    #: RGB, upright, at most ``previews.MAX_SIDE`` a side; shared, so never changed in place.
    image: Image.Image


def extract_stills(
    content: bytes, *, count: int = COUNT, limits: VideoLimits = LIMITS, name: str = "video"
) -> tuple[Still, ...]:
    """Up to ``count`` stills spread evenly over the video, in time order.

    A first pass reads only the packets' timestamps (headers may lie about the duration), a
    second decodes just the frames picked and those they depend on. Raises ``MediaError``.
    """
    deadline = time.monotonic() + limits.timeout
    with open_video(io.BytesIO(content), name, limits) as container:
        stream, _ = describe_stream(container, name, limits)
        times = _timestamps(container, stream, name, limits, deadline)
    picked = _spread(times, count)
    if not picked:
        raise CorruptMediaError(name, "no video frame has a timestamp")
    with open_video(io.BytesIO(content), name, limits) as container:
        stream, _ = describe_stream(container, name, limits)
        stills = _decode(container, stream, picked, name, limits, deadline)
    if not stills:
        raise CorruptMediaError(name, "none of the frames picked could be decoded")
    return stills


def _timestamps(
    container: Any, stream: Any, name: str, limits: VideoLimits, deadline: float
) -> array[int]:
    seconds = _seconds(stream)
    times = array("q")
    try:
        for packet in container.demux(stream):
            if packet.size and packet.pts is not None:
                if seconds(packet.pts) > limits.max_seconds:
                    raise MediaTooLargeError(
                        name, f"longer than the limit of {limits.max_seconds:.0f} s"
                    )
                if len(times) >= MAX_FRAMES:
                    raise MediaTooLargeError(name, f"more than {MAX_FRAMES} frames")
                times.append(int(packet.pts))
                if len(times) % 256 == 0 and time.monotonic() > deadline:
                    raise VideoTimeoutError(name, "reading timestamps took too long")
    except av.error.FFmpegError as exc:
        raise CorruptMediaError(name, f"reading failed: {type(exc).__name__}") from exc
    return times


def _spread(times: array[int], count: int) -> set[int]:
    """The timestamps of ``count`` frames at the middles of equal parts of the frames."""
    ordered = sorted(set(times))
    if len(ordered) <= count:
        return set(ordered)
    # The middle of each part, not its start: first frames are often black or a title.
    return {ordered[(2 * i + 1) * len(ordered) // (2 * count)] for i in range(count)}


def _decode(
    container: Any, stream: Any, picked: set[int], name: str, limits: VideoLimits,
    deadline: float,
) -> tuple[Still, ...]:  # fmt: skip
    stream.thread_type = "AUTO"
    context = stream.codec_context
    seconds = _seconds(stream)
    found: dict[int, Still] = {}
    try:
        for packet in container.demux(stream):
            # Frames no pick needs and no other frame refers to are dropped undecoded.
            context.skip_frame = "DEFAULT" if packet.pts in picked else "NONREF"
            for frame in context.decode(packet):
                if time.monotonic() > deadline:
                    raise VideoTimeoutError(name, "taking stills took too long")
                if frame.pts not in picked or frame.pts in found:
                    continue
                check_pixels(int(frame.width), int(frame.height), name, limits)
                found[frame.pts] = Still(max(0.0, seconds(frame.pts)), _upright(frame))
            if len(found) == len(picked):
                break
    except av.error.FFmpegError as exc:
        raise CorruptMediaError(name, f"decoding failed: {type(exc).__name__}") from exc
    return tuple(found[pts] for pts in sorted(found))


def _upright(frame: Any) -> Image.Image:
    """The frame scaled down before conversion (a 4K frame as RGB is 25 MB), then turned."""
    width, height = int(frame.width), int(frame.height)
    scale = min(1.0, MAX_SIDE / max(width, height, 1))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    image: Image.Image = frame.to_image(width=size[0], height=size[1])
    # The display matrix turns the picture counter-clockwise, as FFmpeg's players show it.
    turn = _ROTATIONS.get(int(getattr(frame, "rotation", 0) or 0) % 360)
    return image.transpose(turn) if turn is not None else image


def _seconds(stream: Any) -> Callable[[int], float]:
    base = stream.time_base or Fraction(1, 1)
    start = stream.start_time or 0
    return lambda pts: float((pts - start) * base)


class StillCache:
    """Stills of the last few videos opened, for a short while.

    Entries are dropped when their item is assessed, after ``ttl`` seconds, and beyond ``size``
    videos: the stills are a copy of the material and should live no longer than they help.
    One video is decoded at a time, so a strip's parallel requests wait for one decoding.
    """

    def __init__(
        self, size: int = 4, ttl: float = 600.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.size = size
        self.ttl = ttl
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, tuple[Still, ...]]] = OrderedDict()
        self._lock = threading.Lock()
        self._decoding = threading.Lock()

    def stills(
        self, key: str, content: Callable[[], bytes | None], name: str = "video"
    ) -> tuple[Still, ...] | None:
        """The stills under ``key``, decoded from ``content()`` on a miss (None: no content)."""
        if (hit := self._get(key)) is not None:
            return hit
        with self._decoding:
            if (hit := self._get(key)) is not None:
                return hit
            data = content()
            if data is None:
                return None
            stills = extract_stills(data, name=name)
        with self._lock:
            self._entries[key] = (self.clock(), stills)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return stills

    def forget(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _get(self, key: str) -> tuple[Still, ...] | None:
        with self._lock:
            now = self.clock()
            for old in [k for k, (at, _) in self._entries.items() if now - at > self.ttl]:
                del self._entries[old]
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[1]


#: One per process: the console's video stills.
CACHE = StillCache()
