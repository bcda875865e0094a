"""The matcher against a real store (SQLite and PostgreSQL): variants, thresholds, allow lists."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hashwarden.core.lists.models import Category, EntryData, ListKind, Signal
from hashwarden.core.lists.services import ListService
from hashwarden.core.matching.matcher import Matcher
from hashwarden.core.media.hashing import hash_media
from hashwarden.core.media.models import MediaHashes, Variant
from hashwarden.storage.list_store import SqlListStore


def _photo(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A benign synthetic 'photo': smooth random blobs, rich enough for PDQ quality 100."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, size=(48, 64, 3), dtype=np.uint8)
    return Image.fromarray(small).resize(size, Image.Resampling.BICUBIC)


def _jpeg(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _hashes(image: Image.Image, name: str, quality: int = 90) -> MediaHashes:
    return hash_media(_jpeg(image, quality), name=name)


def _entry(hashes: MediaHashes, external_id: str) -> EntryData:
    return EntryData(
        signals=tuple(hashes.signals()),
        category=Category("iwf", "A"),
        source="test-hotline",
        external_id=external_id,
    )


@pytest.fixture
def service(store: SqlListStore) -> ListService:
    return ListService(store)


@pytest.fixture
def listed(service: ListService) -> dict[str, MediaHashes]:
    service.create_list("known")
    items = {f"img{i}": _hashes(_photo(i), f"img{i}.jpg") for i in range(4)}
    service.add_entries("known", [_entry(h, key) for key, h in items.items()])
    return items


def test_exact_copy_matches_every_signal(
    service: ListService, store: SqlListStore, listed: dict[str, MediaHashes]
) -> None:
    outcome = Matcher(store).match_media([listed["img1"]])[0]
    by_type = {hit.signal_type: hit for hit in outcome.hits}
    assert set(by_type) == {"md5", "sha1", "sha256", "pdq"}
    assert all(hit.distance == 0 and hit.external_id == "img1" for hit in outcome.hits)
    assert by_type["pdq"].variant == Variant.ORIGINAL
    assert by_type["md5"].category == "iwf:A"
    assert by_type["md5"].source == "test-hotline"
    assert by_type["md5"].matched_value == listed["img1"].md5


def test_recompressed_copy_matches_perceptually_only(
    store: SqlListStore, listed: dict[str, MediaHashes]
) -> None:
    recompressed = _hashes(_photo(2), "again.jpg", quality=40)
    outcome = Matcher(store).match_media([recompressed])[0]
    assert [hit.signal_type for hit in outcome.hits] == ["pdq"]
    hit = outcome.hits[0]
    assert hit.external_id == "img2"
    assert 0 < hit.distance <= 31
    assert isinstance(hit.distance, int)


@pytest.mark.parametrize(
    ("file_name", "variant"),
    [
        # The variant names the transform of the *upload* that brings it back to the listed item.
        ("bridge-2-rotate-90.jpg", Variant.ROTATE_270),
        ("bridge-3-rotate-180.jpg", Variant.ROTATE_180),
        ("bridge-4-rotate-270.jpg", Variant.ROTATE_90),
        ("bridge-5-flipx.jpg", Variant.FLIP_X),
        ("bridge-6-flipy.jpg", Variant.FLIP_Y),
        ("bridge-7-flip-plus-1.jpg", Variant.FLIP_PLUS_1),
        ("bridge-8-flip-minus-1.jpg", Variant.FLIP_MINUS_1),
    ],
)
def test_rotated_and_flipped_copies_match_through_dihedral_variants(
    service: ListService, store: SqlListStore, conformance_dir: Path, file_name: str, variant: str
) -> None:
    folder = conformance_dir / "pdq" / "reg-test-input" / "dih"
    original = hash_media(folder / "bridge-1-original.jpg")
    service.create_list("bridges")
    service.add_entries("bridges", [_entry(original, "bridge")])
    outcome = Matcher(store).match_media([hash_media(folder / file_name)])[0]
    assert [(hit.signal_type, hit.external_id, hit.variant) for hit in outcome.hits] == [
        ("pdq", "bridge", variant)
    ]
    assert outcome.hits[0].distance <= 10


def test_unrelated_image_does_not_match(
    store: SqlListStore, listed: dict[str, MediaHashes]
) -> None:
    outcome = Matcher(store).match_media([_hashes(_photo(99), "other.jpg")])[0]
    assert outcome.hits == []
    assert outcome.perceptual_checked


def test_low_quality_pdq_is_not_matched_perceptually_but_md5_still_is(
    service: ListService, store: SqlListStore
) -> None:
    flat = hash_media(_jpeg(Image.new("RGB", (200, 200), (128, 128, 128))), name="flat.jpg")
    assert flat.pdq is not None and flat.pdq.quality < 50
    service.create_list("flat")
    service.add_entries("flat", [EntryData(signals=tuple(flat.signals()))])
    outcome = Matcher(store).match_media([flat])[0]
    assert {hit.signal_type for hit in outcome.hits} == {"md5", "sha1", "sha256"}
    assert not outcome.perceptual_checked
    assert any("quality" in note for note in outcome.notes)


def test_per_list_threshold_applies(service: ListService, store: SqlListStore) -> None:
    original = _hashes(_photo(7), "a.jpg")
    edited = _hashes(_photo(7), "b.jpg", quality=25)
    assert original.pdq is not None and edited.pdq is not None
    distance = _pdq_distance(original.pdq.hex, edited.pdq.hex)
    assert distance > 0
    pdq_only = EntryData(signals=(Signal("pdq", original.pdq.hex),))
    service.create_list("strict", thresholds={"pdq": distance - 1})
    service.create_list("loose", thresholds={"pdq": distance})
    service.add_entries("strict", [pdq_only])
    service.add_entries("loose", [pdq_only])
    outcome = Matcher(store).match_media([edited])[0]
    assert {hit.list_name for hit in outcome.hits} == {"loose"}


def test_allow_list_suppresses_block_hits(
    service: ListService, store: SqlListStore, listed: dict[str, MediaHashes]
) -> None:
    service.create_list("own-content", kind=ListKind.ALLOW)
    service.add_entries("own-content", [EntryData(signals=(Signal("md5", listed["img0"].md5),))])
    matcher = Matcher(store)
    outcome = matcher.match_media([listed["img0"]])[0]
    assert outcome.hits == []
    assert [hit.list_name for hit in outcome.allowed] == ["own-content"]
    assert {hit.list_name for hit in outcome.suppressed} == {"known"}
    # Restricting to a block list still honours allow lists.
    assert matcher.match_media([listed["img0"]], lists=["known"])[0].hits == []
    assert matcher.match_media([listed["img1"]], lists=["known"])[0].hits


def test_index_follows_adds_and_removals_without_rebuild(
    service: ListService, store: SqlListStore, listed: dict[str, MediaHashes]
) -> None:
    matcher = Matcher(store)
    newcomer = _hashes(_photo(42), "new.jpg")
    assert matcher.match_media([newcomer])[0].hits == []

    service.add_entries("known", [_entry(newcomer, "img42")])
    assert matcher.refresh() > 0
    assert matcher.match_media([newcomer])[0].hits

    entry_id = matcher.match_media([listed["img1"]])[0].hits[0].entry_id
    service.remove_entries("known", [entry_id])
    matcher.refresh()
    assert matcher.match_media([listed["img1"]])[0].hits == []
    assert matcher.match_media([listed["img2"]])[0].hits


def test_match_signals_without_media(store: SqlListStore, listed: dict[str, MediaHashes]) -> None:
    pdq = listed["img0"].pdq
    assert pdq is not None
    flipped_bits = f"{int(pdq.hex, 16) ^ 0b1011:064x}"
    outcome = Matcher(store).match_signals({"pdq": [flipped_bits], "MD5": [listed["img1"].md5]})
    found = {(hit.external_id, hit.signal_type, hit.distance) for hit in outcome.hits}
    assert found == {("img0", "pdq", 3), ("img1", "md5", 0)}


def test_exif_rotated_photo_matches_through_exif_variant(
    service: ListService, store: SqlListStore
) -> None:
    upright = _photo(11)
    listed = _hashes(upright, "upright.jpg")
    service.create_list("phones")
    service.add_entries("phones", [_entry(listed, "upright")])
    # A phone stores the pixels sideways with Orientation=6 ("rotate 90 clockwise to view").
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    upright.transpose(Image.Transpose.ROTATE_90).save(buffer, "JPEG", quality=90, exif=exif)
    sideways = hash_media(buffer.getvalue(), name="sideways.jpg")
    assert sideways.pdq is not None and sideways.pdq_exif is not None
    assert _pdq_distance(sideways.pdq.hex, listed.pdq.hex) > 31  # type: ignore[union-attr]

    # Without the dihedral variants only the EXIF-corrected hash can find it.
    exif_only = dataclasses.replace(sideways, pdq_dihedral=())
    hits = Matcher(store).match_media([exif_only])[0].hits
    assert [(hit.signal_type, hit.variant) for hit in hits] == [("pdq", Variant.EXIF)]
    assert hits[0].distance <= 31


def _pdq_distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
