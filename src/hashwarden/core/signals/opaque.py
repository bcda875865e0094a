"""Hashes hashwarden stores and passes on but cannot compute (licensed or video-only algorithms)."""

from __future__ import annotations

from hashwarden.core.signals.base import OpaqueSignalType


class PhotoDNA(OpaqueSignalType):
    """Microsoft PhotoDNA: 144 bytes, licensed; lists carry it base64, hex or comma-separated."""

    name = "photodna"
    aliases = ("pdna", "photo_dna")
    description = "PhotoDNA (opaque: stored and matched exactly, never computed)"


class TmkPdqf(OpaqueSignalType):
    """Meta TMK+PDQF video hash: a binary blob, carried in NCMEC lists as text."""

    name = "tmk_pdqf"
    aliases = ("tmk", "tmkpdqf", "tmk_pdqf")
    description = "TMK+PDQF video hash (opaque: stored and matched exactly)"
