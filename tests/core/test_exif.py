"""EXIF facts: camera, times and GPS in every shape writers use, never inventing a hemisphere."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

from hashwarden.core.media.exif import Coordinate, parse_coordinate, read_exif, read_gps

GPS = ExifTags.GPS


def _photo_with(base: dict[int, Any] | None = None, details: dict[int, Any] | None = None,
                gps: dict[int, Any] | None = None) -> Image.Image:
    exif = Image.Exif()
    for tag, value in (base or {}).items():
        exif[tag] = value
    for tag, value in (details or {}).items():
        exif.get_ifd(ExifTags.IFD.Exif)[tag] = value
    for tag, value in (gps or {}).items():
        exif.get_ifd(ExifTags.IFD.GPSInfo)[tag] = value
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (90, 120, 150)).save(buffer, "JPEG", exif=exif)
    return Image.open(io.BytesIO(buffer.getvalue()))


def test_camera_times_and_place_are_read() -> None:
    photo = _photo_with(
        {ExifTags.Base.Make: "Canon", ExifTags.Base.Model: "EOS 5D"},
        {ExifTags.Base.BodySerialNumber: "0123456789", ExifTags.Base.DateTimeOriginal:
         "2024:06:01 14:03:09", ExifTags.Base.OffsetTimeOriginal: "+02:00"},
        {GPS.GPSLatitudeRef: "S", GPS.GPSLatitude: (33.0, 51.0, 54.0),
         GPS.GPSLongitudeRef: "E", GPS.GPSLongitude: (151.0, 12.0, 36.0),
         GPS.GPSAltitude: 58.5, GPS.GPSAltitudeRef: b"\x00",
         GPS.GPSDateStamp: "2024:06:01", GPS.GPSTimeStamp: (12.0, 3.0, 9.0)},
    )
    facts = read_exif(photo)
    assert facts is not None and facts.make == "Canon" and facts.serial == "0123456789"
    assert facts.taken_at == datetime(2024, 6, 1, 14, 3, 9, tzinfo=timezone(timedelta(hours=2)))
    assert facts.gps is not None and facts.gps.complete
    assert facts.gps.latitude.degrees == pytest.approx(-33.865, abs=1e-6)
    assert facts.gps.longitude.degrees == pytest.approx(151.21, abs=1e-6)
    assert facts.gps.altitude_m == 58.5
    assert facts.gps.time == datetime(2024, 6, 1, 12, 3, 9, tzinfo=UTC)
    assert facts.as_json()["gps"] == {
        "latitude": facts.gps.latitude.degrees, "longitude": facts.gps.longitude.degrees,
        "hemisphere_known": True, "altitude_m": 58.5, "time": "2024-06-01T12:03:09+00:00",
    }


def test_a_missing_hemisphere_is_not_invented() -> None:
    photo = _photo_with(gps={GPS.GPSLatitude: (52.0, 22.0, 30.0),
                             GPS.GPSLongitudeRef: "W", GPS.GPSLongitude: (4.0, 53.0, 0.0)})
    facts = read_exif(photo)
    assert facts is not None and facts.gps is not None
    assert facts.gps.latitude == Coordinate(pytest.approx(52.375), False)  # type: ignore[arg-type]
    assert facts.gps.longitude.signed and facts.gps.longitude.degrees < 0
    assert not facts.gps.complete and facts.as_json()["gps"]["hemisphere_known"] is False  # type: ignore[index]


@pytest.mark.parametrize(
    ("value", "ref", "expected"),
    [
        ((52.0, 22.0, 30.0), "N", Coordinate(52.375, True)),
        ((52.0, 22.5), "N", Coordinate(52.375, True)),  # degrees and decimal minutes
        ((52.375,), b"S\x00", Coordinate(-52.375, True)),  # one rational, byte reference
        (52.375, "s ", Coordinate(-52.375, True)),
        (-52.375, None, Coordinate(-52.375, True)),  # the sign in the number, no reference
        ("52,22.5N", None, Coordinate(52.375, True)),  # text
        ("52 22 30", "S", Coordinate(-52.375, True)),
        ("-4.883333", None, Coordinate(-4.883333, True)),
    ],
)
def test_coordinate_shapes(value: Any, ref: Any, expected: Coordinate) -> None:
    found = parse_coordinate(value, ref, "N", "S", 90.0)
    assert found is not None and found.signed == expected.signed
    assert found.degrees == pytest.approx(expected.degrees, abs=1e-6)


@pytest.mark.parametrize(
    ("value", "ref"),
    [
        ((IFDRational(52, 0), 0.0, 0.0), "N"),  # zero denominator: no position, not 0 degrees
        ((91.0, 0.0, 0.0), "N"),  # beyond the pole
        ((52.0, -3.0, 0.0), "N"),  # negative minutes
        ((52.0, 0.0, 0.0), "E"),  # a longitude reference on a latitude
        ("north-ish", None),
        ((), "N"),
    ],
)
def test_untrustworthy_coordinates_are_dropped(value: Any, ref: Any) -> None:
    assert parse_coordinate(value, ref, "N", "S", 90.0) is None


@given(
    degrees=st.integers(0, 89), minutes=st.integers(0, 59),
    seconds=st.fractions(min_value=0, max_value=Fraction(5999, 100), max_denominator=100),
    ref=st.sampled_from(["N", "S"]),
)
def test_dms_written_by_pillow_reads_back(
    degrees: int, minutes: int, seconds: Fraction, ref: str
) -> None:
    photo = _photo_with(gps={
        GPS.GPSLatitudeRef: ref,
        GPS.GPSLatitude: (float(degrees), float(minutes), IFDRational(seconds.numerator,
                                                                      seconds.denominator)),
        GPS.GPSLongitudeRef: "E", GPS.GPSLongitude: (1.0, 0.0, 0.0),
    })
    facts = read_exif(photo)
    assert facts is not None and facts.gps is not None
    expected = degrees + minutes / 60 + float(seconds) / 3600
    assert facts.gps.latitude.degrees == pytest.approx(expected if ref == "N" else -expected,
                                                       abs=1e-6)


@given(st.text(max_size=40), st.binary(max_size=12))
def test_any_text_in_tags_never_raises(text: str, blob: bytes) -> None:
    photo = _photo_with({ExifTags.Base.Make: text}, {ExifTags.Base.DateTimeOriginal: text})
    read_exif(photo)
    # Writers put anything in GPS tags; Pillow only writes rationals there, so feed them raw.
    for odd in (text, blob, (text,), (blob, 1.0)):
        found = read_gps({GPS.GPSLatitude: odd, GPS.GPSLatitudeRef: blob,
                          GPS.GPSLongitude: odd, GPS.GPSLongitudeRef: text})
        assert found is None or abs(found.latitude.degrees) <= 90


def test_placeholder_times_and_empty_blocks_give_nothing() -> None:
    photo = _photo_with(details={ExifTags.Base.DateTimeOriginal: "0000:00:00 00:00:00"})
    assert read_exif(photo) is None
    assert read_exif(Image.new("RGB", (8, 8))) is None
