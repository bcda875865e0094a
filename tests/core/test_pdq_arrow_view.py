"""The zero-copy pixel view and the strip reader agree with a plain copy of the pixels."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from hashwarden.core.pdq.arrow_view import pixel_view
from hashwarden.core.pdq.image_rows import _reduce_strips, downscale_image
from hashwarden.core.pdq.jarosz import reduce_columns, reduce_rows


def _noise(mode: str, size: tuple[int, int]) -> Image.Image:
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)
    return Image.fromarray(pixels).convert(mode)


@pytest.mark.parametrize("mode", ["F", "L"])
def test_view_equals_a_copy(mode: str) -> None:
    image = _noise(mode, (321, 123))
    with pixel_view(image) as view:
        assert view is not None
        assert not view.flags.writeable
        np.testing.assert_array_equal(view, np.asarray(image))


def test_images_over_one_block_are_not_viewed() -> None:
    image = Image.new("F", (4096, 1025))
    with pixel_view(image) as view:
        assert view is None


def test_rgb_is_not_viewed() -> None:
    with pixel_view(_noise("RGB", (10, 10))) as view:
        assert view is None


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_view_and_strip_paths_give_the_same_buffer(mode: str) -> None:
    image = _noise(mode, (517, 389))
    by_strips = reduce_columns(_reduce_strips(image))
    luma = image if mode == "L" else image.convert("F")
    by_view = reduce_columns(reduce_rows(np.asarray(luma)))
    np.testing.assert_allclose(by_strips, by_view, rtol=1e-6)
    np.testing.assert_allclose(downscale_image(image), by_view, rtol=1e-6)
