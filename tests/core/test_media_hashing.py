"""The media pipeline: crypto digests of the bytes plus PDQ of the pixels, in one read."""

from __future__ import annotations

import dataclasses
import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hashwarden.core.errors import (
    CorruptMediaError,
    EmptyMediaError,
    MediaTooLargeError,
    UnsupportedMediaError,
)
from hashwarden.core.media.hashing import CHUNK_BYTES, hash_media
from hashwarden.core.media.limits import DecodeLimits
from hashwarden.core.pdq.hasher import pdq_hash_image, pdq_hash_with_dihedral
from hashwarden.core.pdq.hexbits import hamming_distance

skimage_data = pytest.importorskip("skimage.data")


def _jpeg(size: tuple[int, int], exif_orientation: int | None = None) -> bytes:
    image = Image.fromarray(np.asarray(skimage_data.astronaut())).resize(size)
    buffer = io.BytesIO()
    if exif_orientation is None:
        image.save(buffer, format="JPEG", quality=92)
    else:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        image.save(buffer, format="JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def test_digests_and_pdq(tmp_path: Path) -> None:
    data = _jpeg((640, 480))
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)
    hashes = hash_media(path)
    assert hashes.source == str(path)
    assert hashes.media_type == "image"
    assert hashes.size == len(data)
    assert hashes.md5 == hashlib.md5(data).hexdigest()
    assert hashes.sha1 == hashlib.sha1(data).hexdigest()
    assert hashes.sha256 == hashlib.sha256(data).hexdigest()
    expected, variants = pdq_hash_with_dihedral(Image.open(io.BytesIO(data)))
    assert hashes.pdq == expected
    assert hashes.pdq_dihedral == variants
    assert hashes.pdq_exif is None
    assert {s.type for s in hashes.signals()} == {"md5", "sha1", "sha256", "pdq"}
    assert hash_media(data, name="photo.jpg") == dataclasses.replace(hashes, source="photo.jpg")


def test_large_file_streams_in_chunks(tmp_path: Path) -> None:
    # Several MiB of PNG noise: more than one chunk, digests still those of the whole file.
    noise = np.random.default_rng(0).integers(0, 256, size=(1400, 1400, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, format="PNG", compress_level=0)
    data = buffer.getvalue()
    assert len(data) > 3 * CHUNK_BYTES
    path = tmp_path / "noise.png"
    path.write_bytes(data)
    hashes = hash_media(path, dihedral=False)
    assert hashes.sha256 == hashlib.sha256(data).hexdigest()
    assert hashes.pdq == pdq_hash_image(Image.fromarray(noise))
    assert hashes.pdq_dihedral == ()


def test_non_image(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello\n" * 1000)
    with pytest.raises(UnsupportedMediaError, match=r"notes\.txt"):
        hash_media(path)
    other = hash_media(path, require_image=False)
    assert other.media_type == "other" and other.pdq is None and other.pdq_dihedral == ()
    assert other.md5 == hashlib.md5(path.read_bytes()).hexdigest()
    assert [s.type for s in other.signals()] == ["md5", "sha1", "sha256"]


def test_corrupt_image_raises_even_when_not_required(tmp_path: Path) -> None:
    data = _jpeg((320, 240))
    with pytest.raises(CorruptMediaError, match=r"cut\.jpg"):
        hash_media(data[: len(data) // 2], name="cut.jpg", require_image=False)


def test_empty_and_too_large(tmp_path: Path) -> None:
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    with pytest.raises(EmptyMediaError):
        hash_media(empty, require_image=False)
    with pytest.raises(EmptyMediaError):
        hash_media(b"", name="x")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 5000)
    with pytest.raises(MediaTooLargeError, match=r"big\.txt"):
        hash_media(big, require_image=False, limits=DecodeLimits(max_file_bytes=4096))


def test_exif_orientation_adds_upright_hash() -> None:
    plain = hash_media(_jpeg((400, 300)), name="a.jpg")
    rotated = hash_media(_jpeg((400, 300), exif_orientation=6), name="b.jpg")
    assert plain.pdq_exif is None
    assert rotated.pdq == plain.pdq  # stored pixels are the same
    assert rotated.pdq_exif is not None
    upright = Image.open(io.BytesIO(_jpeg((400, 300)))).transpose(Image.Transpose.ROTATE_270)
    assert rotated.pdq_exif == pdq_hash_image(upright)


def test_fast_mode_is_close() -> None:
    data = _jpeg((2400, 1800))
    exact = hash_media(data, name="big.jpg", dihedral=False)
    fast = hash_media(data, name="big.jpg", dihedral=False, fast=True)
    assert exact.pdq is not None and fast.pdq is not None
    assert exact.sha256 == fast.sha256
    assert hamming_distance(exact.pdq.hex, fast.pdq.hex) <= 16
