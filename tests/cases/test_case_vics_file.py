"""VICS case files without a database: the reader on arbitrary input, EXIF rows, places."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vics_case_samples import documents, json_values

from hashwarden.cases.places import Fix, cluster_fixes, haversine_m
from hashwarden.cases.vics_case import VicsCaseError
from hashwarden.cases.vics_case_read import read_case_file
from hashwarden.cases.vics_exif import exif_of_rows, exif_rows
from hashwarden.core.media.exif import Coordinate, ExifFacts, GpsFix


def _read(text: str) -> None:
    try:
        items = read_case_file(text)
    except VicsCaseError as exc:
        assert str(exc)  # the reason, never an empty message
        return
    for imported in items:
        assert imported.item.path and imported.item.media_type in ("image", "video", "other")
        json.dumps(imported.item.exif, allow_nan=False)  # storable as it is


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=json_values)
def test_reader_takes_any_json(document: Any) -> None:
    _read(json.dumps(document))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents)
def test_reader_takes_any_case_shaped_json(document: Any) -> None:
    _read(json.dumps(document))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200) | st.sampled_from(["[" * 5000, '{"value": [NaN]}', "1e400",
                                                      '{"value": [{"MediaSize": 1e999}]}']))
def test_reader_takes_any_text(text: str) -> None:
    _read(text)


coordinates = st.floats(-179.9, 179.9, allow_nan=False)
moments = st.datetimes(datetime(1990, 1, 1), datetime(2040, 1, 1)).map(
    lambda d: d.replace(microsecond=0))
zones = st.none() | st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
facts = st.builds(
    ExifFacts,
    make=st.none() | st.text("abc XYZ-1", min_size=1, max_size=8).filter(str.strip)
    .map(str.strip),
    serial=st.none() | st.just("0042"),
    taken_at=st.none() | st.builds(lambda d, z: d.replace(tzinfo=z), moments, zones),
    gps=st.none() | st.builds(
        GpsFix,
        st.builds(Coordinate, st.floats(-89.9, 89.9), st.booleans()).map(
            lambda c: c if c.signed or c.degrees >= 0 else Coordinate(-c.degrees, False)),
        st.builds(Coordinate, coordinates, st.booleans()).map(
            lambda c: c if c.signed or c.degrees >= 0 else Coordinate(-c.degrees, False)),
        st.none() | st.floats(-500, 9000),
        st.none() | moments.map(lambda d: d.replace(tzinfo=UTC)),
    ),
)


@settings(max_examples=300, deadline=None)
@given(exif=facts)
def test_exif_rows_round_trip(exif: ExifFacts) -> None:
    first = exif_rows(exif.as_json())
    again = exif_of_rows(first)
    assert exif_rows(again) == first
    assert set(again) == set(exif.as_json())
    if exif.gps is not None:
        assert again["gps"]["hemisphere_known"] == exif.gps.complete
        assert abs(again["gps"]["latitude"] - exif.gps.latitude.degrees) < 1e-7
    if exif.taken_at is not None:
        assert datetime.fromisoformat(again["taken_at"]) == exif.taken_at


def test_unreadable_rows_are_kept() -> None:
    rows = [{"PropertyName": "GPSLatitude", "PropertyValue": "somewhere"},
            {"PropertyName": "Flash", "PropertyValue": 16},
            {"PropertyName": "Make", "PropertyValue": "Canon"}]
    exif = exif_of_rows(rows)
    assert exif["make"] == "Canon" and "gps" not in exif
    assert exif_rows(exif)[1:] == rows[:2]


def test_haversine_and_clusters() -> None:
    assert abs(haversine_m(0, 0, 0, 1) - 111_195) < 5
    assert haversine_m(50.85, 4.35, 50.85, 4.35) == 0
    across = cluster_fixes([Fix("a", 0.0, 179.9996), Fix("b", 0.0, -179.9996)])
    assert [c.paths for c in across] == [("a", "b")]  # 90 m apart across the antimeridian
    assert abs(abs(across[0].longitude) - 180) < 0.001


@settings(max_examples=100, deadline=None)
@given(points=st.lists(st.tuples(st.floats(50.8, 50.81), st.floats(4.3, 4.31)), max_size=30))
def test_clusters_stay_within_twice_the_radius(points: list[tuple[float, float]]) -> None:
    fixes = [Fix(str(i), lat, lon) for i, (lat, lon) in enumerate(points)]
    clusters = cluster_fixes(fixes)
    assert sorted(p for c in clusters for p in c.paths) == sorted(f.path for f in fixes)
    by_path = {f.path: f for f in fixes}
    for cluster in clusters:
        members = [by_path[p] for p in cluster.paths]
        assert all(haversine_m(a.latitude, a.longitude, b.latitude, b.longitude) <= 200.01
                   for a in members for b in members)
