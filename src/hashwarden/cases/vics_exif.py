"""EXIF facts of a case item (``ExifFacts.as_json``) as VICS ``Exifs`` rows, and back.

Rows are ``{"PropertyName": <EXIF tag name>, "PropertyValue": <text>}`` with the tag names of
the EXIF standard (``Make``, ``BodySerialNumber``, ``DateTimeOriginal``, ``GPSLatitude`` ...)
and values as EXIF writes them: times as ``YYYY:MM:DD HH:MM:SS`` with the offset in its own
``OffsetTime*`` tag, coordinates as unsigned decimal degrees with an ``N``/``S``/``E``/``W``
reference. A reference is written only when the hemisphere is known, so an unsigned coordinate
stays unsigned after a round trip. Rows hashwarden cannot read are kept under ``OTHER_ROWS``
and written back unchanged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hashwarden.core.media.exif import Coordinate, ExifFacts, GpsFix, parse_coordinate

#: Item EXIF key of the rows an import could not interpret: ``[[name, value], ...]``.
OTHER_ROWS = "vics_rows"
_TEXT_TAGS = {"make": "Make", "model": "Model", "serial": "BodySerialNumber",
              "lens": "LensModel", "software": "Software"}
_SERIAL_ALIASES = ("SerialNumber", "CameraSerialNumber")
_TIMES = {"taken_at": ("DateTimeOriginal", "OffsetTimeOriginal"),
          "digitized_at": ("DateTimeDigitized", "OffsetTimeDigitized")}
_GPS_TAGS = ("GPSLatitude", "GPSLatitudeRef", "GPSLongitude", "GPSLongitudeRef", "GPSAltitude",
             "GPSAltitudeRef", "GPSDateStamp", "GPSTimeStamp")
_KNOWN = frozenset({*_TEXT_TAGS.values(), *_SERIAL_ALIASES, *_GPS_TAGS,
                    *(tag for pair in _TIMES.values() for tag in pair)})
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")
_CLOCK = re.compile(r"(\d{1,2}):(\d{1,2}):(\d{1,2}(?:\.\d{1,6})?)")


def _decimal(value: float, places: int) -> str:
    return f"{value:.{places}f}".rstrip("0").rstrip(".")


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _offset_text(moment: datetime) -> str | None:
    offset = moment.utcoffset()
    if offset is None:
        return None
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def exif_rows(exif: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The Exifs rows of an item's EXIF facts (empty when it has none)."""
    rows: list[dict[str, Any]] = []

    def add(name: str, value: Any) -> None:
        rows.append({"PropertyName": name, "PropertyValue": value})

    for key, tag in _TEXT_TAGS.items():
        if isinstance(exif.get(key), str):
            add(tag, exif[key])
    for key, (tag, offset_tag) in _TIMES.items():
        moment = _moment(exif.get(key))
        if moment is not None:
            add(tag, moment.strftime("%Y:%m:%d %H:%M:%S"))
            if (offset := _offset_text(moment)) is not None:
                add(offset_tag, offset)
    gps = exif.get("gps")
    if isinstance(gps, Mapping):
        _gps_rows(gps, add)
    for pair in exif.get(OTHER_ROWS) or ():
        add(pair[0], pair[1])
    return rows


def _gps_rows(gps: Mapping[str, Any], add: Any) -> None:
    latitude, longitude = gps.get("latitude"), gps.get("longitude")
    if not isinstance(latitude, int | float) or not isinstance(longitude, int | float):
        return
    known = gps.get("hemisphere_known") is True
    for value, tag, positive, negative in ((latitude, "GPSLatitude", "N", "S"),
                                           (longitude, "GPSLongitude", "E", "W")):
        text = _decimal(abs(value), 8)
        add(tag, text)
        # A negative value is signed even when the other axis is not (zero has no sign).
        south_or_west = value < 0 and text != "0"
        if known or south_or_west:
            add(tag + "Ref", negative if south_or_west else positive)
    altitude = gps.get("altitude_m")
    if isinstance(altitude, int | float):
        text = _decimal(abs(altitude), 3)
        add("GPSAltitude", text)
        add("GPSAltitudeRef", "1" if altitude < 0 and text != "0" else "0")
    moment = _moment(gps.get("time"))
    if moment is not None:
        moment = moment.astimezone(UTC) if moment.tzinfo else moment
        add("GPSDateStamp", moment.strftime("%Y:%m:%d"))
        clock = moment.strftime("%H:%M:%S")
        add("GPSTimeStamp", clock + (f".{moment.microsecond:06d}".rstrip("0")
                                     if moment.microsecond else ""))


def exif_of_rows(rows: object) -> dict[str, Any]:
    """Item EXIF facts from Exifs rows; ``ValueError`` when the rows are not rows at all."""
    if rows is None:
        return {}
    if not isinstance(rows, list):
        raise ValueError("Exifs must be an array of {PropertyName, PropertyValue} objects")
    values: dict[str, Any] = {}
    other: list[list[Any]] = []
    for index, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise ValueError(f"Exifs[{index}] must be an object")
        name = row.get("PropertyName")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"Exifs[{index}] has no PropertyName")
        value = row.get("PropertyValue")
        if name in _KNOWN and name not in values:
            values[name] = value
        else:
            other.append([name, value])
    used: set[str] = set()
    facts = ExifFacts(
        make=_text(values, "Make", used),
        model=_text(values, "Model", used),
        serial=next((t for tag in ("BodySerialNumber", *_SERIAL_ALIASES)
                     if (t := _text(values, tag, used)) is not None), None),
        lens=_text(values, "LensModel", used),
        software=_text(values, "Software", used),
        taken_at=_time(values, *_TIMES["taken_at"], used),
        digitized_at=_time(values, *_TIMES["digitized_at"], used),
        gps=_gps(values, used),
    )
    # What could not be read is kept, not dropped: investigators may know what it means.
    other[:0] = [[name, value] for name, value in values.items() if name not in used]
    exif = facts.as_json()
    if other:
        exif[OTHER_ROWS] = other
    return exif


def _text(values: Mapping[str, Any], tag: str, used: set[str]) -> str | None:
    value = values.get(tag)
    if isinstance(value, str) and value.strip():
        used.add(tag)
        return value.strip()
    return None


def _time(values: Mapping[str, Any], tag: str, offset_tag: str, used: set[str]) -> datetime | None:
    text = values.get(tag)
    if not isinstance(text, str):
        return None
    moment: datetime | None
    try:
        moment = datetime.strptime(text.strip()[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        moment = _moment(text.strip())
    if moment is None:
        return None
    used.add(tag)
    offset = values.get(offset_tag)
    found = _OFFSET.fullmatch(offset.strip()) if isinstance(offset, str) else None
    if found is not None and moment.tzinfo is None:
        minutes = int(found[2]) * 60 + int(found[3])
        if minutes < 24 * 60:
            used.add(offset_tag)
            moment = moment.replace(tzinfo=timezone(timedelta(
                minutes=-minutes if found[1] == "-" else minutes)))
    return moment


def _gps(values: Mapping[str, Any], used: set[str]) -> GpsFix | None:
    def coordinate(tag: str, positive: str, negative: str, limit: float) -> Coordinate | None:
        value, ref = values.get(tag), values.get(tag + "Ref")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return None
        if ref is not None and not isinstance(ref, str):
            return None
        return parse_coordinate(value, ref, positive, negative, limit)

    latitude = coordinate("GPSLatitude", "N", "S", 90.0)
    longitude = coordinate("GPSLongitude", "E", "W", 180.0)
    if latitude is None or longitude is None:
        return None
    used.update(tag for tag in ("GPSLatitude", "GPSLatitudeRef", "GPSLongitude",
                                "GPSLongitudeRef") if tag in values)
    return GpsFix(latitude, longitude, _altitude(values, used), _gps_time(values, used))


def _altitude(values: Mapping[str, Any], used: set[str]) -> float | None:
    raw, ref = values.get("GPSAltitude"), values.get("GPSAltitudeRef")
    try:
        altitude = float(raw) if isinstance(raw, str | int | float) else math.nan
    except ValueError:
        return None
    if not math.isfinite(altitude) or isinstance(raw, bool):
        return None
    used.add("GPSAltitude")
    if str(ref).strip() in ("0", "1"):
        used.add("GPSAltitudeRef")
    return -abs(altitude) if str(ref).strip() == "1" else altitude


def _gps_time(values: Mapping[str, Any], used: set[str]) -> datetime | None:
    day, clock = values.get("GPSDateStamp"), values.get("GPSTimeStamp")
    if not isinstance(day, str) or not isinstance(clock, str):
        return None
    found = _CLOCK.fullmatch(clock.strip())
    try:
        date = datetime.strptime(day.strip(), "%Y:%m:%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    if found is None:
        return None
    hours, minutes, seconds = int(found[1]), int(found[2]), float(found[3])
    if not (hours < 24 and minutes < 60 and seconds < 61):
        return None
    used.update(("GPSDateStamp", "GPSTimeStamp"))
    return date + timedelta(hours=hours, minutes=minutes, seconds=seconds)
