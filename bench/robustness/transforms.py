"""Edits with severity ladders: pure functions ``(image, severity, rng) -> RGB image``.

Randomness (offsets, colours, words, rotation sign) comes only from ``rng``, so a case is
reproducible from the seed that made its generator. Overlays live in ``overlays.py``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

from robustness import overlays

Transform = Callable[[Image.Image, float, np.random.Generator], Image.Image]


def _encode(image: Image.Image, fmt: str, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format=fmt, quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


def jpeg(image: Image.Image, quality: float, rng: np.random.Generator) -> Image.Image:
    """Re-encode as JPEG at ``quality`` (Pillow's default 4:2:0 subsampling, as most apps)."""
    return _encode(image, "JPEG", int(quality))


def webp(image: Image.Image, quality: float, rng: np.random.Generator) -> Image.Image:
    """Re-encode as lossy WebP at ``quality``."""
    return _encode(image, "WEBP", int(quality))


def _scaled(image: Image.Image, fx: float, fy: float) -> Image.Image:
    width, height = image.size
    size = (max(1, round(width * fx)), max(1, round(height * fy)))
    return image.convert("RGB").resize(size, Image.Resampling.LANCZOS)


def resize(image: Image.Image, factor: float, rng: np.random.Generator) -> Image.Image:
    """Scale both sides by ``factor``."""
    return _scaled(image, factor, factor)


def aspect(image: Image.Image, factor: float, rng: np.random.Generator) -> Image.Image:
    """Squeeze horizontally to ``factor`` of the width, height unchanged."""
    return _scaled(image, factor, 1.0)


def crop(image: Image.Image, fraction: float, rng: np.random.Generator) -> Image.Image:
    """Remove ``fraction`` of the width and of the height, at a random offset."""
    width, height = image.size
    cut_w, cut_h = round(width * fraction), round(height * fraction)
    left = int(rng.integers(0, cut_w + 1))
    top = int(rng.integers(0, cut_h + 1))
    return image.convert("RGB").crop((left, top, left + width - cut_w, top + height - cut_h))


def border(image: Image.Image, fraction: float, rng: np.random.Generator) -> Image.Image:
    """Pad with one random uniform colour: ``fraction`` of each side added, half on each edge."""
    width, height = image.size
    pad_w, pad_h = round(width * fraction), round(height * fraction)
    colour = tuple(int(c) for c in rng.integers(0, 256, size=3))
    canvas = Image.new("RGB", (width + pad_w, height + pad_h), colour)
    canvas.paste(image.convert("RGB"), (pad_w // 2, pad_h // 2))
    return canvas


def rotate(image: Image.Image, degrees: float, rng: np.random.Generator) -> Image.Image:
    """Rotate by ``degrees`` in a random direction, same canvas, black corners."""
    sign = 1.0 if rng.random() < 0.5 else -1.0
    return image.convert("RGB").rotate(
        sign * degrees, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(0, 0, 0)
    )


_QUARTER_TURNS = {
    90.0: Image.Transpose.ROTATE_90,
    180.0: Image.Transpose.ROTATE_180,
    270.0: Image.Transpose.ROTATE_270,
}


def rotate_steps(image: Image.Image, degrees: float, rng: np.random.Generator) -> Image.Image:
    """Lossless rotation by 90, 180 or 270 degrees (counter-clockwise)."""
    return image.convert("RGB").transpose(_QUARTER_TURNS[degrees])


#: Severity codes of ``flip``: 1 mirrors left-right, 2 top-bottom.
FLIP_HORIZONTAL, FLIP_VERTICAL = 1.0, 2.0


def flip(image: Image.Image, axis: float, rng: np.random.Generator) -> Image.Image:
    """Mirror: ``FLIP_HORIZONTAL`` or ``FLIP_VERTICAL``."""
    horizontal = axis == FLIP_HORIZONTAL
    method = Image.Transpose.FLIP_LEFT_RIGHT if horizontal else Image.Transpose.FLIP_TOP_BOTTOM
    return image.convert("RGB").transpose(method)


def saturation(image: Image.Image, factor: float, rng: np.random.Generator) -> Image.Image:
    """Scale colour saturation (``ImageEnhance.Color``)."""
    return ImageEnhance.Color(image.convert("RGB")).enhance(factor)


def brightness(image: Image.Image, factor: float, rng: np.random.Generator) -> Image.Image:
    """Scale brightness (``ImageEnhance.Brightness``; clips at white)."""
    return ImageEnhance.Brightness(image.convert("RGB")).enhance(factor)


def blur(image: Image.Image, radius: float, rng: np.random.Generator) -> Image.Image:
    """Gaussian blur of ``radius`` pixels."""
    return image.convert("RGB").filter(ImageFilter.GaussianBlur(radius))


def noise(image: Image.Image, sigma: float, rng: np.random.Generator) -> Image.Image:
    """Add independent Gaussian noise of ``sigma`` grey levels to every channel."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32)
    noisy = pixels + rng.normal(0.0, sigma, size=pixels.shape).astype(np.float32)
    return Image.fromarray(np.clip(np.rint(noisy), 0, 255).astype(np.uint8), "RGB")


def social_chain(image: Image.Image, _severity: float, rng: np.random.Generator) -> Image.Image:
    """What a re-share typically does: resize 0.6, JPEG 75, crop 3%, JPEG 85."""
    step = jpeg(resize(image, 0.6, rng), 75, rng)
    return jpeg(crop(step, 0.03, rng), 85, rng)


@dataclass(frozen=True)
class Case:
    """One rung of a ladder: a transform family at one severity."""

    family: str
    severity: float
    label: str
    fn: Transform

    def apply(self, image: Image.Image, rng: np.random.Generator) -> Image.Image:
        return self.fn(image, self.severity, rng)


def _ladder(family: str, fn: Transform, severities: list[tuple[float, str]]) -> list[Case]:
    return [Case(family, value, f"{family} {label}", fn) for value, label in severities]


def _percent(values: list[float]) -> list[tuple[float, str]]:
    return [(value, f"{round(value * 100)}%") for value in values]


def all_cases() -> list[Case]:
    """Every transform case, in report order (families grouped, mildest first)."""
    return [
        *_ladder("jpeg", jpeg, [(q, f"q{q:g}") for q in (90.0, 70.0, 50.0, 30.0)]),
        *_ladder("webp", webp, [(q, f"q{q:g}") for q in (80.0, 50.0)]),
        *_ladder("resize", resize, [(f, f"x{f:g}") for f in (0.5, 0.25)]),
        *_ladder("aspect", aspect, [(f, f"x{f:g}") for f in (0.9, 0.8)]),
        *_ladder("crop", crop, _percent([0.02, 0.05, 0.10, 0.15, 0.20])),
        *_ladder("border", border, _percent([0.05, 0.10, 0.15, 0.20])),
        *_ladder("rotate", rotate, [(d, f"{d:g}°") for d in (1.0, 3.0, 5.0, 10.0)]),
        *_ladder("rot90", rotate_steps, [(d, f"{d:g}°") for d in (90.0, 180.0, 270.0)]),
        *_ladder("flip", flip, [(FLIP_HORIZONTAL, "horizontal"), (FLIP_VERTICAL, "vertical")]),
        *_ladder("saturation", saturation, [(f, f"x{f:g}") for f in (0.5, 1.5)]),
        *_ladder("brightness", brightness, [(f, f"x{f:g}") for f in (0.7, 1.3)]),
        *_ladder("blur", blur, [(r, f"r{r:g}") for r in (1.0, 2.0, 4.0)]),
        *_ladder("noise", noise, [(s, f"σ{s:g}") for s in (5.0, 10.0, 20.0)]),
        *_ladder("text", overlays.text_overlay, _percent([0.05, 0.10, 0.15])),
        *_ladder("logo", overlays.logo_overlay, _percent([0.05, 0.10, 0.15])),
        *_ladder("caption", overlays.caption_bar, _percent([0.10, 0.15, 0.20])),
        *_ladder("screenshot", overlays.screenshot_frame, _percent([0.8, 0.7, 0.6])),
        *_ladder("social", social_chain, [(1.0, "chain")]),
    ]
