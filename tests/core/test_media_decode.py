"""Safe decoding: every supported format, limits before decode, typed errors, no crash on junk."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile, features

from hashwarden.core.errors import (
    CorruptMediaError,
    DecompressionBombError,
    EmptyMediaError,
    MediaError,
    MediaTooLargeError,
    UnreadableMediaError,
    UnsupportedMediaError,
)
from hashwarden.core.media.decode import open_image
from hashwarden.core.media.formats import sniff_format
from hashwarden.core.media.limits import DecodeLimits
from hashwarden.core.pdq.hasher import pdq_hash_image
from hashwarden.core.pdq.hexbits import hamming_distance

skimage_data = pytest.importorskip("skimage.data")


def _benign() -> Image.Image:
    return Image.fromarray(np.asarray(skimage_data.coffee())).resize((300, 200))


BENIGN = _benign()
EXACT_PDQ = pdq_hash_image(BENIGN)


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


FORMATS = [
    ("JPEG", "jpeg", 12),
    ("PNG", "png", 0),
    ("GIF", "gif", 40),
    ("WEBP", "webp", 16),
    ("BMP", "bmp", 0),
    ("TIFF", "tiff", 0),
    ("HEIF", "heif", 20),
]
if features.check("avif"):
    FORMATS.append(("AVIF", "avif", 24))


@pytest.mark.parametrize(("fmt", "kind", "max_bits"), FORMATS, ids=[f[0] for f in FORMATS])
def test_each_format_decodes_and_hashes(fmt: str, kind: str, max_bits: int) -> None:
    data = encode(BENIGN, fmt)
    assert sniff_format(data[:32]) == kind
    decoded = open_image(data, f"sample.{kind}")
    assert decoded.format == kind
    assert decoded.image.size == BENIGN.size
    result = pdq_hash_image(decoded.image)
    # Lossless formats give the exact hash; lossy ones stay close.
    assert hamming_distance(result.hex, EXACT_PDQ.hex) <= max_bits
    assert result.quality >= 50


def test_gif_uses_first_frame() -> None:
    frames = [BENIGN.convert("P"), BENIGN.transpose(Image.Transpose.ROTATE_180).convert("P")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    decoded = open_image(buffer.getvalue(), "anim.gif")
    assert pdq_hash_image(decoded.image) == pdq_hash_image(frames[0])


def test_path_and_bytes_agree(tmp_path: Path) -> None:
    data = encode(BENIGN, "PNG")
    path = tmp_path / "a.png"
    path.write_bytes(data)
    assert pdq_hash_image(open_image(path, str(path)).image) == EXACT_PDQ
    assert pdq_hash_image(open_image(data, "a.png").image) == EXACT_PDQ


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(EmptyMediaError, match=r"empty\.jpg"):
        open_image(path, str(path))


def test_unknown_format() -> None:
    with pytest.raises(UnsupportedMediaError, match=r"notes\.txt"):
        open_image(b"just some text, not an image\n" * 10, "notes.txt")


def test_truncated_jpeg_is_corrupt() -> None:
    data = encode(BENIGN, "JPEG")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    with pytest.raises(CorruptMediaError, match=r"cut\.jpg"):
        open_image(data[: len(data) // 2], "cut.jpg")


def test_truncated_png_is_corrupt() -> None:
    data = encode(BENIGN, "PNG")
    with pytest.raises(CorruptMediaError, match=r"cut\.png"):
        open_image(data[: len(data) - 300], "cut.png")


def test_load_truncated_flag_is_reset() -> None:
    data = encode(BENIGN, "JPEG")
    ImageFile.LOAD_TRUNCATED_IMAGES = True
    try:
        with pytest.raises(CorruptMediaError):
            open_image(data[: len(data) // 2], "cut.jpg")
        assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False


def test_file_size_limit_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(encode(BENIGN, "PNG"))
    limits = DecodeLimits(max_file_bytes=1000)
    with pytest.raises(MediaTooLargeError, match=r"big\.png"):
        open_image(path, str(path), limits)
    with pytest.raises(MediaTooLargeError):
        open_image(path.read_bytes(), "big.png", limits)


def test_pixel_limit_refuses_before_decode() -> None:
    # 20000 x 20000 PNG of one colour compresses to a few hundred kilobytes: a bomb.
    data = encode(Image.new("L", (20000, 20000)), "PNG")
    with pytest.raises(DecompressionBombError, match=r"bomb\.png"):
        open_image(data, "bomb.png", DecodeLimits(max_pixels=10_000_000))
    with pytest.raises(DecompressionBombError):
        open_image(data, "bomb.png")  # the default limit (100 Mpx) is below 400 Mpx
    small = encode(BENIGN, "PNG")
    with pytest.raises(DecompressionBombError):
        open_image(small, "small.png", DecodeLimits(max_pixels=1000))
    assert Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS > 1000


def test_limit_above_pillow_default_is_honoured() -> None:
    # 10000 x 10000 is above Pillow's own warning threshold (89 Mpx) but within ours.
    decoded = open_image(encode(Image.new("L", (10000, 10000)), "PNG"), "wide.png")
    assert decoded.image.size == (10000, 10000)


def test_missing_and_directory_are_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableMediaError, match=r"nope\.jpg"):
        open_image(tmp_path / "nope.jpg", "nope.jpg")
    with pytest.raises(UnreadableMediaError):
        open_image(tmp_path, str(tmp_path))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_permission_denied_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "secret.png"
    path.write_bytes(encode(BENIGN, "PNG"))
    path.chmod(0)
    with pytest.raises(UnreadableMediaError, match=r"secret\.png"):
        open_image(path, str(path))


def test_tiff_pillow_cannot_read_is_unsupported() -> None:
    # A TIFF header whose first IFD points past the end.
    data = b"II*\x00" + (10_000).to_bytes(4, "little") + b"\x00" * 32
    with pytest.raises(MediaError, match=r"odd\.tiff"):
        open_image(data, "odd.tiff")


SEEDS = [encode(BENIGN.resize((60, 40)), fmt) for fmt in ("JPEG", "PNG", "GIF", "WEBP", "BMP")]


def _decode_or_typed_error(data: bytes) -> None:
    try:
        decoded = open_image(data, "fuzz.bin", DecodeLimits(max_pixels=4_000_000))
    except MediaError as exc:
        assert "fuzz.bin" in str(exc)
        return
    pdq_hash_image(decoded.image)


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_random_bytes_never_crash(data: bytes) -> None:
    _decode_or_typed_error(data)


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=12),
    st.integers(0, 10_000),
)
def test_mutated_images_never_crash(seed: bytes, edits: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(seed)
    for position, value in edits:
        data[position % len(data)] = value
    if cut and cut < len(data):
        data = data[: len(data) - cut]
    _decode_or_typed_error(bytes(data))
