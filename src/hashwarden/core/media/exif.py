"""What a photo's EXIF says about the camera, the time and the place, read defensively.

Investigators rely on these facts (INTERPOL's victim identification links series through camera
serials, times and places), so nothing is guessed: a coordinate whose hemisphere reference is
missing stays unsigned and is flagged, a zero denominator or an impossible value is dropped
rather than turned into 0, and times without an offset stay naive (camera clock, zone unknown).

Coordinates are read in every shape writers produce: three rationals (degrees, minutes,
seconds), two (degrees, decimal minutes), one (decimal degrees), signed decimals from writers
that ignore the reference tag, and text ("52,22.508N", "52 22 30.5", "-4.88").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from PIL import ExifTags, Image

_GPS = ExifTags.GPS
_BASE = ExifTags.Base


@dataclass(frozen=True, slots=True)
class Coordinate:
    degrees: float
    #: False when the file had no hemisphere reference: ``degrees`` is then unsigned, and the
    #: true position may be in either hemisphere.
    signed: bool


@dataclass(frozen=True, slots=True)
class GpsFix:
    latitude: Coordinate
    longitude: Coordinate
    altitude_m: float | None = None
    #: GPS time (always UTC by definition), when the file has both date and time stamps.
    time: datetime | None = None

    @property
    def complete(self) -> bool:
        """Both hemispheres known: the point can be put on a map."""
        return self.latitude.signed and self.longitude.signed


@dataclass(frozen=True, slots=True)
class ExifFacts:
    make: str | None = None
    model: str | None = None
    serial: str | None = None
    lens: str | None = None
    software: str | None = None
    #: When the shutter fired; aware when the file gives an offset, else camera-local time.
    taken_at: datetime | None = None
    digitized_at: datetime | None = None
    gps: GpsFix | None = None

    def as_json(self) -> dict[str, object]:
        record: dict[str, object] = {
            name: value
            for name in ("make", "model", "serial", "lens", "software")
            if (value := getattr(self, name)) is not None
        }
        for name in ("taken_at", "digitized_at"):
            moment = getattr(self, name)
            if moment is not None:
                record[name] = moment.isoformat()
        if self.gps is not None:
            gps: dict[str, object] = {
                "latitude": self.gps.latitude.degrees,
                "longitude": self.gps.longitude.degrees,
                "hemisphere_known": self.gps.complete,
            }
            if self.gps.altitude_m is not None:
                gps["altitude_m"] = self.gps.altitude_m
            if self.gps.time is not None:
                gps["time"] = self.gps.time.isoformat()
            record["gps"] = gps
        return record


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


_TEXT_COORDINATE = re.compile(
    r"^\s*(?P<sign>[-+])?(?P<deg>\d+(?:\.\d+)?)"
    r"(?:[\s,°:]+(?P<min>\d+(?:\.\d+)?)['′]?)?"
    r"(?:[\s,:]+(?P<sec>\d+(?:\.\d+)?)[\"″]?)?\s*(?P<ref>[NSEWnsew])?\s*$"
)


def _text_value(text: str) -> tuple[float, str | None] | None:
    found = _TEXT_COORDINATE.match(text.strip("\x00 "))
    if found is None:
        return None
    degrees = float(found["deg"]) + float(found["min"] or 0) / 60 + float(found["sec"] or 0) / 3600
    sign = -1.0 if found["sign"] == "-" else 1.0
    return sign * degrees, found["ref"]


def _ref_letter(raw: Any) -> str | None:
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "replace")
    if not isinstance(raw, str):
        return None
    letter = raw.strip("\x00 ").upper()[:1]
    return letter or None


def parse_coordinate(value: Any, ref: Any, positive: str, negative: str,
                     limit: float) -> Coordinate | None:
    """One coordinate from its value and reference tags; ``None`` when it cannot be trusted."""
    letter = _ref_letter(ref)
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if isinstance(value, str):
        parsed = _text_value(value)
        if parsed is None:
            return None
        degrees, text_ref = parsed
        letter = letter or (text_ref.upper() if text_ref else None)
    else:
        parts = list(value) if isinstance(value, tuple | list) else [value]
        numbers = [_number(part) for part in parts[:3]]
        if not numbers or any(n is None for n in numbers):
            return None
        whole = [n for n in numbers if n is not None]
        if any(n < 0 for n in whole[1:]):
            return None
        fraction = sum(n / s for n, s in zip(whole[1:], (60.0, 3600.0), strict=False))
        degrees = math.copysign(abs(whole[0]) + fraction, whole[0])
    if abs(degrees) > limit:
        return None
    if letter in (positive, negative):
        magnitude = abs(degrees)
        return Coordinate(-magnitude if letter == negative else magnitude, True)
    if letter is not None:
        return None  # a reference from the other axis or garbage: do not guess
    # A signed value without a reference: some writers store the sign in the number itself.
    return Coordinate(degrees, True) if degrees < 0 else Coordinate(degrees, False)


def _gps_time(gps: dict[int, Any]) -> datetime | None:
    date_text, clock = gps.get(_GPS.GPSDateStamp), gps.get(_GPS.GPSTimeStamp)
    if not isinstance(date_text, str) or not isinstance(clock, tuple) or len(clock) != 3:
        return None
    parts = [_number(part) for part in clock]
    if any(p is None for p in parts):
        return None
    hours, minutes, seconds = (p or 0.0 for p in parts)
    try:
        day = datetime.strptime(date_text.strip("\x00 "), "%Y:%m:%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    if not (0 <= hours < 24 and 0 <= minutes < 60 and 0 <= seconds < 61):
        return None
    return day + timedelta(hours=hours, minutes=minutes, seconds=seconds)


def read_gps(gps: dict[int, Any]) -> GpsFix | None:
    latitude = parse_coordinate(
        gps.get(_GPS.GPSLatitude), gps.get(_GPS.GPSLatitudeRef), "N", "S", 90.0
    ) if _GPS.GPSLatitude in gps else None
    longitude = parse_coordinate(
        gps.get(_GPS.GPSLongitude), gps.get(_GPS.GPSLongitudeRef), "E", "W", 180.0
    ) if _GPS.GPSLongitude in gps else None
    if latitude is None or longitude is None:
        return None
    altitude = _number(gps.get(_GPS.GPSAltitude)) if _GPS.GPSAltitude in gps else None
    ref = gps.get(_GPS.GPSAltitudeRef)
    # GPSAltitudeRef 1 means below sea level; writers store it as a byte or an integer.
    if altitude is not None and (ref == 1 or (isinstance(ref, bytes) and ref[:1] == b"\x01")):
        altitude = -altitude
    return GpsFix(latitude, longitude, altitude, _gps_time(gps))


def _text(raw: Any) -> str | None:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if not isinstance(raw, str):
        return None
    cleaned = raw.strip("\x00 \t\r\n")
    return cleaned or None


_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


def _moment(raw: Any, offset_raw: Any) -> datetime | None:
    text = _text(raw)
    if text is None:
        return None
    try:
        moment = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None  # "0000:00:00 00:00:00" and friends: no time, not year 1
    offset = _OFFSET.match(_text(offset_raw) or "")
    if offset is None:
        return moment
    minutes = int(offset[2]) * 60 + int(offset[3])
    zone = timezone(timedelta(minutes=-minutes if offset[1] == "-" else minutes))
    return moment.replace(tzinfo=zone)


def read_exif(image: Image.Image) -> ExifFacts | None:
    """The facts of ``image``'s EXIF block, or ``None`` when it has none worth keeping."""
    try:
        exif = image.getexif()
        details = exif.get_ifd(ExifTags.IFD.Exif)
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:
        return None
    facts = ExifFacts(
        make=_text(exif.get(_BASE.Make)),
        model=_text(exif.get(_BASE.Model)),
        serial=_text(details.get(_BASE.BodySerialNumber)),
        lens=_text(details.get(_BASE.LensModel)),
        software=_text(exif.get(_BASE.Software)),
        taken_at=_moment(
            details.get(_BASE.DateTimeOriginal), details.get(_BASE.OffsetTimeOriginal)
        ),
        digitized_at=_moment(
            details.get(_BASE.DateTimeDigitized), details.get(_BASE.OffsetTimeDigitized)
        ),
        gps=read_gps(dict(gps)) if gps else None,
    )
    return None if facts == ExifFacts() else facts
