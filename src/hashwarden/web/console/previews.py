"""Previews for the exposure-limiting viewer: blurred and grey first, revealed step by step.

The browser only ever receives the step the analyst asked for; the sharp colour image is sent
only at the last step. Previews are re-encoded JPEGs at most 640 pixels wide: nothing of the
original file (metadata, animation, sound) reaches the console. Video items go through the same
steps, one still frame at a time (``stills``).
"""

from __future__ import annotations

import io

from PIL import Image, ImageFilter, ImageOps

#: (blur radius in pixels, greyscale) per step.
STEPS = ((18.0, True), (6.0, True), (0.0, True), (0.0, False))
LAST_STEP = len(STEPS) - 1
MAX_SIDE = 640


def preview(content: bytes, step: int) -> bytes:
    """The JPEG of an image file shown at ``step`` (0: most hidden)."""
    with Image.open(io.BytesIO(content)) as opened:
        opened.seek(0)  # first frame only: no animation
        image = ImageOps.exif_transpose(opened.convert("RGB"))
    return preview_image(image, step)


def preview_image(image: Image.Image, step: int) -> bytes:
    """The JPEG of decoded pixels (an image, a video's still) shown at ``step``."""
    radius, grey = STEPS[max(0, min(step, LAST_STEP))]
    image = image.copy()  # stills are shared between requests
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    if grey:
        image = image.convert("L")
    if radius:
        image = image.filter(ImageFilter.GaussianBlur(radius))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()
