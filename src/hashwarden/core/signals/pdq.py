"""PDQ: Meta's 256-bit perceptual image hash, 64 lowercase hex characters plus a quality score."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hashwarden.core.errors import InvalidSignalError
from hashwarden.core.signals.base import ImageSignalType, _is_hex

if TYPE_CHECKING:
    from PIL.Image import Image

#: Hashes below this quality come from flat or tiny images and match everything alike
#: (the reference discards them); they are never matched perceptually.
PDQ_MIN_QUALITY = 50


class PDQ(ImageSignalType):
    name = "pdq"
    description = "PDQ perceptual image hash (256 bits)"
    # Meta's reference matcher: same image when the Hamming distance is <= 31.
    default_threshold = 31
    max_threshold = 128

    @classmethod
    def parse(cls, raw: str) -> str:
        value = raw.strip().lower()
        if len(value) != 64:
            raise InvalidSignalError(f"pdq must be 64 hex characters, got {len(value)}")
        if not _is_hex(value):
            raise InvalidSignalError(f"pdq must be hexadecimal: {raw[:80]!r}")
        return value

    @classmethod
    def distance(cls, a: str, b: str) -> int:
        return (int(a, 16) ^ int(b, 16)).bit_count()

    @classmethod
    def compute(cls, image: Image) -> tuple[str, int]:
        from hashwarden.core.pdq.hasher import pdq_hash_image

        result = pdq_hash_image(image)
        return result.hex, result.quality
