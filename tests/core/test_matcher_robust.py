"""Robust matching end to end through the matcher and a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from robust_samples import bannered, bordered, captioned, crop, photo

from hashwarden.core.errors import InvalidSignalError
from hashwarden.core.lists.models import EntryData
from hashwarden.core.lists.services import ListService
from hashwarden.core.matching.matcher import Matcher
from hashwarden.core.matching.models import Hit
from hashwarden.core.media.hashing import hash_media
from hashwarden.core.media.models import MediaHashes, Variant
from hashwarden.core.robust.features import MAX_KEYPOINTS
from hashwarden.core.robust.levels import RobustLevel
from hashwarden.core.robust.views import View
from hashwarden.formats.jsonl import entry_to_json
from hashwarden.snapshots.files import capture, open_index, write
from hashwarden.storage.list_store import SqlListStore

LISTED = ("astronaut", "coffee", "chelsea")


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _query(image: Image.Image, level: RobustLevel) -> MediaHashes:
    return hash_media(_jpeg(image), name="upload.jpg", robust=level)


@pytest.fixture
def service(store: SqlListStore) -> ListService:
    service = ListService(store)
    service.create_list("known")
    entries = []
    for name in LISTED:
        hashes = hash_media(
            _jpeg(photo(name)), name=f"{name}.jpg", robust=RobustLevel.THOROUGH,
            keypoints=MAX_KEYPOINTS,
        )
        entries.append(EntryData(signals=tuple(hashes.signals()), external_id=name))
    service.add_entries("known", entries)
    return service


def _hit_ids(hits: list[Hit], service: ListService) -> set[str]:
    return {service.store.get_entry("known", hit.entry_id).data.external_id for hit in hits}


Edit = Callable[[Image.Image], Image.Image]


@pytest.mark.parametrize(
    ("edit", "level", "variant"),
    [
        (lambda im: bordered(im, 0.1, (200, 30, 40)), RobustLevel.STANDARD, View.TRIMMED),
        (lambda im: captioned(im, 0.15), RobustLevel.STANDARD, View.TRIMMED),
        (lambda im: im.rotate(5), RobustLevel.STANDARD, View.UPRIGHT),
        (lambda im: crop(im, 0.1), RobustLevel.THOROUGH, Variant.FEATURES),
        (lambda im: bannered(im, 0.15), RobustLevel.THOROUGH, Variant.FEATURES),
    ],
    ids=["border", "caption", "tilt", "crop", "banner"],
)
def test_edited_copies_match_at_their_level_and_not_below(
    service: ListService, store: SqlListStore, edit: Edit, level: RobustLevel, variant: str
) -> None:
    matcher = Matcher(store)
    edited = edit(photo("coffee"))
    assert matcher.match_media([_query(edited, RobustLevel.OFF)])[0].hits == []
    outcome = matcher.match_media([_query(edited, level)])[0]
    assert _hit_ids(outcome.hits, service) == {"coffee"}
    assert variant in {hit.variant for hit in outcome.hits}
    for hit in outcome.hits:
        assert hit.distance <= 31
        if hit.signal_type == "orb":  # feature values never appear in a hit
            assert hit.matched_value == "" and hit.query_value == ""


def test_unrelated_pictures_match_nothing_at_thorough(
    service: ListService, store: SqlListStore
) -> None:
    matcher = Matcher(store)
    for name in ("rocket", "immunohistochemistry", "hubble_deep_field", "camera"):
        assert matcher.match_media([_query(photo(name), RobustLevel.THOROUGH)])[0].hits == []


def test_features_stay_on_this_instance(service: ListService, store: SqlListStore) -> None:
    stored = next(iter(store.entries("known")))
    assert "orb" in {s.type for s in stored.signals}
    for entry in service.entries("known"):
        assert "orb" not in {s.type for s in entry.signals}
        assert "orb" not in str(entry_to_json(stored))
    for change in service.changes_since("known", 0):
        assert "orb" not in {s.type for s in change.entry.signals}
    assert "orb" not in {s.type for s in service.get_entry("known", stored.id).signals}


def test_a_snapshot_keeps_the_features(
    service: ListService, store: SqlListStore, tmp_path: Path
) -> None:
    matcher = Matcher(store)
    write(capture(matcher.index), tmp_path / "snap")
    reopened = Matcher(store, index=open_index(tmp_path / "snap"))
    assert len(reopened.index.features) == len(LISTED)
    outcome = reopened.match_media([_query(crop(photo("chelsea"), 0.15), RobustLevel.THOROUGH)])
    assert _hit_ids(outcome[0].hits, service) == {"chelsea"}


def test_removing_an_entry_removes_its_features(service: ListService, store: SqlListStore) -> None:
    matcher = Matcher(store)
    entry = next(e for e in store.entries("known") if e.data.external_id == "astronaut")
    service.remove_entries("known", [entry.id])
    matcher.refresh()
    outcome = matcher.match_media([_query(crop(photo("astronaut"), 0.1), RobustLevel.THOROUGH)])
    assert outcome[0].hits == []


def test_features_cannot_be_sent_as_bare_values(service: ListService, store: SqlListStore) -> None:
    stored = next(iter(store.entries("known")))
    value = next(s.value for s in stored.signals if s.type == "orb")
    with pytest.raises(InvalidSignalError, match="uploaded media only"):
        Matcher(store).match_signals({"orb": [value]})
