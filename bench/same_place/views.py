"""Views of one scene as an investigator meets them: other framings, people in front, other light.

Every view is a sub-window of the scene (its framing), then edited by its kind, then saved as
JPEG, because a case scan reads files. Windows of one scene overlap the scene's ``plain`` view
by ``MIN_OVERLAP``-``MAX_OVERLAP`` of the smaller window, so two views share part of the place
and never all of it. Randomness comes only from generators seeded by (seed, scene, view).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

#: ``plain`` is framing + JPEG only; the others add their edit; ``combined`` adds all three.
KINDS = ("plain", "perspective", "occlusion", "lighting", "combined")
EDITED_KINDS = KINDS[1:]
MIN_OVERLAP = 0.3
MAX_OVERLAP = 0.7
#: Window side as a share of the scene side: the spread is the scale change between views.
WINDOW_SIDE = (0.45, 0.85)
#: Corners of the window moved by up to this share of its side: a camera turned by ~10-25°.
PERSPECTIVE_JITTER = (0.06, 0.16)
OCCLUDED = (0.2, 0.5)
#: Output long side: a phone photo downscaled by a messenger, or a larger original.
LONG_SIDE = (360, 1024)
JPEG_QUALITY = (60, 92)


@dataclass(frozen=True)
class Window:
    """Axis-aligned framing in scene pixels (for perspective views: the warped quad's box)."""

    left: float
    top: float
    width: float
    height: float

    @property
    def area(self) -> float:
        return self.width * self.height


@dataclass(frozen=True)
class View:
    scene: int
    kind: str
    window: Window
    data: bytes
    occluded: float = 0.0


def overlap(a: Window, b: Window) -> float:
    """Shared area over the smaller window's area."""
    width = min(a.left + a.width, b.left + b.width) - max(a.left, b.left)
    height = min(a.top + a.height, b.top + b.height) - max(a.top, b.top)
    if width <= 0 or height <= 0:
        return 0.0
    return width * height / min(a.area, b.area)


def _random_window(size: tuple[int, int], rng: np.random.Generator) -> Window:
    width, height = size
    w = width * rng.uniform(*WINDOW_SIDE)
    h = height * rng.uniform(*WINDOW_SIDE)
    return Window(rng.uniform(0, width - w), rng.uniform(0, height - h), w, h)


def sample_window(
    size: tuple[int, int], rng: np.random.Generator, anchor: Window | None, tries: int = 400
) -> Window:
    """A window overlapping ``anchor`` by MIN-MAX_OVERLAP (the closest found if none does)."""
    best, best_miss = _random_window(size, rng), np.inf
    if anchor is None:
        return best
    for _ in range(tries):
        window = _random_window(size, rng)
        shared = overlap(window, anchor)
        miss = max(MIN_OVERLAP - shared, shared - MAX_OVERLAP, 0.0)
        if miss == 0.0:
            return window
        if miss < best_miss:
            best, best_miss = window, miss
    return best


def _frame(
    scene: Image.Image, window: Window, jitter: float, rng: np.random.Generator
) -> tuple[Image.Image, Window]:
    """The window at a random output size; with ``jitter``, seen from another angle.

    The quad whose corners are the window's moved by up to ``jitter`` of its sides is warped
    onto the output rectangle (``cv2.warpPerspective``), clipped to the scene so no black
    wedge appears that a real photo would not have.
    """
    long_side = int(rng.integers(LONG_SIDE[0], LONG_SIDE[1] + 1))
    scale = long_side / max(window.width, window.height)
    out_w, out_h = max(32, round(window.width * scale)), max(32, round(window.height * scale))
    x0, y0 = window.left, window.top
    x1, y1 = x0 + window.width, y0 + window.height
    quad = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)
    if jitter > 0:
        quad += rng.uniform(-jitter, jitter, (4, 2)) * [window.width, window.height]
        quad[:, 0] = np.clip(quad[:, 0], 0, scene.width - 1)
        quad[:, 1] = np.clip(quad[:, 1], 0, scene.height - 1)
    target = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    pixels = cv2.warpPerspective(
        np.asarray(scene), matrix, (out_w, out_h), flags=cv2.INTER_AREA,
        borderMode=cv2.BORDER_REFLECT,
    )
    low, high = quad.min(axis=0), quad.max(axis=0)
    box = Window(float(low[0]), float(low[1]), float(high[0] - low[0]), float(high[1] - low[1]))
    return Image.fromarray(pixels), box


def _figure_mask(size: tuple[int, int], rng: np.random.Generator) -> Image.Image:
    """A person-like silhouette (head and torso) standing on the bottom edge."""
    width, height = size
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    body_h = height * rng.uniform(0.45, 0.95)
    body_w = body_h * rng.uniform(0.35, 0.6)
    centre = rng.uniform(0, width)
    top = height - body_h
    head = body_w * 0.45
    draw.ellipse((centre - head / 2, top, centre + head / 2, top + head * 1.2), fill=255)
    draw.rounded_rectangle(
        (centre - body_w / 2, top + head * 1.1, centre + body_w / 2, height + 10),
        radius=int(body_w / 4), fill=255,
    )
    return mask


def _filler(size: tuple[int, int], rng: np.random.Generator) -> Image.Image:
    """What an occluder shows: blotchy "clothing" or a shaded colour, unique to this view.

    Not a patch of another picture: two views with patches of one picture share that content
    for real, and the first runs linked exactly those (every false link was between two
    occluded views).
    """
    width, height = size
    if rng.random() < 0.6:
        cells = rng.integers(0, 256, (int(rng.integers(3, 12)), int(rng.integers(3, 12)), 3))
        return Image.fromarray(cells.astype(np.uint8)).resize(size, Image.Resampling.BICUBIC)
    colour = rng.integers(0, 256, 3)
    shade = np.linspace(rng.uniform(0.6, 1.0), rng.uniform(0.6, 1.0), height)[:, None, None]
    pixels = np.clip(np.ones((height, width, 3)) * colour * shade, 0, 255).astype(np.uint8)
    return Image.fromarray(pixels)


def occlude(image: Image.Image, share: float, rng: np.random.Generator
            ) -> tuple[Image.Image, float]:
    """Figures pasted in front until they cover ``share`` of the picture; the share reached."""
    result = image.copy()
    covered = np.zeros((image.height, image.width), bool)
    for _ in range(12):
        if covered.mean() >= share:
            break
        mask = _figure_mask(image.size, rng)
        result.paste(_filler(image.size, rng), (0, 0), mask)
        covered |= np.asarray(mask) > 0
    return result, float(covered.mean())


def relight(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Exposure, white balance, gamma and light falling from one side: another hour, lamp."""
    pixels = np.asarray(image, np.float32) / 255.0
    gains = rng.uniform(0.8, 1.2, 3) * rng.uniform(0.6, 1.4)
    gamma = float(np.exp(rng.uniform(np.log(0.6), np.log(1.7))))
    height, width = pixels.shape[:2]
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * np.linspace(-1, 1, width)[None, :]
            + np.sin(angle) * np.linspace(-1, 1, height)[:, None])
    falloff = 1.0 + rng.uniform(0.1, 0.35) * ramp
    lit = np.clip(pixels * gains * falloff[:, :, None], 0, 1) ** gamma
    return Image.fromarray((lit * 255 + 0.5).astype(np.uint8))


def encode(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def make_view(
    scene: Image.Image,
    scene_index: int,
    kind: str,
    anchor: Window | None,
    rng: np.random.Generator,
) -> View:
    """One view of ``scene`` of ``kind``, framed to overlap ``anchor`` (None: anywhere)."""
    window = sample_window(scene.size, rng, anchor)
    tilted = kind in ("perspective", "combined")
    jitter = rng.uniform(*PERSPECTIVE_JITTER) if tilted else 0.0
    image, box = _frame(scene, window, jitter, rng)
    occluded = 0.0
    if kind in ("lighting", "combined"):
        image = relight(image, rng)
    if kind in ("occlusion", "combined"):
        image, occluded = occlude(image, rng.uniform(*OCCLUDED), rng)
    low_quality = JPEG_QUALITY[0] if kind == "combined" else JPEG_QUALITY[0] + 10
    quality = int(rng.integers(low_quality, JPEG_QUALITY[1] + 1))
    return View(scene_index, kind, box, encode(image, quality), occluded)


def scene_views(
    scene: Image.Image,
    scene_index: int,
    per_kind: int,
    seed: int,
) -> list[View]:
    """The ``plain`` view, then ``per_kind`` views of each edited kind overlapping it."""
    plain = make_view(scene, scene_index, "plain", None,
                      np.random.default_rng([seed, 23, scene_index, 0]))
    views = [plain]
    for number, kind in enumerate(k for k in EDITED_KINDS for _ in range(per_kind)):
        rng = np.random.default_rng([seed, 23, scene_index, number + 1])
        views.append(make_view(scene, scene_index, kind, plain.window, rng))
    return views


def decode(view: View) -> NDArray[np.uint8]:
    with Image.open(io.BytesIO(view.data)) as opened:
        return np.asarray(opened.convert("RGB"))
