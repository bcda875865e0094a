"""Benign pictures and the edits the robust matcher must see through (scikit-image samples)."""

from __future__ import annotations

import numpy as np
import skimage.data
from PIL import Image, ImageDraw, ImageOps

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry")


def photo(name: str) -> Image.Image:
    return Image.fromarray(np.asarray(getattr(skimage.data, name)())).convert("RGB")


def crop(image: Image.Image, share: float) -> Image.Image:
    """Remove ``share`` of the width and of the height, all from the top left."""
    width, height = image.size
    return image.crop((int(width * share), int(height * share), width, height))


def bordered(image: Image.Image, share: float, colour: tuple[int, int, int]) -> Image.Image:
    return ImageOps.expand(image, border=int(image.width * share), fill=colour)


def captioned(image: Image.Image, share: float) -> Image.Image:
    """A meme caption: a white bar with black text above the picture."""
    width, height = image.size
    bar = int(height * share)
    canvas = Image.new("RGB", (width, height + bar), "white")
    canvas.paste(image, (0, bar))
    ImageDraw.Draw(canvas).text((10, bar // 4), "WHEN YOU SEE IT", fill="black",
                                font_size=max(8, bar // 2))
    return canvas


def bannered(image: Image.Image, share: float) -> Image.Image:
    """A solid banner painted over the bottom ``share`` of the picture."""
    covered = image.copy()
    width, height = covered.size
    ImageDraw.Draw(covered).rectangle((0, int(height * (1 - share)), width, height), fill="white")
    return covered
