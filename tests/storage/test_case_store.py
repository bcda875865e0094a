"""Cases, items, stacks and links against a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import Engine

from hashwarden.cases.interfaces import CaseError
from hashwarden.cases.models import LinkKind, ScannedItem
from hashwarden.cases.services import CaseService, scanned_item
from hashwarden.cases.tracing import TRACE_INLIERS, Box, censored
from hashwarden.core.media.hashing import hash_media
from hashwarden.core.robust.features import MAX_KEYPOINTS
from hashwarden.core.robust.levels import RobustLevel
from hashwarden.storage.case_store import SqlCaseStore

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
from robust_samples import crop, photo


def _item(image: Image.Image, path: str, quality: int = 90) -> ScannedItem:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    hashes = hash_media(buffer.getvalue(), name=path, robust=RobustLevel.THOROUGH,
                        keypoints=MAX_KEYPOINTS, exif=True)
    return scanned_item(hashes, None)


@pytest.fixture
def service(engine: Engine) -> CaseService:
    return CaseService(SqlCaseStore(engine))


def test_cases_are_created_once_with_safe_names(service: CaseService) -> None:
    case = service.create("op-nightjar.2026", "seized laptop")
    assert service.get("op-nightjar.2026") == case
    with pytest.raises(CaseError, match="exists already"):
        service.create("op-nightjar.2026")
    with pytest.raises(CaseError, match="letters, digits"):
        service.create("../etc")
    with pytest.raises(CaseError, match="no case named"):
        service.get("missing")
    assert [c.name for c in service.cases()] == ["op-nightjar.2026"]


def test_items_are_saved_once_per_path_and_stacked(service: CaseService) -> None:
    case = service.create("c1")
    coffee = photo("coffee")
    service.take_in(case, [_item(coffee, "a/coffee.jpg"), _item(photo("rocket"), "a/rocket.jpg")])
    # A resumed scan hands in an item again, and a recompressed copy arrives.
    service.take_in(case, [_item(coffee, "a/coffee.jpg"), _item(coffee, "b/copy.jpg", 60)])
    items = service.restack(case)
    assert sorted(i.path for i in items) == ["a/coffee.jpg", "a/rocket.jpg", "b/copy.jpg"]
    stack = {i.path: i.stack_id for i in items}
    assert stack["a/coffee.jpg"] == stack["b/copy.jpg"] != stack["a/rocket.jpg"]
    summary = service.summary(case)
    assert (summary.items, summary.images, summary.stacks, summary.new) == (3, 3, 2, 3)


def test_links_name_near_duplicates_and_same_place(service: CaseService) -> None:
    case = service.create("c2")
    astronaut = photo("astronaut")
    width, height = astronaut.size
    # Two different framings of one scene: PDQ far apart, background shared.
    left = astronaut.crop((0, 0, int(width * 0.7), height))
    right = astronaut.crop((int(width * 0.3), 0, width, height))
    service.take_in(case, [
        _item(left, "left.jpg"), _item(right, "right.jpg"),
        _item(astronaut, "full.jpg"), _item(astronaut, "full-again.jpg", 70),
        _item(photo("chelsea"), "cat.jpg"), _item(crop(photo("rocket"), 0.05), "rocket.jpg"),
    ])
    service.restack(case)
    links = list(service.links(case))
    near = {(link.a, link.b) for link in links if link.kind is LinkKind.NEAR_DUPLICATE}
    same = {frozenset((link.a, link.b)) for link in links if link.kind is LinkKind.SAME_PLACE}
    assert near == {("full.jpg", "full-again.jpg")}
    assert frozenset(("left.jpg", "right.jpg")) in same
    assert not any("cat.jpg" in pair or "rocket.jpg" in pair for pair in same)
    assert all(link.score >= 20 for link in links if link.kind is LinkKind.SAME_PLACE)


def test_series_take_whole_stacks_and_are_recognised_in_a_later_case(
    service: CaseService,
) -> None:
    first = service.create("first")
    coffee = photo("coffee")
    service.take_in(first, [_item(coffee, "a.jpg"), _item(coffee, "a-copy.jpg", 60),
                            _item(photo("rocket"), "r.jpg")])
    service.restack(first)
    series = service.create_series(first, "kitchen", ["a.jpg"], "cli:ana")
    assert len(series.item_ids) == 2  # the copy is stacked with it
    with pytest.raises(CaseError, match="series named"):
        service.create_series(first, "kitchen", ["r.jpg"], "cli:ana")
    with pytest.raises(CaseError, match="not items"):
        service.create_series(first, "other", ["nope.jpg"], "cli:ana")

    later = service.create("later")
    service.take_in(later, [_item(coffee, "seized/x.jpg", 75), _item(photo("chelsea"), "c.jpg")])
    service.restack(later)
    sightings = service.sightings(later)
    assert [(s.case_name, s.series_name) for s in sightings] == [("first", "kitchen")]
    assert {here for here, _, _ in sightings[0].matches} == {"seized/x.jpg"}
    assert service.sightings(first) == []


def test_same_place_links_suggest_a_series(service: CaseService) -> None:
    case = service.create("places")
    astronaut = photo("astronaut")
    width, height = astronaut.size
    service.take_in(case, [
        _item(astronaut.crop((0, 0, int(width * 0.7), height)), "left.jpg"),
        _item(astronaut.crop((int(width * 0.3), 0, width, height)), "right.jpg"),
        _item(photo("chelsea"), "cat.jpg"),
    ])
    service.restack(case)
    assert service.suggest_series(case) == [["left.jpg", "right.jpg"]]


def test_trace_an_object_across_cases_and_export_only_the_object(
    service: CaseService, tmp_path: Path
) -> None:
    rocket = photo("rocket")
    box = Box(250, 40, 160, 280)  # the rocket itself, not the sky around it
    scene = tmp_path / "scene.png"
    rocket.save(scene)
    # Elsewhere the same object appears smaller, on another background.
    other = photo("chelsea")
    obj = rocket.crop(box.corners())
    other.paste(obj.resize((obj.width * 3 // 4, obj.height * 3 // 4)), (20, 10))
    elsewhere = tmp_path / "elsewhere.png"
    other.save(elsewhere)
    plain = tmp_path / "cat.png"
    photo("chelsea").save(plain)

    def scanned(path: Path) -> ScannedItem:
        hashes = hash_media(path, name=str(path), robust=RobustLevel.THOROUGH,
                            keypoints=MAX_KEYPOINTS)
        return scanned_item(hashes, None)

    first, second = service.create("one"), service.create("two")
    service.take_in(first, [scanned(scene)])
    service.take_in(second, [scanned(elsewhere), scanned(plain)])
    hits = service.trace(first, str(scene), box, scene.read_bytes())
    assert [(h.case_name, h.path) for h in hits] == [("two", str(elsewhere))]
    assert hits[0].inliers >= TRACE_INLIERS

    appeal = censored(Image.open(scene).convert("RGB"), box)
    pixels = np.asarray(appeal)
    assert (pixels[:box.top] == 128).all() and (pixels[:, : box.left] == 128).all()
    assert pixels[box.top + 10, box.left + 10].tolist() != [128, 128, 128]
    with pytest.raises(CaseError, match="outside"):
        service.trace(first, str(scene), Box(600, 400, 100, 100), scene.read_bytes())
    with pytest.raises(CaseError, match="LEFT,TOP"):
        Box.parse("1,2,3")
