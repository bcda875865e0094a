"""What hashing a media file yields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hashwarden.core.lists.models import Signal
from hashwarden.core.media.exif import ExifFacts
from hashwarden.core.signals.vpdq import VPDQ, serialise

if TYPE_CHECKING:  # the video package imports this module's PdqResult
    from hashwarden.core.video.models import VideoHashes


@dataclass(frozen=True, slots=True)
class PdqResult:
    hex: str
    quality: int


class Variant:
    """Names of the pixel transforms a perceptual hit can come from (kept as plain strings)."""

    ORIGINAL = "original"
    EXIF = "exif"
    ROTATE_90 = "rotate90"
    ROTATE_180 = "rotate180"
    ROTATE_270 = "rotate270"
    FLIP_X = "flipx"
    FLIP_Y = "flipy"
    FLIP_PLUS_1 = "flip_plus1"
    FLIP_MINUS_1 = "flip_minus1"
    #: Found by local features (``core.robust``), not by a whole-picture hash.
    FEATURES = "features"

    #: Order of the eight dihedral variants, as Meta's reference writes them.
    DIHEDRAL: tuple[str, ...] = (
        ORIGINAL, ROTATE_90, ROTATE_180, ROTATE_270, FLIP_X, FLIP_Y, FLIP_PLUS_1, FLIP_MINUS_1,
    )


@dataclass(frozen=True, slots=True)
class MediaHashes:
    """Every signal of one file. PDQ fields are ``None`` for files that are not images."""

    source: str
    media_type: str
    size: int
    md5: str
    sha1: str
    sha256: str
    #: PDQ of the stored (un-rotated) pixels: what interoperable lists contain.
    pdq: PdqResult | None = None
    #: PDQ after applying the EXIF orientation; only set when the orientation is not identity.
    pdq_exif: PdqResult | None = None
    #: The eight dihedral variants of ``pdq`` in ``Variant.DIHEDRAL`` order (index 0 == ``pdq``).
    pdq_dihedral: tuple[str, ...] = field(default=())
    #: Frame hashes of a video (``media_type == "video"``).
    vpdq: VideoHashes | None = None
    #: PDQ of repaired views (borders trimmed, tilt undone), by ``robust.views.View`` name.
    pdq_views: tuple[tuple[str, PdqResult], ...] = field(default=())
    #: ORB features (``signals.orb`` value), kept with list entries for robust matching.
    orb: str | None = None
    #: Camera, times and place from the file's EXIF block, when asked for and present.
    exif: ExifFacts | None = None

    def exact_signals(self) -> list[Signal]:
        return [Signal("md5", self.md5), Signal("sha1", self.sha1), Signal("sha256", self.sha256)]

    def signals(self) -> list[Signal]:
        """Signals to store for this file when it is added to a list."""
        found = self.exact_signals()
        if self.pdq is not None:
            found.append(Signal("pdq", self.pdq.hex))
        if self.orb is not None:
            found.append(Signal("orb", self.orb))
        if self.vpdq is not None and self.vpdq.frames:
            frames = [(f.hash, f.quality, f.timestamp) for f in self.vpdq.frames]
            found.append(Signal(VPDQ.name, serialise(frames)))
        return found

    def as_json(self) -> dict[str, object]:
        record: dict[str, object] = {
            "path": self.source,
            "media_type": self.media_type,
            "size": self.size,
            "md5": self.md5,
            "sha1": self.sha1,
            "sha256": self.sha256,
        }
        if self.pdq is not None:
            record["pdq"] = {"hash": self.pdq.hex, "quality": self.pdq.quality}
        if self.pdq_exif is not None:
            record["pdq_exif"] = {"hash": self.pdq_exif.hex, "quality": self.pdq_exif.quality}
        if self.exif is not None:
            record["exif"] = self.exif.as_json()
        if self.pdq_views:
            record["pdq_views"] = {
                name: {"hash": view.hex, "quality": view.quality} for name, view in self.pdq_views
            }
        if self.vpdq is not None:
            info = self.vpdq.info
            record["video"] = {
                "width": info.width,
                "height": info.height,
                "frame_rate": round(info.frame_rate, 3),
                "duration": round(info.duration, 3),
                "codec": info.codec,
                "rotation": info.rotation,
                "frames": self.vpdq.decoded_frames,
                "seconds_per_hash": self.vpdq.seconds_per_hash,
            }
            record["vpdq"] = [frame.as_json() for frame in self.vpdq.frames]
        return record
