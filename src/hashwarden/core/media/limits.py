"""Resource limits applied before any media file is decoded."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class DecodeLimits:
    """Refuse files larger than ``max_file_bytes`` and images with more than ``max_pixels``.

    The pixel limit is checked on the header's declared size, before the pixels are decoded, so a
    small file declaring a huge canvas (a decompression bomb) costs nothing.
    """

    max_file_bytes: int = 256 * MIB
    max_pixels: int = 100_000_000

    def __post_init__(self) -> None:
        if self.max_file_bytes <= 0 or self.max_pixels <= 0:
            raise ValueError("decode limits must be positive")


DEFAULT_LIMITS = DecodeLimits()
