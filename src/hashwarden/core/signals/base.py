"""The signal-type extension point: one subclass per hash type, registered by name.

Modelled on python-threatexchange's ``SignalType``: a type knows how to parse and normalise its
values, measure the distance between two of them and what threshold counts as a match. Whether it
can be computed from media is a separate capability (``ByteDigestSignalType`` for digests over the
file bytes, ``ImageSignalType`` for hashes over decoded pixels); a type with neither is *opaque*:
stored, matched exactly and exported unchanged (PhotoDNA, TMK+PDQF).
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, Protocol

from hashwarden.core.errors import InvalidSignalError

if TYPE_CHECKING:
    from PIL.Image import Image


class SignalKind(StrEnum):
    CRYPTOGRAPHIC = "cryptographic"
    PERCEPTUAL = "perceptual"
    OPAQUE = "opaque"


class Digest(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...


class SignalType(ABC):
    """A kind of hash. Subclasses are stateless; every method is a classmethod."""

    name: ClassVar[str]
    kind: ClassVar[SignalKind]
    description: ClassVar[str] = ""
    #: Largest distance that still counts as a match when a list sets no threshold of its own.
    default_threshold: ClassVar[int] = 0
    #: Largest threshold a list may set; exact types allow only 0.
    max_threshold: ClassVar[int] = 0
    #: Other names this type is known by in foreign formats (``pdna``, ``photo_dna`` ...).
    aliases: ClassVar[tuple[str, ...]] = ()
    #: False for values that stay on this instance: never exported, fed or shown in the API.
    shareable: ClassVar[bool] = True

    @classmethod
    @abstractmethod
    def parse(cls, raw: str) -> str:
        """Return the canonical form of ``raw`` or raise ``InvalidSignalError``."""

    @classmethod
    def distance(cls, a: str, b: str) -> int:
        """Distance between two canonical values; exact types return 0 or 1."""
        return 0 if a == b else 1

    @classmethod
    def is_exact(cls) -> bool:
        return cls.max_threshold == 0


class ByteDigestSignalType(SignalType):
    """A cryptographic digest of the file bytes, computed while streaming."""

    kind = SignalKind.CRYPTOGRAPHIC
    hashlib_name: ClassVar[str]
    hex_length: ClassVar[int]

    @classmethod
    def new_digest(cls) -> Digest:
        return hashlib.new(cls.hashlib_name)

    @classmethod
    def parse(cls, raw: str) -> str:
        value = raw.strip().lower()
        if len(value) != cls.hex_length:
            raise InvalidSignalError(
                f"{cls.name} must be {cls.hex_length} hex characters, got {len(value)}"
            )
        if not _is_hex(value):
            raise InvalidSignalError(f"{cls.name} must be hexadecimal: {raw[:80]!r}")
        return value


class ImageSignalType(SignalType):
    """A perceptual hash over decoded pixels."""

    kind = SignalKind.PERCEPTUAL

    @classmethod
    @abstractmethod
    def compute(cls, image: Image) -> tuple[str, int]:
        """Hash an RGB image; return the canonical value and its quality (0-100)."""


class OpaqueSignalType(SignalType):
    """A hash hashwarden cannot compute; kept verbatim (trimmed) and matched exactly."""

    kind = SignalKind.OPAQUE
    max_length: ClassVar[int] = 16384

    @classmethod
    def parse(cls, raw: str) -> str:
        value = raw.strip()
        if not value:
            raise InvalidSignalError(f"{cls.name} value is empty")
        if len(value) > cls.max_length:
            raise InvalidSignalError(f"{cls.name} value longer than {cls.max_length} characters")
        if any(ch in value for ch in "\r\n\t\x00"):
            raise InvalidSignalError(f"{cls.name} value contains control characters")
        return value


_HEX = re.compile(r"[0-9a-f]+")


def _is_hex(value: str) -> bool:
    # A compiled pattern: a per-character Python loop was a tenth of a large import's time.
    return _HEX.fullmatch(value) is not None
