"""Links stored after each scan: equal to the whole-case computation, incremental, replaced with
their item, gone with their case (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import Engine, func, select

from hashwarden.cases.graph import CaseGraphService
from hashwarden.cases.grouping import near_duplicate_pairs, same_place_pairs
from hashwarden.cases.models import Case, CaseItem, Link, LinkKind, ScannedItem
from hashwarden.cases.services import CaseService, scanned_item
from hashwarden.core.media.hashing import hash_media
from hashwarden.core.robust.feature_index import FeatureIndex
from hashwarden.core.robust.features import MAX_KEYPOINTS, Features, deserialise
from hashwarden.core.robust.levels import RobustLevel
from hashwarden.storage.case_graph_store import SqlCaseGraphStore
from hashwarden.storage.case_link_tables import case_links
from hashwarden.storage.case_retention_store import SqlCaseRetentionStore
from hashwarden.storage.case_store import SqlCaseStore

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
from robust_samples import crop, photo


class CountingIndex(FeatureIndex):
    """The real index, noting every query (the seam ``CaseService(feature_index=...)``)."""

    def __init__(self, asked: list[Features], built: list[CountingIndex]) -> None:
        super().__init__()
        self.asked = asked
        built.append(self)

    def verified(self, query: Features, **options: Any) -> list[tuple[int, int]]:
        self.asked.append(query)
        return super().verified(query, **options)


class Counted:
    def __init__(self) -> None:
        self.asked: list[Features] = []
        self.built: list[CountingIndex] = []

    def __call__(self) -> FeatureIndex:
        return CountingIndex(self.asked, self.built)

    def reset(self) -> None:
        self.asked.clear()
        self.built.clear()


@pytest.fixture
def counted() -> Counted:
    return Counted()


@pytest.fixture
def service(engine: Engine, counted: Counted) -> CaseService:
    return CaseService(SqlCaseStore(engine), feature_index=counted)


def _item(image: Image.Image, path: str, quality: int = 90) -> ScannedItem:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    hashes = hash_media(buffer.getvalue(), name=path, robust=RobustLevel.THOROUGH,
                        keypoints=MAX_KEYPOINTS, exif=True)
    return scanned_item(hashes, None)


@pytest.fixture(scope="module")
def pictures() -> dict[str, ScannedItem]:
    """Two framings each of two scenes, a recompressed copy, and pictures of nothing shared."""
    astronaut, coffee = photo("astronaut"), photo("coffee")
    width, height = astronaut.size
    cw, ch = coffee.size
    return {item.path: item for item in (
        _item(astronaut.crop((0, 0, int(width * 0.7), height)), "left.jpg"),
        _item(astronaut.crop((int(width * 0.3), 0, width, height)), "right.jpg"),
        _item(astronaut, "full.jpg"), _item(astronaut, "full-again.jpg", 70),
        _item(coffee.crop((0, 0, int(cw * 0.75), ch)), "cup-left.jpg"),
        _item(coffee.crop((int(cw * 0.25), 0, cw, ch)), "cup-right.jpg"),
        _item(photo("chelsea"), "cat.jpg"), _item(crop(photo("rocket"), 0.05), "rocket.jpg"),
    )}


def _whole_case(items: Sequence[CaseItem]) -> list[Link]:
    """``CaseService.links`` as it was: both kinds computed over the whole case on each call."""
    scanned = [i.item for i in items]
    found = [Link(scanned[p.a].path, scanned[p.b].path, LinkKind.NEAR_DUPLICATE, p.score)
             for p in sorted(near_duplicate_pairs(scanned), key=lambda p: p.score)]
    stack_of = [i.stack_id if i.stack_id is not None else -i.id for i in items]
    found += [Link(scanned[p.a].path, scanned[p.b].path, LinkKind.SAME_PLACE, p.score)
              for p in sorted(same_place_pairs(scanned, stack_of), key=lambda p: -p.score)]
    return found


def _pairs(links: Sequence[Link]) -> set[tuple[frozenset[str], LinkKind]]:
    return {(frozenset((link.a, link.b)), link.kind) for link in links}


def _rows(engine: Engine, case: Case) -> int:
    with engine.connect() as connection:
        return int(connection.execute(
            select(func.count()).select_from(case_links).where(case_links.c.case_id == case.id)
        ).scalar_one())


def test_stored_links_are_the_whole_case_links(
    service: CaseService, pictures: dict[str, ScannedItem], counted: Counted, engine: Engine
) -> None:
    case = service.create("whole")
    service.take_in(case, list(pictures.values()))
    items = service.restack(case)
    stored = list(service.links(case))
    assert stored == _whole_case(items)  # same links, scores, orientation and order
    kinds = {kind: [link for link in stored if link.kind is kind] for kind in LinkKind}
    assert _pairs(kinds[LinkKind.NEAR_DUPLICATE]) == {
        (frozenset(("full.jpg", "full-again.jpg")), LinkKind.NEAR_DUPLICATE)}
    same = {pair for pair, _ in _pairs(kinds[LinkKind.SAME_PLACE])}
    assert frozenset(("left.jpg", "right.jpg")) in same
    assert frozenset(("cup-left.jpg", "cup-right.jpg")) in same
    # Every picture queried once; a pair of two new items is one row, not one per side.
    assert len(counted.asked) == len(pictures) and len(counted.built) == 1
    assert _rows(engine, case) == len(stored) + _stacked_same_place(service, case)
    assert list(service.links(case, [LinkKind.SAME_PLACE])) == kinds[LinkKind.SAME_PLACE]
    # The console's pages: same-place first, then near-duplicates, cut anywhere.
    console_order = kinds[LinkKind.SAME_PLACE] + kinds[LinkKind.NEAR_DUPLICATE]
    assert service.link_count(case, list(LinkKind)) == len(console_order)
    for offset in range(len(console_order) + 1):
        for limit in (1, 2, 10):
            assert service.link_page(case, list(LinkKind), offset, limit) == (
                len(console_order), console_order[offset:offset + limit])
    assert service.link_page(case, [LinkKind.NEAR_DUPLICATE], 0, 10) == (
        1, kinds[LinkKind.NEAR_DUPLICATE])
    # Nothing new: no index is built, nothing is verified, nothing changes.
    counted.reset()
    service.restack(case)
    assert counted.built == [] and list(service.links(case)) == stored


def _stacked_same_place(service: CaseService, case: Case) -> int:
    """Same-place links stored between items of one stack (left out when read)."""
    stack = {i.path: i.stack_id for i in service.items(case)}
    everything = service.store.links(case.id, LinkKind.SAME_PLACE, apart=False)
    return sum(stack[link.a] is not None and stack[link.a] == stack[link.b]
               for link in everything)


def test_a_second_scan_queries_only_its_new_items(
    service: CaseService, pictures: dict[str, ScannedItem], counted: Counted
) -> None:
    case = service.create("growing")
    first = [p for path, p in pictures.items() if path != "right.jpg"]
    service.take_in(case, first)
    service.restack(case)
    before = list(service.links(case))
    assert not any("right.jpg" in (link.a, link.b) for link in before)
    counted.reset()

    service.take_in(case, [pictures["right.jpg"]])
    items = service.restack(case)
    # One query, the new picture's, against an index of every picture of the case.
    assert len(counted.asked) == 1 and len(counted.built) == 1
    assert len(counted.built[0]) == len(pictures)
    right = deserialise(pictures["right.jpg"].features or "")
    assert np.array_equal(counted.asked[0].descriptors, right.descriptors)
    after = list(service.links(case))
    added = [link for link in after if link not in before]
    assert set(before) <= set(after)
    assert added and all("right.jpg" in (link.a, link.b) for link in added)
    assert (frozenset(("left.jpg", "right.jpg")), LinkKind.SAME_PLACE) in _pairs(added)
    # The same pairs as linking the whole case again (scores may differ by direction).
    assert _pairs(after) == _pairs(_whole_case(items))
    # The left picture's page shows the link its own features never looked for.
    mine = service.item_links(case, "left.jpg")
    assert any(link.kind is LinkKind.SAME_PLACE and "right.jpg" in (link.a, link.b)
               for link in mine)  # fmt: skip
    assert _pairs(mine) == {pair for pair in _pairs(after) if "left.jpg" in pair[0]}


def test_a_rescanned_item_is_linked_again_from_its_new_content(
    service: CaseService, pictures: dict[str, ScannedItem], counted: Counted
) -> None:
    case = service.create("rescanned")
    service.take_in(case, list(pictures.values()))
    service.restack(case)
    assert (frozenset(("left.jpg", "right.jpg")), LinkKind.SAME_PLACE) in _pairs(
        list(service.links(case)))
    counted.reset()
    # The file at right.jpg now holds the cat picture.
    service.take_in(case, [dataclasses.replace(pictures["cat.jpg"], path="right.jpg")])
    # Replacing the row drops its links at once, before any linking.
    assert not any("right.jpg" in (link.a, link.b) for link in service.links(case))
    items = service.restack(case)
    assert len(counted.asked) == 1
    after = list(service.links(case))
    mine = _pairs([link for link in after if "right.jpg" in (link.a, link.b)])
    assert (frozenset(("left.jpg", "right.jpg")), LinkKind.SAME_PLACE) not in mine
    assert (frozenset(("cat.jpg", "right.jpg")), LinkKind.NEAR_DUPLICATE) in mine
    assert _pairs(after) == _pairs(_whole_case(items))


def test_relinking_queries_every_item_and_deleting_the_case_drops_its_links(
    service: CaseService, pictures: dict[str, ScannedItem], counted: Counted, engine: Engine
) -> None:
    case = service.create("doomed")
    service.take_in(case, list(pictures.values()))
    service.restack(case)
    stored = list(service.links(case))
    counted.reset()
    service.forget_links(case)  # ``case scan --restart``
    assert list(service.links(case)) == [] and _rows(engine, case) == 0
    assert service.link(case) == len(pictures)
    assert len(counted.asked) == len(pictures) and list(service.links(case)) == stored
    assert SqlCaseRetentionStore(engine).delete_case(case.id)
    assert _rows(engine, case) == 0


def test_a_vics_import_links_near_duplicates_without_features(
    engine: Engine, counted: Counted
) -> None:
    cases = CaseService(SqlCaseStore(engine), feature_index=counted)
    graph = CaseGraphService(cases, SqlCaseGraphStore(engine))
    source = cases.create("source")
    pdq = "f" * 16 + "0" * 16 + "a5" * 16
    cases.take_in(source, [
        ScannedItem(path=f"/s/{n}.jpg", media_type="image", size=1000 + n, md5=f"{n:032x}",
                    sha1=f"{n:040x}", sha256=f"{n:064x}", pdq=pdq, pdq_quality=100)
        for n in (1, 2)
    ])
    text = json.dumps(graph.export(source))
    counted.reset()
    graph.import_file("copy", text, "cli:bo", "source.vics.json")
    copy = cases.get("copy")
    assert [(link.a, link.b, link.kind, link.score) for link in cases.links(copy)] == [
        ("/s/1.jpg", "/s/2.jpg", LinkKind.NEAR_DUPLICATE, 0.0)]
    assert counted.built == []  # no features came, so no same-place index was built
