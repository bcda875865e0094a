"""The extra PDQ hashes a query is looked up with, beyond its eight rotations and flips."""

from __future__ import annotations

import numpy as np
from PIL import Image

from hashwarden.core.media.models import PdqResult
from hashwarden.core.pdq.hasher import pdq_hash_image
from hashwarden.core.robust.normalise import Picture, detection_copy, trim_bands, untilt
from hashwarden.core.signals.pdq import PDQ_MIN_QUALITY


class View:
    """Names of the repaired views (kept as plain strings, like ``media.models.Variant``)."""

    TRIMMED = "trimmed"
    #: Every band peeled off (app chrome); the first cut alone is ``TRIMMED``.
    PEELED = "peeled"
    UPRIGHT = "upright"


def _pdq(picture: Picture) -> PdqResult:
    # Views are only looked up, never listed or shared: the fast path's hash is enough.
    image = picture if isinstance(picture, Image.Image) else Image.fromarray(picture)
    return pdq_hash_image(image, exact=False)


def query_views(picture: Picture) -> list[tuple[str, PdqResult]]:
    """(view name, PDQ) of each repair that changed something and kept a usable picture.

    Takes the decoded Pillow image as it is (any mode): converting a whole upload to an array
    first cost more than the repairs themselves.
    """
    found: list[tuple[str, PdqResult]] = []
    detection = detection_copy(picture)
    cuts = trim_bands(picture, detection)
    repairs: list[tuple[str, Picture]] = list(zip((View.TRIMMED, View.PEELED), cuts, strict=False))
    upright = untilt(picture, detection)
    if upright is not None:
        repairs.append((View.UPRIGHT, np.asarray(upright)))
    for name, repaired in repairs:
        result = _pdq(repaired)
        if result.quality >= PDQ_MIN_QUALITY:
            found.append((name, result))
    return found
