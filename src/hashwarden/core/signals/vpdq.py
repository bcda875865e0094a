"""vPDQ: Meta's video hash, the PDQ hashes of sampled frames with their quality and time.

The canonical value is python-threatexchange's serialisation (``VPDQSignal``): a JSON list of
``"hash,quality,timestamp"`` strings in frame order, so values move to and from HMA and
ThreatExchange unchanged in meaning. ``parse`` also takes hashwarden's own frame objects
(``{"frame", "quality", "hash", "timestamp"}``, as ``hashwarden hash`` prints them) and
Meta's text output (``frame,quality,hash,timestamp`` lines).

Matching is a percentage, not a bit count: video A matches B when enough of A's distinct frame
hashes (quality >= 50) have a partner in B within 31 bits, and the same the other way. To fit
lists' "distance <= threshold" rule, the distance of two videos is ``100 - min(both
percentages)``, rounded up: the default threshold 20 means "80% both ways", Meta's default.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

from hashwarden.core.errors import InvalidSignalError
from hashwarden.core.signals.base import SignalKind, SignalType, _is_hex

#: Frames below this PDQ quality are left out of matching (Meta's ``VPDQ_QUALITY_THRESHOLD``).
VPDQ_MIN_QUALITY = 50
#: Two frames match within this many bits (Meta's ``VPDQ_DISTANCE_THRESHOLD``).
VPDQ_FRAME_DISTANCE = 31
#: Most frames one value may hold (four hours at one frame per second).
MAX_FRAMES = 4 * 3600

Frame = tuple[str, int, float]


class VPDQ(SignalType):
    name = "vpdq"
    kind = SignalKind.PERCEPTUAL
    description = "vPDQ video hash: PDQ of sampled frames (distance: 100 - % of frames matched)"
    default_threshold = 20
    max_threshold = 100
    aliases = ("video_vpdq", "vpdq_hash")

    @classmethod
    def parse(cls, raw: str) -> str:
        return serialise(frames_of(raw))

    @classmethod
    def distance(cls, a: str, b: str) -> int:
        return distance_of(*match_percentages(frames_of(a), frames_of(b)))


def serialise(frames: Sequence[Frame]) -> str:
    """The canonical value of ``(hash, quality, timestamp)`` frames."""
    if not frames:
        raise InvalidSignalError("vpdq needs at least one frame")
    return json.dumps(
        [f"{value},{quality},{timestamp:.3f}" for value, quality, timestamp in frames],
        separators=(",", ":"),
    )


def frames_of(raw: str) -> list[Frame]:
    """Frames of a vPDQ value in any accepted form; ``InvalidSignalError`` names the problem."""
    text = raw.strip()
    if not text:
        raise InvalidSignalError("vpdq value is empty")
    if text[0] != "[":
        rows = [line for line in text.splitlines() if line.strip()]
        frames = [_text_row(number, row) for number, row in enumerate(rows, 1)]
    else:
        try:
            items = json.loads(text)
        except ValueError as exc:
            raise InvalidSignalError(f"vpdq value is not valid JSON: {exc}") from None
        if not isinstance(items, list):
            raise InvalidSignalError("vpdq value must be a JSON list of frames")
        frames = [_json_item(number, item) for number, item in enumerate(items, 1)]
    if not frames:
        raise InvalidSignalError("vpdq needs at least one frame")
    if len(frames) > MAX_FRAMES:
        raise InvalidSignalError(f"vpdq value has more than {MAX_FRAMES} frames")
    return frames


def usable_hashes(frames: Sequence[Frame]) -> list[str]:
    """Distinct frame hashes that take part in matching, in first-seen order."""
    return list(dict.fromkeys(value for value, quality, _ in frames if quality >= VPDQ_MIN_QUALITY))


def match_percentages(query: Sequence[Frame], compared: Sequence[Frame]) -> tuple[float, float]:
    """(query %, compared %) of distinct usable frames with a partner within 31 bits."""
    mine, theirs = usable_hashes(query), usable_hashes(compared)
    if not mine or not theirs:
        return 0.0, 0.0
    ints_a = [int(h, 16) for h in mine]
    ints_b = [int(h, 16) for h in theirs]
    hit_a = sum(any((a ^ b).bit_count() <= VPDQ_FRAME_DISTANCE for b in ints_b) for a in ints_a)
    hit_b = sum(any((a ^ b).bit_count() <= VPDQ_FRAME_DISTANCE for a in ints_a) for b in ints_b)
    return hit_a * 100.0 / len(ints_a), hit_b * 100.0 / len(ints_b)


def distance_of(query_percent: float, compared_percent: float) -> int:
    """The list distance of a video pair: ``100 - min(percentages)``, rounded up."""
    return max(0, math.ceil(100.0 - min(query_percent, compared_percent) - 1e-9))


def _text_row(number: int, row: str) -> Frame:
    parts = [part.strip() for part in row.split(",")]
    if len(parts) != 4:
        raise InvalidSignalError(f"vpdq row {number}: expected frame,quality,hash,timestamp")
    return _frame(number, parts[2], parts[1], parts[3])


def _json_item(number: int, item: object) -> Frame:
    if isinstance(item, str):
        parts = item.split(",")
        if len(parts) != 3:
            raise InvalidSignalError(f"vpdq frame {number}: expected 'hash,quality,timestamp'")
        return _frame(number, parts[0], parts[1], parts[2])
    if isinstance(item, dict):
        return _frame(number, item.get("hash"), item.get("quality"), item.get("timestamp", 0.0))
    raise InvalidSignalError(f"vpdq frame {number}: expected a string or an object")


def _frame(number: int, value: object, quality: object, timestamp: object) -> Frame:
    hex_value = str(value or "").strip().lower()
    if len(hex_value) != 64 or not _is_hex(hex_value):
        raise InvalidSignalError(f"vpdq frame {number}: hash must be 64 hex characters")
    try:
        quality_value = int(str(quality).strip())
        seconds = float(str(timestamp).strip())
    except ValueError:
        raise InvalidSignalError(f"vpdq frame {number}: bad quality or timestamp") from None
    if not 0 <= quality_value <= 100:
        raise InvalidSignalError(f"vpdq frame {number}: quality must be 0-100")
    if not math.isfinite(seconds) or seconds < 0:
        raise InvalidSignalError(f"vpdq frame {number}: timestamp must be a time in seconds")
    return hex_value, quality_value, seconds
