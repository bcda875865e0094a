"""Float32 emulation of the C++ reference, operation for operation (slow path, bit-exact).

The fast path (``jarosz`` matrices, float64 DCT) computes the same real numbers with *less*
rounding error than the reference's running float32 sums, so the two agree except when two DCT
coefficients around the median, or a quality gradient, sit within rounding noise of each other.
For those images the hasher can recompute here, reproducing every float32 rounding of
``box1DFloat`` (running sum, add then subtract), ``dct64To16`` (sequential sums) and the luma
conversion of the ``pdqhash`` binding, so the bits equal the reference's. It runs at about the
reference's own speed.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hashwarden.core.pdq.dct import DCT_MATRIX, DCT_SIDE
from hashwarden.core.pdq.jarosz import SIDE, decimation_rows, jarosz_window

_DCT32 = DCT_MATRIX.astype(np.float32)


def reference_luma(rgb: NDArray[np.uint8]) -> NDArray[np.float32]:
    """Luma as the ``pdqhash`` binding stores it: ``0.299 R + 0.587 G + 0.114 B`` as float32.

    The binding sums in float64 and rounds once to float32, which always yields the float32
    nearest to the exact value ``(299 R + 587 G + 114 B) / 1000`` (float64 error is far below
    the distance from any such value to a float32 rounding midpoint). That integer is exact in
    float32 (< 2^24) and IEEE division rounds correctly, so this cheaper form is bit-identical.
    """
    channels = rgb.astype(np.float32)
    weighted = channels[..., 0] * np.float32(299)
    weighted += channels[..., 1] * np.float32(587)
    weighted += channels[..., 2] * np.float32(114)
    weighted /= np.float32(1000)
    return weighted


def box_along_axis0(values: NDArray[np.float32], window: int) -> NDArray[np.float32]:
    """``box1DFloat`` down every column of ``values`` at once, with the reference's roundings.

    Each step is a float32 vector op across all columns, in the reference's order: the running
    sum adds the entering sample, then subtracts the leaving one, then is divided by the count.
    """
    length = values.shape[0]
    half = (window + 2) // 2
    phase1, phase2, phase3, phase4 = half - 1, window - half + 1, length - window, half - 1
    out = np.empty_like(values)
    total = np.zeros(values.shape[1:], dtype=np.float32)
    right = 0
    for _ in range(phase1):
        total += values[right]
        right += 1
    index = 0
    for step in range(phase2):
        total += values[right]
        right += 1
        np.divide(total, np.float32(phase1 + step + 1), out=out[index])
        index += 1
    full = np.float32(window)
    for left in range(phase3):
        total += values[right]
        total -= values[left]
        right += 1
        np.divide(total, full, out=out[index])
        index += 1
    count = window
    for left in range(phase3, phase3 + phase4):
        total -= values[left]
        count -= 1
        np.divide(total, np.float32(count), out=out[index])
        index += 1
    return out


def reference_downscale(luma: NDArray[np.float32]) -> NDArray[np.float32]:
    """``jaroszFilterFloat`` (rows then columns, twice) and ``decimateFloat`` in float32.

    Only the 64 decimated columns are carried through the last column pass.
    """
    height, width = luma.shape
    if height == SIDE and width == SIDE:
        return luma.astype(np.float32)
    along_rows, along_cols = jarosz_window(width), jarosz_window(height)
    rows, cols = decimation_rows(height), decimation_rows(width)
    # Work on (W, H) when filtering along rows so every step reads contiguous memory.
    across = box_along_axis0(np.ascontiguousarray(luma.T, dtype=np.float32), along_rows)
    down = box_along_axis0(np.ascontiguousarray(across.T), along_cols)
    across = box_along_axis0(np.ascontiguousarray(down.T), along_rows)
    down = box_along_axis0(np.ascontiguousarray(across[cols].T), along_cols)
    return np.ascontiguousarray(down[rows])


def reference_dct16(buffer64: NDArray[np.float32]) -> NDArray[np.float32]:
    """``dct64To16`` with its sequential float32 sums (T = D A, then B = T D^T)."""
    partial = np.zeros((DCT_SIDE, SIDE), dtype=np.float32)
    for k in range(SIDE):
        partial += _DCT32[:, k : k + 1] * buffer64[k : k + 1, :]
    result = np.zeros((DCT_SIDE, DCT_SIDE), dtype=np.float32)
    for k in range(SIDE):
        result += partial[:, k : k + 1] * _DCT32[:, k][None, :]
    return result
