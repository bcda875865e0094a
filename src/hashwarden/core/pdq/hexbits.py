"""PDQ's 256 bits <-> 64 hex characters, in the reference's order (``Hash256::format``).

Bit ``k = i*16 + j`` (DCT row ``i``, column ``j``) is bit ``k`` of a 256-bit integer written as
64 big-endian hex digits: the reference prints its sixteen 16-bit words from ``w[15]`` down.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hashwarden.core.errors import InvalidSignalError

NUM_BITS = 256
HEX_LENGTH = 64


def bits_to_hex(bits: NDArray[np.bool_]) -> str:
    """Hex string of a 256-element (or 16x16) boolean array, bit ``k`` at ``bits.ravel()[k]``."""
    flat = np.asarray(bits, dtype=bool).ravel()
    if flat.size != NUM_BITS:
        raise ValueError(f"PDQ has {NUM_BITS} bits, got {flat.size}")
    return np.packbits(flat[::-1]).tobytes().hex()


def hex_to_bits(value: str) -> NDArray[np.bool_]:
    """Inverse of ``bits_to_hex``: a 256-element boolean array."""
    if len(value) != HEX_LENGTH:
        raise InvalidSignalError(f"pdq must be {HEX_LENGTH} hex characters, got {len(value)}")
    try:
        raw = bytes.fromhex(value)
    except ValueError as exc:
        raise InvalidSignalError(f"pdq must be hexadecimal: {value[:80]!r}") from exc
    bits: NDArray[np.bool_] = np.unpackbits(np.frombuffer(raw, dtype=np.uint8))[::-1].astype(bool)
    return bits


def hamming_distance(a: str, b: str) -> int:
    """Number of differing bits between two PDQ hex strings."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
