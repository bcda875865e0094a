"""Sightings across several cases, and the store's narrow item queries (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import Engine

from hashwarden.cases.grouping import matching_pictures
from hashwarden.cases.models import Case, ScannedItem, Sighting
from hashwarden.cases.services import CaseService, scanned_item
from hashwarden.core.media.hashing import hash_media
from hashwarden.storage.case_store import SqlCaseStore

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
from robust_samples import photo


def _item(image: Image.Image, path: str, quality: int = 90) -> ScannedItem:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return scanned_item(hash_media(buffer.getvalue(), name=path), None)


@pytest.fixture
def service(engine: Engine) -> CaseService:
    return CaseService(SqlCaseStore(engine))


def _bits(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _one_series_at_a_time(service: CaseService, case: Case) -> list[Sighting]:
    """The sightings as first written: every series compared on its own, all items loaded."""
    here = [i for i in service.items(case) if i.item.pdq is not None]
    found = []
    for series in service.store.series(None):
        if series.case_id == case.id:
            continue
        other = next(c for c in service.cases() if c.id == series.case_id)
        members = [i for i in service.items(other) if i.id in series.item_ids]
        matches = matching_pictures([i.item for i in here], [m.item for m in members])
        if matches:
            found.append(Sighting(other.name, series.name, tuple(
                (here[a].path, members[b].path, d) for a, b, d in matches
            )))  # fmt: skip
    return found


def test_sightings_across_three_cases(service: CaseService) -> None:
    coffee, rocket, cat = photo("coffee"), photo("rocket"), photo("chelsea")
    alpha = service.create("alpha")
    service.take_in(alpha, [_item(coffee, "coffee.jpg"), _item(coffee, "coffee-copy.jpg", 60),
                            _item(rocket, "rocket.jpg")])  # fmt: skip
    service.restack(alpha)
    service.create_series(alpha, "kitchen", ["coffee.jpg"], "cli:ana")  # with its copy
    service.create_series(alpha, "launch", ["rocket.jpg"], "cli:ana")
    beta = service.create("beta")
    service.take_in(beta, [_item(cat, "cat.jpg"), _item(coffee, "coffee-b.jpg", 70)])
    service.restack(beta)
    service.create_series(beta, "mixed", ["coffee-b.jpg", "cat.jpg"], "cli:bo")
    service.create_series(beta, "cat", ["cat.jpg"], "cli:bo")
    gamma = service.create("gamma")
    service.take_in(gamma, [_item(coffee, "x.jpg", 75), _item(cat, "y.jpg", 65),
                            _item(photo("astronaut"), "z.jpg")])  # fmt: skip

    sightings = service.sightings(gamma)
    assert [(s.case_name, s.series_name, [(here, there) for here, there, _ in s.matches])
            for s in sightings] == [
        ("alpha", "kitchen", [("x.jpg", "coffee.jpg"), ("x.jpg", "coffee-copy.jpg")]),
        ("beta", "cat", [("y.jpg", "cat.jpg")]),
        ("beta", "mixed", [("x.jpg", "coffee-b.jpg"), ("y.jpg", "cat.jpg")]),
    ]  # fmt: skip
    pdq = {i.path: i.item.pdq or "" for c in (alpha, beta, gamma) for i in service.items(c)}
    for sighting in sightings:
        for here, there, bits in sighting.matches:
            assert bits == _bits(pdq[here], pdq[there]) <= 31
    assert sightings == _one_series_at_a_time(service, gamma)

    # Alpha sees beta's series with its coffee; gamma has no series, alpha's own are not sightings.
    from_alpha = service.sightings(alpha)
    assert [(s.case_name, s.series_name) for s in from_alpha] == [("beta", "mixed")]
    assert [(a, b) for a, b, _ in from_alpha[0].matches] == [
        ("coffee.jpg", "coffee-b.jpg"),
        ("coffee-copy.jpg", "coffee-b.jpg"),
    ]
    for case in (alpha, beta):
        assert service.sightings(case) == _one_series_at_a_time(service, case)


def test_a_case_without_pictures_has_no_sightings(service: CaseService) -> None:
    first = service.create("first")
    service.take_in(first, [_item(photo("coffee"), "coffee.jpg")])
    service.create_series(first, "kitchen", ["coffee.jpg"], "cli:ana")
    empty = service.create("empty")
    assert service.sightings(empty) == []
    assert service.store.series_pictures(empty.id)[0].picture.path == "coffee.jpg"
    assert service.store.series_pictures(first.id) == []


def test_one_item_and_the_count_without_loading_the_case(service: CaseService) -> None:
    case = service.create("c")
    other = service.create("other")
    service.take_in(case, [_item(photo("coffee"), "a/coffee.jpg"), _item(photo("rocket"), "r")])
    service.take_in(other, [_item(photo("chelsea"), "a/coffee.jpg")])
    found = service.item(case, "a/coffee.jpg")
    assert found is not None and found.case_id == case.id
    assert found == next(i for i in service.items(case) if i.path == "a/coffee.jpg")
    assert service.item(case, "missing.jpg") is None
    counts = [service.count(c) for c in (case, other, service.create("e"))]
    assert counts == [2, 1, 0]
    pictures = service.store.pictures(case.id)
    assert [(p.path, p.pdq) for p in pictures] == [
        (i.path, i.item.pdq) for i in service.items(case)
    ]
