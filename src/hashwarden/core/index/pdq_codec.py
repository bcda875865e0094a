"""PDQ hashes as arrays: hex text <-> (N, 32) bytes <-> (N, 4) 64-bit words.

Word ``i`` holds bytes ``8i..8i+7`` read big-endian, so bit ``p`` of the 256-bit number (counted
from the most significant end of the hex string) is bit ``63 - p % 64`` of word ``p // 64``.
Hamming distances do not care about the layout; chunk extraction relies on it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from hashwarden.core.errors import InvalidSignalError

PDQ_BYTES = 32
PDQ_WORDS = 4

Words = npt.NDArray[np.uint64]
Bytes = npt.NDArray[np.uint8]


def pdq_hex_to_bytes(values: Sequence[str]) -> Bytes:
    """Parse 64-character hex strings into an (N, 32) uint8 array."""
    out = np.empty((len(values), PDQ_BYTES), dtype=np.uint8)
    for i, value in enumerate(values):
        text = value.strip()
        if len(text) != 2 * PDQ_BYTES:
            raise InvalidSignalError(f"pdq must be 64 hex characters, got {len(text)}")
        try:
            out[i] = np.frombuffer(bytes.fromhex(text), dtype=np.uint8)
        except ValueError as exc:
            raise InvalidSignalError(f"pdq must be hexadecimal: {value[:80]!r}") from exc
    return out


def pdq_bytes_to_hex(arr: npt.ArrayLike) -> list[str]:
    """Format an (N, 32) uint8 array as lowercase hex strings."""
    data = as_pdq_bytes(arr)
    return [row.tobytes().hex() for row in data]


def as_pdq_bytes(arr: npt.ArrayLike) -> Bytes:
    """Validate and return an (N, 32) C-contiguous uint8 array."""
    data = np.ascontiguousarray(arr, dtype=np.uint8)
    if data.ndim == 1 and data.size == 0:
        data = data.reshape(0, PDQ_BYTES)
    if data.ndim != 2 or data.shape[1] != PDQ_BYTES:
        raise ValueError(f"PDQ hashes must have shape (N, {PDQ_BYTES}), got {data.shape}")
    return data


def bytes_to_words(arr: npt.ArrayLike) -> Words:
    """(N, 32) uint8 -> (N, 4) native uint64 (big-endian words, see module docstring)."""
    data = as_pdq_bytes(arr)
    return data.view(">u8").astype(np.uint64)


def words_to_bytes(words: Words) -> Bytes:
    return np.ascontiguousarray(words.astype(">u8")).view(np.uint8).reshape(-1, PDQ_BYTES)
