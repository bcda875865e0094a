"""From the 64x64 downsample to PDQ's 16x16 DCT, quality score and 256 bits (``pdqhashing.cpp``)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hashwarden.core.pdq.jarosz import SIDE

#: The hash keeps DCT rows and columns 1..16 (row 0, the DC term, is skipped).
DCT_SIDE = 16


def _dct_matrix() -> NDArray[np.float64]:
    # Same construction as the reference's ``dct_matrix_64``: a float scale factor times a
    # double cosine, stored as float.
    scale = np.float32(np.sqrt(2.0 / SIDE))
    rows = np.arange(1, DCT_SIDE + 1, dtype=np.float64)[:, None]
    cols = (2 * np.arange(SIDE, dtype=np.float64) + 1)[None, :]
    matrix = (float(scale) * np.cos((np.pi / 2.0 / SIDE) * rows * cols)).astype(np.float32)
    return matrix.astype(np.float64)


DCT_MATRIX = _dct_matrix()
DCT_MATRIX.setflags(write=False)


def quality_metric(buffer64: NDArray[np.float64]) -> int:
    """``pdqImageDomainQualityMetric``: count of quantised gradients, scaled to 0-100.

    Done in float32 with truncation toward zero, as the reference's
    ``int d = ((u - v) * 100) / 255``.
    """
    grid = buffer64.astype(np.float32)
    hundred, full = np.float32(100), np.float32(255)
    down = ((grid[:-1, :] - grid[1:, :]) * hundred) / full
    right = ((grid[:, :-1] - grid[:, 1:]) * hundred) / full
    gradient_sum = int(np.abs(down.astype(np.int32)).sum() + np.abs(right.astype(np.int32)).sum())
    return min(gradient_sum // 90, 100)


def dct16(buffer64: NDArray[np.float64]) -> NDArray[np.float64]:
    """``dct64To16``: ``D A D^T`` with the 16x64 partial DCT matrix."""
    result: NDArray[np.float64] = DCT_MATRIX @ buffer64 @ DCT_MATRIX.T
    return result


def torben_median(values: NDArray[np.float64]) -> float:
    """The value Torben's median returns for 256 values: the lower median (128th smallest)."""
    flat = values.ravel()
    lower = (flat.size - 1) // 2
    return float(np.partition(flat, lower)[lower])


def dct_to_bits(dct: NDArray[np.float64]) -> NDArray[np.bool_]:
    """``pdqBuffer16x16ToBits``: bit ``i*16+j`` set when DCT ``(i, j)`` exceeds the median."""
    result: NDArray[np.bool_] = dct > torben_median(dct)
    return result


def _odd_sign(parity_rows: bool, parity_cols: bool, odd: bool) -> NDArray[np.float64]:
    """A 16x16 sign mask: -1 where the selected index parity is even (``odd=False``) or odd."""
    i = np.arange(DCT_SIDE)[:, None]
    j = np.arange(DCT_SIDE)[None, :]
    parity = np.zeros((DCT_SIDE, DCT_SIDE), dtype=np.int64)
    if parity_rows:
        parity = parity + i
    if parity_cols:
        parity = parity + j
    negate = (parity & 1) == (1 if odd else 0)
    return np.where(negate, -1.0, 1.0)


_NO_SIGN = np.ones((DCT_SIDE, DCT_SIDE))
# (sign mask applied in the source's (i, j) frame, transpose?) per variant, following
# dct16OriginalToRotate90 ... dct16OriginalToFlipMinus1: a flip along an axis negates the
# coefficients of even index there (index 0 here is frequency 1, which is odd).
_DIHEDRAL_OPS: tuple[tuple[NDArray[np.float64], bool], ...] = (
    (_NO_SIGN, False),  # original
    (_odd_sign(False, True, odd=False), True),  # rotate90: -A[i][j] where j even, transposed
    (_odd_sign(True, True, odd=True), False),  # rotate180: -A[i][j] where i + j odd
    (_odd_sign(True, False, odd=False), True),  # rotate270: -A[i][j] where i even, transposed
    (_odd_sign(True, False, odd=False), False),  # flipx: -A[i][j] where i even
    (_odd_sign(False, True, odd=False), False),  # flipy: -A[i][j] where j even
    (_NO_SIGN, True),  # flip_plus1: transpose
    (_odd_sign(True, True, odd=True), True),  # flip_minus1: -A[i][j] where i + j odd, transposed
)


def dihedral_dcts(dct: NDArray[np.float64]) -> list[NDArray[np.float64]]:
    """The DCT of each of the eight dihedral transforms, in ``Variant.DIHEDRAL`` order."""
    variants = []
    for sign, transpose in _DIHEDRAL_OPS:
        signed = dct * sign
        variants.append(signed.T if transpose else signed)
    return variants
