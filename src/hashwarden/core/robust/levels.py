"""How hard the matcher works to find edited copies: off, standard, thorough."""

from __future__ import annotations

import enum


class RobustLevel(enum.StrEnum):
    #: PDQ of the image and its eight rotations and flips only (Meta's reference behaviour).
    OFF = "off"
    #: Also the image with borders, caption bars and frames trimmed, and small tilts undone.
    STANDARD = "standard"
    #: Also local features (ORB) verified geometrically against entries added from pixels.
    THOROUGH = "thorough"

    @property
    def views(self) -> bool:
        return self is not RobustLevel.OFF

    @property
    def features(self) -> bool:
        return self is RobustLevel.THOROUGH


def parse_level(raw: str) -> RobustLevel:
    try:
        return RobustLevel(raw.strip().lower())
    except ValueError:
        choices = ", ".join(level.value for level in RobustLevel)
        raise ValueError(f"robust matching level {raw!r} is not one of {choices}") from None
