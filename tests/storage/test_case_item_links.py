"""One item's links (its page) are its share of the case-wide links, found from either end."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from sqlalchemy import Engine

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
    everything = list(service.links(case))
    mine = {item.path: service.item_links(case, item.path) for item in items}
    for path, links in mine.items():
        # Exactly the case-wide links with this end, on either side, in the same order.
        assert links == [link for link in everything if path in (link.a, link.b)]
    first = mine["full.jpg"][0]
    assert (first.a, first.b, first.kind) == ("full.jpg", "full-again.jpg",
                                              LinkKind.NEAR_DUPLICATE)
    assert mine["full-again.jpg"][0] == first  # the same link, seen from its other end
    assert {(link.a, link.b, link.kind) for link in mine["right.jpg"]} >= {
        ("left.jpg", "right.jpg", LinkKind.SAME_PLACE)}
    assert mine["cat.jpg"] == []
