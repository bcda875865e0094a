"""One item's links (its page) agree with the case-wide links, on a real store."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from sqlalchemy import Engine

from hashwarden.cases.item_links import links_of
from hashwarden.cases.models import LinkKind, ScannedItem
from hashwarden.cases.services import CaseService, scanned_item
from hashwarden.core.media.hashing import hash_media
from hashwarden.core.robust.features import MAX_KEYPOINTS
from hashwarden.core.robust.levels import RobustLevel
from hashwarden.storage.case_browsing_store import SqlCaseBrowsing
from hashwarden.storage.case_store import SqlCaseStore

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
from robust_samples import photo


def _item(image: Image.Image, path: str, quality: int = 90) -> ScannedItem:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    hashes = hash_media(buffer.getvalue(), name=path, robust=RobustLevel.THOROUGH,
                        keypoints=MAX_KEYPOINTS, exif=True)
    return scanned_item(hashes, None)


def test_an_items_links_are_its_share_of_the_case_links(engine: Engine) -> None:
    service = CaseService(SqlCaseStore(engine))
    case = service.create("links")
    astronaut = photo("astronaut")
    width, height = astronaut.size
    service.take_in(case, [
        _item(astronaut.crop((0, 0, int(width * 0.7), height)), "left.jpg"),
        _item(astronaut.crop((int(width * 0.3), 0, width, height)), "right.jpg"),
        _item(astronaut, "full.jpg"), _item(astronaut, "full-again.jpg", 70),
        _item(photo("chelsea"), "cat.jpg"),
    ])
    items = service.restack(case)
    assert SqlCaseBrowsing(engine).summary(case) == service.summary(case)  # with EXIF, pictures
    everything = {(frozenset((link.a, link.b)), link.kind) for link in service.links(case)}
    by_path = {item.path: item for item in items}
    mine = {path: links_of(by_path[path], items) for path in by_path}
    for path, links in mine.items():
        assert all(link.a == path for link in links)
        assert {(frozenset((link.a, link.b)), link.kind) for link in links} <= everything
    first = mine["full.jpg"][0]
    assert (first.b, first.kind) == ("full-again.jpg", LinkKind.NEAR_DUPLICATE)
    assert ("right.jpg", LinkKind.SAME_PLACE) in {(link.b, link.kind) for link in mine["left.jpg"]}
    assert mine["cat.jpg"] == []
    # Every case-wide link is found from at least one of its two ends.
    found = {(frozenset((link.a, link.b)), link.kind) for links in mine.values() for link in links}
    assert found == everything
