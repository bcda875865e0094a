"""Edits that add content: text, a logo, a meme caption bar, a fake application window.

Coverage is measured on bounding boxes (the text block, the logo's shape), so "10%" means the
edit hides about a tenth of the picture. Text uses Pillow's bundled scalable font.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

Colour = tuple[int, int, int]

#: Benign filler words for captions and watermarks.
WORDS = (
    "sunday",
    "coffee",
    "garden",
    "photo",
    "weekend",
    "morning",
    "river",
    "friends",
    "holiday",
    "market",
    "summer",
    "winter",
    "bridge",
    "mountain",
    "street",
    "lunch",
    "autumn",
    "sunset",
    "city",
    "train",
    "beach",
    "music",
    "forest",
    "family",
    "travel",
    "castle",
    "flower",
    "best",
    "view",
    "today",
    "ever",
    "look",
    "this",
    "when",
    "you",
    "finally",
    "again",
    "new",
    "old",
)
_MEASURE_SIZE = 64


@cache
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's default font at ``size`` px (cached: loading it dominates small overlays)."""
    return ImageFont.load_default(size=max(6, size))


def _words(rng: np.random.Generator, low: int, high: int) -> list[str]:
    count = int(rng.integers(low, high + 1))
    return [WORDS[int(i)] for i in rng.integers(0, len(WORDS), size=count)]


def _lines(words: list[str], rows: int) -> str:
    per_row = math.ceil(len(words) / rows)
    return "\n".join(" ".join(words[i : i + per_row]) for i in range(0, len(words), per_row))


def _box(text: str, size: int, stroke: int = 0) -> tuple[int, int]:
    draw = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    left, top, right, bottom = draw.multiline_textbbox(
        (0, 0), text, font=font(size), stroke_width=stroke
    )
    return math.ceil(right - left), math.ceil(bottom - top)


def _fit_text(text_words: list[str], area: float, max_w: int, max_h: int) -> tuple[str, int]:
    """Lines and font size whose block is closest to ``area`` px² within ``max_w`` x ``max_h``.

    Each line count gets the size that meets the area or the box, whichever is smaller; the
    layout covering most wins (``area=inf`` asks for the largest text that fits).
    """
    best = (" ".join(text_words), 6, -1.0)
    for rows in range(1, min(4, len(text_words)) + 1):
        text = _lines(text_words, rows)
        width, height = _box(text, _MEASURE_SIZE)
        fit = min(max_w / max(width, 1), max_h / max(height, 1))
        scale = min(math.sqrt(area / max(width * height, 1)), fit)
        covered = width * height * scale * scale
        if covered > best[2]:
            best = (text, max(6, int(_MEASURE_SIZE * scale)), covered)
    return best[0], best[1]


def _random_colour(rng: np.random.Generator) -> Colour:
    red, green, blue = (int(c) for c in rng.integers(0, 256, size=3))
    return red, green, blue


def _contrast(colour: Colour) -> Colour:
    luma = 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]
    return (0, 0, 0) if luma > 140 else (255, 255, 255)


def text_overlay(image: Image.Image, fraction: float, rng: np.random.Generator) -> Image.Image:
    """Random words in a random corner, the text block covering ``fraction`` of the area."""
    out = image.convert("RGB").copy()
    width, height = out.size
    margin = round(0.02 * min(width, height))
    text, size = _fit_text(
        _words(rng, 2, 6), fraction * width * height, width - 2 * margin, height - 2 * margin
    )
    stroke = max(1, size // 16)
    box_w, box_h = _box(text, size, stroke)
    corner = int(rng.integers(4))
    x = margin if corner in (0, 2) else width - margin - box_w
    y = margin if corner in (0, 1) else height - margin - box_h
    fill = (255, 255, 255) if rng.random() < 0.5 else _random_colour(rng)
    ImageDraw.Draw(out).multiline_text(
        (x, y), text, font=font(size), fill=fill, stroke_width=stroke, stroke_fill=(0, 0, 0)
    )
    return out


def logo_overlay(image: Image.Image, fraction: float, rng: np.random.Generator) -> Image.Image:
    """A synthetic logo (filled shape with a word) covering ``fraction`` of the area."""
    out = image.convert("RGB").copy()
    width, height = out.size
    ratio = float(rng.uniform(1.0, 2.5))  # logos are wider than tall
    logo_w = min(width, round(math.sqrt(fraction * width * height * ratio)))
    logo_h = min(height, round(fraction * width * height / max(logo_w, 1)))
    x = int(rng.integers(0, width - logo_w + 1))
    y = int(rng.integers(0, height - logo_h + 1))
    fill = _random_colour(rng)
    draw = ImageDraw.Draw(out)
    box = (x, y, x + logo_w - 1, y + logo_h - 1)
    shape = int(rng.integers(3))
    if shape == 0:
        draw.rectangle(box, fill=fill)
    elif shape == 1:
        draw.rounded_rectangle(box, radius=max(1, min(logo_w, logo_h) // 4), fill=fill)
    else:
        draw.ellipse(box, fill=fill)
    word = WORDS[int(rng.integers(len(WORDS)))].upper()
    text, size = _fit_text([word], 0.3 * logo_w * logo_h, int(0.7 * logo_w), int(0.6 * logo_h))
    text_w, text_h = _box(text, size)
    draw.text(
        (x + (logo_w - text_w) // 2, y + (logo_h - text_h) // 2),
        text,
        font=font(size),
        fill=_contrast(fill),
    )
    return out


def caption_bar(image: Image.Image, fraction: float, rng: np.random.Generator) -> Image.Image:
    """A meme caption: a white or black bar, ``fraction`` of the height, added above or below."""
    source = image.convert("RGB")
    width, height = source.size
    bar_h = max(1, round(height * fraction))
    background: Colour = (255, 255, 255) if rng.random() < 0.5 else (0, 0, 0)
    on_top = rng.random() < 0.5
    canvas = Image.new("RGB", (width, height + bar_h), background)
    canvas.paste(source, (0, bar_h if on_top else 0))
    words = _words(rng, 3, 7)
    text, size = _fit_text(words, math.inf, int(0.94 * width), int(0.7 * bar_h))
    text_w, text_h = _box(text, size)
    bar_top = 0 if on_top else height
    ImageDraw.Draw(canvas).multiline_text(
        ((width - text_w) // 2, bar_top + (bar_h - text_h) // 2),
        text,
        font=font(size),
        fill=_contrast(background),
        align="center",
    )
    return canvas


@dataclass(frozen=True)
class _Theme:
    chrome: Colour
    panel: Colour
    ink: Colour


_LIGHT = _Theme((236, 236, 240), (218, 218, 224), (40, 40, 40))
_DARK = _Theme((38, 38, 42), (52, 52, 58), (220, 220, 220))
_TRAFFIC_LIGHTS: tuple[Colour, ...] = ((237, 106, 94), (245, 191, 79), (98, 197, 84))


def _draw_title_and_toolbar(
    draw: ImageDraw.ImageDraw,
    theme: _Theme,
    width: int,
    top: int,
    left: int,
    rng: np.random.Generator,
) -> int:
    """Title bar with window buttons and a title, toolbar buttons below; returns label size."""
    title_h = max(4, top // 2)
    draw.rectangle((0, 0, width, title_h), fill=theme.panel)
    radius = max(2, title_h // 5)
    middle = title_h // 2
    for index, colour in enumerate(_TRAFFIC_LIGHTS):
        cx = radius * 2 + index * radius * 3
        draw.ellipse((cx - radius, middle - radius, cx + radius, middle + radius), fill=colour)
    label_size = max(6, title_h // 2)
    title = " ".join(_words(rng, 2, 3)).title()
    draw.text((width // 3, title_h // 4), title, font=font(label_size), fill=theme.ink)
    button_h = max(2, (top - title_h) // 2)
    button_top = title_h + button_h // 2
    for index in range(int(rng.integers(3, 7))):
        bx = left + index * button_h * 3
        box = (bx, button_top, bx + button_h * 2, button_top + button_h)
        draw.rounded_rectangle(box, radius=2, fill=theme.panel)
    return label_size


def _draw_side_bar(
    draw: ImageDraw.ImageDraw,
    theme: _Theme,
    top: int,
    left: int,
    height: int,
    label_size: int,
    rng: np.random.Generator,
) -> None:
    """Menu entries down the left margin, a word on each."""
    entry_h = max(8, label_size + 6)
    for row in range(max(1, (height - top) // (entry_h * 2))):
        y = top + row * entry_h * 2
        draw.rectangle((label_size // 2, y, left - label_size // 2, y + entry_h), fill=theme.panel)
        word = WORDS[int(rng.integers(len(WORDS)))]
        draw.text((label_size, y + 2), word, font=font(label_size - 2), fill=theme.ink)


def screenshot_frame(image: Image.Image, share: float, rng: np.random.Generator) -> Image.Image:
    """The image inside fake app chrome, covering ``share`` of the screenshot's area."""
    source = image.convert("RGB")
    width, height = source.size
    grow = 1.0 / math.sqrt(share) - 1.0  # same growth on both axes keeps the shape
    extra_w, extra_h = round(width * grow), round(height * grow)
    left = round(extra_w * rng.uniform(0.55, 0.8))  # side bar; the rest is a right-hand panel
    top = round(extra_h * rng.uniform(0.55, 0.75))  # title bar and toolbar; the rest a status bar
    theme = _DARK if rng.random() < 0.5 else _LIGHT
    canvas = Image.new("RGB", (width + extra_w, height + extra_h), theme.chrome)
    full_w, full_h = canvas.size
    draw = ImageDraw.Draw(canvas)
    label_size = _draw_title_and_toolbar(draw, theme, full_w, top, left, rng)
    _draw_side_bar(draw, theme, top, left, full_h, label_size, rng)
    right = extra_w - left
    if right > 4:
        panel_h = (full_h - top) // 4
        for row in range(int(rng.integers(2, 5))):
            y = top + row * panel_h
            box = (full_w - right + 2, y + 2, full_w - 2, y + panel_h - 4)
            draw.rectangle(box, fill=theme.panel)
    status_h = max(6, extra_h - top)
    status = " ".join(_words(rng, 3, 5))
    draw.text((left, full_h - status_h + 1), status, font=font(status_h - 2), fill=theme.ink)
    canvas.paste(source, (left, top))
    return canvas
