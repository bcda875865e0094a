"""PDQ's Jarosz downscale (two box-filter passes per axis, then decimation to 64x64) as matrices.

The reference (``downscaling.cpp``: ``jaroszFilterFloat`` + ``decimateFloat``) runs running-sum box
filters over the whole float luma buffer and then keeps only 64x64 samples. The filter is linear and
acts on rows and columns independently, so the 64 kept samples along an axis of length ``n`` are a
fixed ``64 x n`` matrix (decimation ∘ box ∘ box) applied to that axis. Each of its rows is non-zero
on a window of about ``n / 64`` entries, so applying it reads every pixel about once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

#: PDQ works on a 64x64 downsample.
SIDE = 64
#: ``PDQ_NUM_JAROSZ_XY_PASSES`` in the reference: two passes make a tent filter.
NUM_PASSES = 2


def jarosz_window(old: int, new: int = SIDE) -> int:
    """``computeJaroszFilterWindowSize``: half the block size per pass, rounded up."""
    return (old + 2 * new - 1) // (2 * new)


def _box_spans(length: int, window: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """``box1DFloat``'s averaging span ``[lo, hi]`` for every output, edges included.

    Output ``o`` averages inputs ``max(0, o - (window - half)) .. min(length - 1, o + half - 1)``
    where ``half = (window + 2) // 2``: phases 1-4 of the reference's running sum.
    """
    half = (window + 2) // 2
    out = np.arange(length)
    lo = np.maximum(0, out - (window - half))
    hi = np.minimum(length - 1, out + half - 1)
    return lo, hi


def box_matrix(length: int, window: int) -> NDArray[np.float64]:
    """``box1DFloat`` as a dense ``length x length`` matrix (for tests and small sizes)."""
    lo, hi = _box_spans(length, window)
    cols = np.arange(length)
    inside = (cols[None, :] >= lo[:, None]) & (cols[None, :] <= hi[:, None])
    return inside / (hi - lo + 1)[:, None].astype(np.float64)


def decimation_rows(length: int, side: int = SIDE) -> NDArray[np.intp]:
    """``decimateFloat`` keeps input ``int((i + 0.5) * n / side)``; exact in integers."""
    return ((2 * np.arange(side) + 1) * length) // (2 * side)


@lru_cache(maxsize=256)
def axis_matrix(length: int) -> NDArray[np.float64]:
    """The ``64 x length`` matrix taking one axis from ``length`` samples to PDQ's 64.

    Row ``i`` is (decimation ∘ box ∘ box)[i]: the average, over the box span of the kept sample,
    of the box rows of that span. Built from interval difference arrays in O(64 * length).
    """
    if length < 1:
        raise ValueError("axis length must be positive")
    lo, hi = _box_spans(length, jarosz_window(length))
    counts = (hi - lo + 1).astype(np.float64)
    matrix = np.zeros((SIDE, length), dtype=np.float64)
    for index, kept in enumerate(decimation_rows(length)):
        outer = np.arange(lo[kept], hi[kept] + 1)
        weights = 1.0 / (counts[kept] * counts[outer])
        diff = np.zeros(length + 1, dtype=np.float64)
        np.add.at(diff, lo[outer], weights)
        np.add.at(diff, hi[outer] + 1, -weights)
        row = np.cumsum(diff[:length])
        # Outside the span the cumulative sum may leave rounding residue; it is exactly zero.
        first, last = lo[outer[0]], hi[outer[-1]]
        row[:first] = 0.0
        row[last + 1 :] = 0.0
        matrix[index] = row
    matrix.setflags(write=False)
    return matrix


@dataclass(frozen=True, slots=True)
class RowWindow:
    """Non-zero span ``[start, stop)`` of one matrix row, with its weights."""

    start: int
    stop: int
    weights: NDArray[np.float32]


@lru_cache(maxsize=256)
def row_windows(length: int) -> tuple[RowWindow, ...]:
    """The banded form of ``axis_matrix(length)``: one short weight vector per output sample."""
    matrix = axis_matrix(length)
    windows = []
    for row in matrix:
        nonzero = np.flatnonzero(row)
        start, stop = int(nonzero[0]), int(nonzero[-1]) + 1
        weights = row[start:stop].astype(np.float32)
        weights.setflags(write=False)
        windows.append(RowWindow(start, stop, weights))
    return tuple(windows)


def reduce_rows(pixels: NDArray[np.generic]) -> NDArray[np.float32]:
    """Apply the row-axis matrix to a ``H x K`` array (K = W or 3W), reading each row about once.

    ``np.dot`` on a small slab converts only that slab to float32, so no full-size float copy of
    the image is ever made.
    """
    height, width = pixels.shape
    out = np.empty((SIDE, width), dtype=np.float32)
    for index, window in enumerate(row_windows(height)):
        np.dot(window.weights, pixels[window.start : window.stop], out=out[index])
    return out


@lru_cache(maxsize=256)
def column_gather(length: int) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """``row_windows(length)`` padded to one width: ``(64 x L)`` column indices and weights.

    Padding repeats the last index with weight zero, so one gather and one product apply the
    axis matrix to the columns without touching its ~(1 - L / length) zeros.
    """
    windows = row_windows(length)
    span = max(window.stop - window.start for window in windows)
    indices = np.empty((SIDE, span), dtype=np.intp)
    weights = np.zeros((SIDE, span), dtype=np.float64)
    matrix = axis_matrix(length)
    for index, window in enumerate(windows):
        count = window.stop - window.start
        indices[index, :count] = np.arange(window.start, window.stop)
        indices[index, count:] = window.stop - 1
        weights[index, :count] = matrix[index, window.start : window.stop]
    indices.setflags(write=False)
    weights.setflags(write=False)
    return indices, weights


def reduce_columns(reduced: NDArray[np.floating]) -> NDArray[np.float64]:
    """Apply the column-axis matrix to the ``64 x W`` row reduction, giving the 64x64 buffer."""
    indices, weights = column_gather(reduced.shape[1])
    # np.take is several times faster than the equivalent fancy index here.
    gathered = np.take(reduced, indices, axis=1)
    result: NDArray[np.float64] = np.einsum("rjl,jl->rj", gathered, weights)
    return result


#: Luma weights of ``fillFloatLumaFromRGB`` (Wikipedia's RGB to Y).
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float64)


def downscale_rgb(rgb: NDArray[np.uint8]) -> NDArray[np.float64]:
    """64x64 Jarosz downsample of the luma of an ``H x W x 3`` uint8 image.

    Luma is linear too, so it is taken after the row reduction, on ``64 x W`` values only.
    """
    height, width, _ = rgb.shape
    if not rgb.flags.c_contiguous:
        rgb = np.ascontiguousarray(rgb)
    reduced = reduce_rows(rgb.reshape(height, width * 3)).reshape(SIDE, width, 3)
    return reduce_columns(reduced.astype(np.float64) @ LUMA_WEIGHTS)


def downscale_luma(luma: NDArray[np.generic]) -> NDArray[np.float64]:
    """64x64 Jarosz downsample of an ``H x W`` luma (or grey) array."""
    if not luma.flags.c_contiguous:
        luma = np.ascontiguousarray(luma)
    return reduce_columns(reduce_rows(luma))
