"""Bit-for-bit agreement with the ``pdqhash`` binding of Meta's C++ reference on benign images."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from hashwarden.core.media.models import PdqResult
from hashwarden.core.pdq.hasher import (
    pdq_dihedral_array,
    pdq_hash_array,
    pdq_hash_image,
    pdq_hash_with_dihedral,
)
from hashwarden.core.pdq.hexbits import bits_to_hex, hamming_distance

pdqhash = pytest.importorskip("pdqhash")
skimage_data = pytest.importorskip("skimage.data")

SOURCES: tuple[str, ...] = (
    "astronaut", "camera", "coffee", "chelsea", "coins", "moon", "page", "text", "rocket",
    "clock", "hubble_deep_field", "immunohistochemistry", "grass", "gravel", "brick", "cell",
    "colorwheel", "cat",
)  # fmt: skip
NUM_IMAGES = 300


def reference(rgb: NDArray[np.uint8]) -> PdqResult:
    vector, quality = pdqhash.compute(np.ascontiguousarray(rgb))
    return PdqResult(_vector_hex(vector), int(quality))


def _vector_hex(vector: NDArray[np.uint8]) -> str:
    # pdqhash returns bit 255 first; ours puts bit k at index k.
    return bits_to_hex(np.asarray(vector, dtype=bool)[::-1])


def _rgb(name: str) -> NDArray[np.uint8]:
    array = np.asarray(getattr(skimage_data, name)())
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    return np.ascontiguousarray(array[..., :3].astype(np.uint8))


def _gradient(rng: np.random.Generator) -> NDArray[np.uint8]:
    height, width = (int(v) for v in rng.integers(8, 700, size=2))
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    angle = rng.uniform(0, np.pi)
    wave = rng.uniform(1, 40)
    base = np.sin((x * np.cos(angle) + y * np.sin(angle)) / wave)
    channels = [(base * rng.uniform(40, 127) + rng.uniform(64, 192)) for _ in range(3)]
    return np.clip(np.stack(channels, axis=-1), 0, 255).astype(np.uint8)


def benign_images(count: int, seed: int = 20240613) -> Iterator[NDArray[np.uint8]]:
    """Sample images resized, cropped and noised at random, plus synthetic gradients."""
    rng = np.random.default_rng(seed)
    cache = {name: _rgb(name) for name in SOURCES}
    for index in range(count):
        if index % 6 == 5:
            yield _gradient(rng)
            continue
        source = cache[SOURCES[int(rng.integers(len(SOURCES)))]]
        image = Image.fromarray(source)
        width = int(rng.integers(6, 900))
        height = max(6, int(width * rng.uniform(0.4, 2.0)))
        image = image.resize((width, height), Image.Resampling.BILINEAR)
        array = np.asarray(image)
        if rng.random() < 0.5:
            top, left = int(rng.integers(0, height // 3 + 1)), int(rng.integers(0, width // 3 + 1))
            array = array[top:, left:]
        if rng.random() < 0.5:
            noise = rng.normal(0, rng.uniform(1, 20), size=array.shape)
            array = np.clip(array + noise, 0, 255).astype(np.uint8)
        yield np.ascontiguousarray(array)


def test_agrees_with_pdqhash_on_random_benign_images() -> None:
    mismatches = []
    total = 0
    for index, rgb in enumerate(benign_images(NUM_IMAGES)):
        total += 1
        ours, theirs = pdq_hash_array(rgb), reference(rgb)
        if ours != theirs:
            mismatches.append((index, rgb.shape, ours, theirs))
        if index % 10 == 0:
            assert pdq_hash_array(rgb, strict=True) == theirs
    assert total == NUM_IMAGES
    assert mismatches == []


def test_dihedral_agrees_with_pdqhash() -> None:
    for rgb in benign_images(16, seed=7):
        vectors, quality = pdqhash.compute_dihedral(rgb)
        expected = [_vector_hex(vector) for vector in vectors]
        strict, strict_variants = pdq_dihedral_array(rgb, strict=True)
        assert list(strict_variants) == expected
        assert strict.quality == quality and strict.hex == strict_variants[0]
        # Default mode guarantees the original; the other seven may move a bit or two.
        result, variants = pdq_dihedral_array(rgb)
        assert variants[0] == expected[0] == result.hex
        assert all(hamming_distance(a, b) <= 4 for a, b in zip(variants, expected, strict=True))


def test_luma_input_equals_rgb_input() -> None:
    for rgb in benign_images(12, seed=3):
        luma = (rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114).astype(np.float32)
        assert pdq_hash_array(luma) == pdq_hash_array(rgb)


def test_tiny_images_hash_to_zero_like_reference() -> None:
    for shape in ((1, 1), (4, 40), (40, 4), (5, 5), (6, 9)):
        rgb = np.random.default_rng(1).integers(0, 256, size=(*shape, 3), dtype=np.uint8)
        assert pdq_hash_array(rgb) == reference(rgb)


def _mode_images() -> Iterator[tuple[str, Image.Image]]:
    base = Image.fromarray(_rgb("coffee"))
    for mode in ("1", "L", "P", "RGB", "RGBA", "RGBX", "CMYK", "YCbCr", "LAB", "HSV", "I", "F",
                 "LA", "PA", "I;16", "RGBa"):  # fmt: skip
        if mode == "PA":
            image = base.convert("P").convert("PA")
        elif mode == "I;16":
            image = base.convert("L").convert("I").convert("I;16")
        else:
            image = base.convert(mode)
        yield mode, image


@pytest.mark.parametrize(("mode", "image"), list(_mode_images()), ids=lambda v: str(v)[:8])
def test_every_mode_hashes_as_convert_rgb(mode: str, image: Image.Image) -> None:
    assert image.mode == mode
    expected = reference(np.asarray(image.convert("RGB")))
    assert pdq_hash_image(image) == expected
    result, variants = pdq_hash_with_dihedral(image)
    assert result == expected and len(variants) == 8


def test_rejects_bad_arrays() -> None:
    rejected: list[Callable[[], object]] = [
        lambda: pdq_hash_array(np.zeros((10, 10, 4), dtype=np.uint8)),
        lambda: pdq_hash_array(np.zeros((10, 10, 3), dtype=np.float32)),
        lambda: pdq_hash_array(np.zeros((10,), dtype=np.uint8)),
    ]
    for call in rejected:
        with pytest.raises(ValueError):
            call()


def test_pillow_float_luma_is_the_reference_luma_for_every_colour() -> None:
    """image_rows relies on convert("F") giving exactly the binding's float32 luma."""
    from hashwarden.core.pdq.emulation import reference_luma

    codes = np.arange(1 << 24, dtype=np.uint32)
    rgb = np.stack([(codes >> 16) & 255, (codes >> 8) & 255, codes & 255], axis=-1)
    rgb = rgb.astype(np.uint8).reshape(4096, 4096, 3)
    pillow = np.asarray(Image.fromarray(rgb).convert("F"))
    binding = (rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114).astype(np.float32)
    assert np.array_equal(pillow, binding)
    assert np.array_equal(reference_luma(rgb), binding)


def test_image_path_equals_array_path() -> None:
    for rgb in benign_images(30, seed=21):
        image = Image.fromarray(rgb)
        assert pdq_hash_image(image) == pdq_hash_array(rgb) == reference(rgb)
        grey = image.convert("L")
        assert pdq_hash_image(grey) == reference(np.asarray(grey.convert("RGB")))
