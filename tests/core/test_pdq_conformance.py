"""PDQ against the conformance set in shared/conformance/pdq (hashes and qualities bit for bit)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PIL import Image

from hashwarden.core.errors import EmptyMediaError, MediaError
from hashwarden.core.media.decode import open_image
from hashwarden.core.media.hashing import hash_media
from hashwarden.core.media.models import Variant
from hashwarden.core.pdq.hasher import pdq_hash_image, pdq_hash_with_dihedral
from hashwarden.core.pdq.hexbits import hamming_distance
from shared_data import shared_dir


def conformance_dir() -> Path | None:
    shared = shared_dir()
    folder = shared / "conformance" / "pdq" if shared else None
    return folder if folder and (folder / "expected.csv").is_file() else None


CONFORMANCE = conformance_dir()
pytestmark = pytest.mark.skipif(
    CONFORMANCE is None,
    reason="conformance data not found: set HASHWARDEN_SHARED_DIR to the shared/ folder",
)


def _rows() -> list[dict[str, str]]:
    if CONFORMANCE is None:
        return []
    with (CONFORMANCE / "expected.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


ROWS = _rows()
HASHED = [row for row in ROWS if row["pdq"]]
FAILING = [row for row in ROWS if not row["pdq"]]


def _path(row: dict[str, str]) -> Path:
    assert CONFORMANCE is not None
    return CONFORMANCE / row["path"]


def test_csv_has_rows() -> None:
    assert len(HASHED) >= 25
    assert any(row["path"].endswith("CMYK.jpg") for row in HASHED)


@pytest.mark.parametrize("row", HASHED, ids=[row["path"] for row in HASHED])
def test_hash_and_quality_match_csv(row: dict[str, str]) -> None:
    decoded = open_image(_path(row), row["path"])
    result = pdq_hash_image(decoded.image)
    assert result.hex == row["pdq"]
    assert result.quality == int(row["quality"])


@pytest.mark.parametrize("row", HASHED, ids=[row["path"] for row in HASHED])
def test_pipeline_matches_csv(row: dict[str, str]) -> None:
    hashes = hash_media(_path(row))
    assert hashes.pdq is not None
    assert (hashes.pdq.hex, hashes.pdq.quality) == (row["pdq"], int(row["quality"]))
    assert hashes.pdq_dihedral[0] == row["pdq"]


@pytest.mark.parametrize("row", FAILING, ids=[row["path"] for row in FAILING])
def test_rows_without_hash_raise_typed_error(row: dict[str, str]) -> None:
    with pytest.raises(MediaError) as raised:
        hash_media(_path(row), name=row["path"])
    assert row["path"] in str(raised.value)
    if _path(row).stat().st_size == 0:
        assert isinstance(raised.value, EmptyMediaError)


def test_modes_fixed_where_threatexchange_differs() -> None:
    """CMYK and palette: the CSV records python-threatexchange's wrong hash; ours is right."""
    wrong = [row for row in HASHED if row["threatexchange_if_different"] not in ("same", "")]
    assert {Path(row["path"]).name for row in wrong} >= {"CMYK.jpg", "P.png"}
    for row in wrong:
        result = pdq_hash_image(open_image(_path(row), row["path"]).image)
        assert result.hex == row["pdq"] != row["threatexchange_if_different"]


def _bridge_rows() -> list[dict[str, str]]:
    return sorted(
        (row for row in HASHED if "/dih/bridge-" in row["path"]), key=lambda row: row["path"]
    )


def test_dihedral_variants_match_bridge_files() -> None:
    """bridge-k is the original rotated/flipped; our k-th variant of the original is its hash."""
    bridges = _bridge_rows()
    assert len(bridges) == 8
    original = Image.open(_path(bridges[0]))
    _, variants = pdq_hash_with_dihedral(original)
    for index, (row, variant) in enumerate(zip(bridges, variants, strict=True)):
        # "bridge-7-flip-plus-1.jpg" -> "flipplus1" == Variant.FLIP_PLUS_1 without underscores.
        transform = Path(row["path"]).stem.split("-", 2)[2].replace("-", "")
        assert transform == Variant.DIHEDRAL[index].replace("_", "")
        # Re-encoding the transformed JPEG moves a few bits; other variants sit near 128 apart.
        assert hamming_distance(variant, row["pdq"]) <= 10
        others = [hamming_distance(v, row["pdq"]) for j, v in enumerate(variants) if j != index]
        assert min(others) > 64


def test_exif_orientation() -> None:
    """Default PDQ is on stored pixels (== CSV); pdq_exif is the upright image's PDQ."""
    assert CONFORMANCE is not None
    folder = CONFORMANCE / "reg-test-input" / "exif-rotn"
    expected = {Path(row["path"]).name: row["pdq"] for row in HASHED}
    # EXIF orientation -> the dihedral variant of the stored pixels that shows them upright.
    upright_variant = {3: Variant.ROTATE_180, 6: Variant.ROTATE_270, 8: Variant.ROTATE_90}
    plain = hash_media(folder / "exif-rotn-1.jpg")
    assert plain.pdq is not None and plain.pdq.hex == expected["exif-rotn-1.jpg"]
    assert plain.pdq_exif is None
    for orientation, variant in upright_variant.items():
        name = f"exif-rotn-{orientation}.jpg"
        hashes = hash_media(folder / name)
        assert hashes.pdq is not None and hashes.pdq_exif is not None
        assert hashes.pdq.hex == expected[name]
        assert hashes.pdq_exif.hex != hashes.pdq.hex
        derived = hashes.pdq_dihedral[Variant.DIHEDRAL.index(variant)]
        assert hamming_distance(hashes.pdq_exif.hex, derived) <= 10
        assert hashes.as_json()["pdq_exif"] == {
            "hash": hashes.pdq_exif.hex,
            "quality": hashes.pdq_exif.quality,
        }
