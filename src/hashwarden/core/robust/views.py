"""The extra PDQ hashes a query is looked up with, beyond its eight rotations and flips."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from hashwarden.core.media.models import PdqResult
from hashwarden.core.pdq.hasher import pdq_hash_array
from hashwarden.core.robust.normalise import detection_copy, trim_bands, untilt
from hashwarden.core.signals.pdq import PDQ_MIN_QUALITY


class View:
    """Names of the repaired views (kept as plain strings, like ``media.models.Variant``)."""

    TRIMMED = "trimmed"
    #: Every band peeled off (app chrome); the first cut alone is ``TRIMMED``.
    PEELED = "peeled"
    UPRIGHT = "upright"


def image_rgb(image: Image.Image) -> NDArray[np.uint8]:
    return np.asarray(image if image.mode == "RGB" else image.convert("RGB"))


def query_views(rgb: NDArray[np.uint8]) -> list[tuple[str, PdqResult]]:
    """(view name, PDQ) of each repair that changed something and kept a usable picture."""
    found: list[tuple[str, PdqResult]] = []
    detection = detection_copy(rgb)
    repairs = list(zip((View.TRIMMED, View.PEELED), trim_bands(rgb, detection), strict=False))
    upright = untilt(rgb, detection)
    if upright is not None:
        repairs.append((View.UPRIGHT, upright))
    for name, repaired in repairs:
        result = pdq_hash_array(repaired)
        if result.quality >= PDQ_MIN_QUALITY:
            found.append((name, result))
    return found
