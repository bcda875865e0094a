"""Feed a decoded Pillow image to the Jarosz row reduction strip by strip.

Copying a whole large image out of Pillow (``np.asarray``) allocates tens of megabytes of fresh
memory per image, and first-touch page faults made that copy cost more than the decode itself.
Reading only the row strips each output sample needs, one at a time, keeps every temporary small
and reused. RGB strips go through Pillow's ``convert("F")``, whose luma is
``(299 R + 587 G + 114 B) / 1000`` rounded once to float32: the same float32 the reference's
luma conversion yields (see ``emulation.reference_luma``).
"""

from __future__ import annotations

import threading

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from PIL import _imaging as pillow_core

from hashwarden.core.pdq.arrow_view import fits_one_block, pixel_view
from hashwarden.core.pdq.jarosz import SIDE, reduce_columns, reduce_rows, row_windows

#: Modes read directly; everything else is converted to RGB first.
DIRECT_MODES = frozenset({"RGB", "L"})


def _strip(image: Image.Image, start: int, stop: int) -> NDArray[np.generic]:
    width = image.size[0]
    region = image.crop((0, start, width, stop))
    if image.mode == "L":
        return np.frombuffer(region.tobytes(), dtype=np.uint8).reshape(stop - start, width)
    luma = region.convert("F").tobytes()
    return np.frombuffer(luma, dtype=np.float32).reshape(stop - start, width)


#: Strips are read in chunks of about this many bytes of luma: few enough Pillow calls for small
#: images, small enough that the temporaries stay in cache and in reused memory for large ones.
CHUNK_BYTES = 1 << 19


def _chunks(height: int, width: int) -> list[tuple[int, int, list[int]]]:
    """Group consecutive row windows into ``(start, stop, window indices)`` read together."""
    windows = row_windows(height)
    rows_budget = max(1, CHUNK_BYTES // (4 * width))
    chunks: list[tuple[int, int, list[int]]] = []
    for index, window in enumerate(windows):
        if chunks:
            start, stop, members = chunks[-1]
            if max(stop, window.stop) - start <= rows_budget:
                chunks[-1] = (start, max(stop, window.stop), [*members, index])
                continue
        chunks.append((window.start, window.stop, [index]))
    return chunks


def downscale_image(image: Image.Image) -> NDArray[np.float64]:
    """The 64x64 Jarosz downsample of the luma of an ``RGB`` or ``L`` image."""
    if image.mode not in DIRECT_MODES:
        raise ValueError(f"expected an RGB or L image, got mode {image.mode}")
    if fits_one_block(image.size, 4):
        luma = image if image.mode == "L" else _float_luma(image)
        with pixel_view(luma) as view:
            if view is not None:
                return reduce_columns(reduce_rows(view))
    return reduce_columns(_reduce_strips(image))


_scratch = threading.local()


def _float_luma(image: Image.Image) -> Image.Image:
    """``image.convert("F")`` into a per-thread buffer reused while the size stays the same.

    A fresh buffer per image costs a page fault per 4 KiB on first touch, which was a third of
    the whole PDQ time on 1024x768 images.
    """
    cached: Image.Image | None = getattr(_scratch, "luma", None)
    if cached is None or cached.size != image.size:
        cached = image._new(pillow_core.new_block("F", image.size))
        _scratch.luma = cached
    image.load()
    image.im.convert_into(cached.im)
    return cached


def _reduce_strips(image: Image.Image) -> NDArray[np.float32]:
    """The row reduction read strip by strip, for images too big to view without a copy."""
    width, height = image.size
    windows = row_windows(height)
    reduced = np.empty((SIDE, width), dtype=np.float32)
    for start, stop, members in _chunks(height, width):
        rows = _strip(image, start, stop)
        for index in members:
            window = windows[index]
            part = rows[window.start - start : window.stop - start]
            np.dot(window.weights, part, out=reduced[index])
    return reduced


def image_luma(image: Image.Image) -> NDArray[np.float32]:
    """Whole-image float32 luma, as the reference computes it (for the exact fallback)."""
    if image.mode == "L":
        return np.asarray(image).astype(np.float32)
    return np.asarray(image.convert("F"), dtype=np.float32)
