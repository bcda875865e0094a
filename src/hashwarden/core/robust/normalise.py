"""Undo the cheap edits that defeat PDQ before hashing a query: added borders, caption bars,
app frames around a screenshot, and small tilts with filled corners.

Each function returns the repaired pixels, or ``None`` when it found nothing to undo, so the
matcher only hashes (and only risks false positives on) views that differ from the original.
Detection runs on a copy at most ``DETECT_SIDE`` pixels long; cuts are mapped back to full size.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

Pixels = NDArray[np.uint8]

DETECT_SIDE = 256
#: Turning back happens at this size: PDQ only sees 64 x 64, but 256 loses a few bits.
UNTILT_SIDE = 512
#: Channel difference under which a pixel counts as the bar's colour (JPEG blurs flat colour).
COLOUR_TOLERANCE = 24
#: A bar row must be this uniform where it meets the picture...
CLEAN_ROW = 0.9
#: ...and this uniform on average, which leaves room for a caption's text.
BAR_MEAN = 0.6
#: No side loses more than this share, and the picture keeps at least ``MIN_KEEP`` of each side.
MAX_BAR = 0.4
MIN_KEEP = 0.3
#: Trims smaller than this share of a side are noise (a JPEG edge), not an edit.
MIN_TRIM = 0.01
MAX_PASSES = 4
#: Tilts PDQ already tolerates, and the largest this module undoes.
MIN_TILT_DEGREES = 0.7
MAX_TILT_DEGREES = 15.0


Picture = Image.Image | Pixels


def _size(picture: Picture) -> tuple[int, int]:
    """(height, width)."""
    if isinstance(picture, Image.Image):
        return picture.height, picture.width
    return int(picture.shape[0]), int(picture.shape[1])


def _rgb_array(image: Image.Image) -> Pixels:
    return np.asarray(image if image.mode == "RGB" else image.convert("RGB"))


def _detection_copy(picture: Picture) -> tuple[NDArray[np.int16], float]:
    height, width = _size(picture)
    scale = min(1.0, DETECT_SIDE / max(height, width))
    image = picture if isinstance(picture, Image.Image) else Image.fromarray(picture)
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        # reducing by a whole factor first is several times cheaper than one big resize
        factor = int(1 / scale) // 2
        if factor > 1:
            image = image.reduce(factor)
        image = image.resize(size, Image.Resampling.BOX)
    return _rgb_array(image).astype(np.int16), scale


def _strip(picture: Picture, columns: bool, low: int, high: int) -> Pixels:
    """Full-size rows (or columns, as rows) ``low:high``, without converting the whole picture."""
    if isinstance(picture, Image.Image):
        box = (low, 0, high, picture.height) if columns else (0, low, picture.width, high)
        part = _rgb_array(picture.crop(box))
    else:
        part = picture[:, low:high] if columns else picture[low:high]
    return part.transpose(1, 0, 2) if columns else part


def _bar_depth(rows: NDArray[np.int16], limit: int) -> int:
    """How many leading rows of ``rows`` (rows x width x 3) form a uniform bar."""
    colour = np.median(rows[0], axis=0)
    # Most pictures have no bar: settle that on the edge row before scanning deeper.
    if limit < 1 or (np.abs(rows[0] - colour).max(axis=1) <= COLOUR_TOLERANCE).mean() < CLEAN_ROW:
        return 0
    close = np.abs(rows[:limit] - colour).max(axis=2) <= COLOUR_TOLERANCE
    share = close.mean(axis=1)
    running_mean = np.cumsum(share) / np.arange(1, share.size + 1)
    ends = np.flatnonzero((share >= CLEAN_ROW) & (running_mean >= BAR_MEAN))
    return int(ends[-1]) + 1 if ends.size else 0


Box = tuple[int, int, int, int]


def _trim_boxes(small: NDArray[np.int16]) -> list[Box]:
    """(top, bottom, left, right) after the first pass and after peeling every band.

    The first pass alone undoes one added border or bar; peeling on undoes app chrome made of
    several bands, but would also eat a dark sky, hence both.
    """
    top = left = 0
    bottom, right = small.shape[0], small.shape[1]
    boxes: list[Box] = []
    for _ in range(MAX_PASSES):
        view = small[top:bottom, left:right]
        height, width = view.shape[:2]
        if height < 8 or width < 8:
            break
        cuts = (
            _bar_depth(view, int(height * MAX_BAR)),
            _bar_depth(view[::-1], int(height * MAX_BAR)),
            _bar_depth(view.transpose(1, 0, 2), int(width * MAX_BAR)),
            _bar_depth(view.transpose(1, 0, 2)[::-1], int(width * MAX_BAR)),
        )
        if not any(cuts):
            break
        top, bottom = top + cuts[0], bottom - cuts[1]
        left, right = left + cuts[2], right - cuts[3]
        boxes.append((top, bottom, left, right))
    return boxes[:1] + boxes[-1:] if len(boxes) > 1 else boxes


Detection = tuple[NDArray[np.int16], float]


def detection_copy(picture: Picture) -> Detection:
    """The small copy ``trim_bands`` and ``untilt`` look at; make it once for both."""
    return _detection_copy(picture)


def trim_bands(picture: Picture, detection: Detection | None = None) -> list[Picture]:
    """The picture inside uniform borders, caption bars and app chrome (none, one or two cuts).

    Cuts come back in the form given: Pillow images (cropped lazily) or arrays.
    """
    small, scale = detection or _detection_copy(picture)
    height, width = small.shape[:2]
    cuts: list[tuple[slice, slice]] = []
    for top, bottom, left, right in _trim_boxes(small):
        kept_rows, kept_cols = bottom - top, right - left
        if kept_rows < MIN_KEEP * height or kept_cols < MIN_KEEP * width:
            continue
        if height - kept_rows < MIN_TRIM * height and width - kept_cols < MIN_TRIM * width:
            continue
        rows = _refine(picture, False, top / scale, bottom / scale, 1 / scale)
        cols = _refine(picture, True, left / scale, right / scale, 1 / scale)
        if (rows, cols) not in cuts:
            cuts.append((rows, cols))
    if isinstance(picture, Image.Image):
        return [picture.crop((c.start, r.start, c.stop, r.stop)) for r, c in cuts]
    return [np.ascontiguousarray(picture[rows, cols]) for rows, cols in cuts]


def _refine(picture: Picture, columns: bool, start: float, stop: float, slack: float) -> slice:
    """Rows (or columns) ``start:stop``, each cut moved to the exact edge of its bar.

    A detection pixel spans several full-size rows, so the picture's first row is only known
    to within ``slack``: look there for the last row still uniform in the bar's colour. A few
    stray bar rows left in would cost PDQ up to 30 bits.
    """
    height, width = _size(picture)
    length = width if columns else height
    span = math.ceil(slack) + 1

    def edge(cut: float, from_end: bool) -> int:
        """Bar rows counted from the start (or the end) before the picture begins."""
        low, high = max(0, math.floor(cut) - span), min(length, math.ceil(cut) + span)
        if low == 0 or high <= low:
            return round(cut)
        # Row ``low - 1`` is surely bar; rows ``low:high`` hold the exact edge.
        if from_end:
            rows = _strip(picture, columns, length - high, length - low + 1)[::-1]
        else:
            rows = _strip(picture, columns, low - 1, high)
        colour = np.median(rows[0], axis=0)
        window = np.abs(rows[1:].astype(np.int16) - colour).max(axis=2)
        clean = (window <= COLOUR_TOLERANCE).mean(axis=1) >= CLEAN_ROW
        # Bar rows run unbroken from ``low``; the picture starts at the first other row.
        return low + (clean.size if clean.all() else int(np.argmin(clean)))

    top = edge(start, False) if start > 0 else 0
    bottom = length - edge(length - stop, True) if stop < length else length
    return slice(top, max(top + 1, bottom))


def _run_slope(corner: NDArray[np.bool_]) -> float | None:
    """|d run / d row| of a wedge of fill in the top-left of ``corner``, if it is one."""
    runs = np.argmin(corner, axis=1)  # first non-fill pixel per row
    runs[corner.all(axis=1)] = corner.shape[1]
    rows = np.flatnonzero(runs > 0)
    if rows.size < 4 or rows[0] != 0 or rows.size != rows[-1] + 1:
        return None
    # Where two wedges meet, a row is fill from side to side: not one triangle's edge.
    if runs[0] >= corner.shape[1] * 0.9:
        return None
    slope, _ = np.polyfit(rows.astype(np.float64), runs[rows].astype(np.float64), 1)
    return -float(slope) if slope < 0 else None


def _wedge_slopes(mask: NDArray[np.bool_]) -> list[tuple[int, float]]:
    """(corner, |dx/dy|) of the filled wedge in each corner.

    A corner wedge of a tilted picture is a right triangle whose run of fill from the image
    edge shrinks linearly. Corners 0-3 (top left, top right, bottom left, bottom right) are
    each brought to the top left by flipping, then scanned by rows or, where wedges meet along
    a side, by columns.
    """
    slopes: list[tuple[int, float]] = []
    height, width = mask.shape
    flips = (mask, mask[:, ::-1], mask[::-1, :], mask[::-1, ::-1])
    for corner_id, flipped in enumerate(flips):
        by_rows = _run_slope(flipped[: max(4, int(height * 0.45))])
        if by_rows is not None:
            slopes.append((corner_id, by_rows))
            continue
        by_cols = _run_slope(flipped.T[: max(4, int(width * 0.45))])
        if by_cols is not None and by_cols > 0:
            slopes.append((corner_id, 1 / by_cols))
    return slopes


def tilt_degrees(picture: Picture, detection: Detection | None = None) -> float | None:
    """The counter-clockwise tilt of a picture rotated inside its own canvas, from its corners."""
    small, _ = detection or _detection_copy(picture)
    corners = np.stack([small[0, 0], small[0, -1], small[-1, 0], small[-1, -1]])
    fill = np.median(corners, axis=0)
    if np.abs(corners - fill).max() > COLOUR_TOLERANCE:
        return None
    mask = np.abs(small - fill).max(axis=2) <= COLOUR_TOLERANCE
    slopes = _wedge_slopes(mask)
    if len(slopes) < 2:
        return None
    # Each wedge lies between an image side and the picture's tilted side, so |dx/dy| is
    # cot(tilt) or tan(tilt): take whichever is below 1. Turned counter-clockwise, the top-left
    # and bottom-right wedges are long along the top and bottom (|dx/dy| > 1), the other two
    # along the sides; mirrored corners vote the other way.
    angles = [math.degrees(math.atan(min(s, 1 / s))) for _, s in slopes]
    votes = [(s > 1) == (corner in (0, 3)) for corner, s in slopes]
    angle = float(np.median(angles))
    if not MIN_TILT_DEGREES <= angle <= MAX_TILT_DEGREES:
        return None
    return angle if sum(votes) * 2 >= len(votes) else -angle


def _fill_lost(picture: NDArray[np.uint8], lost: NDArray[np.bool_]) -> NDArray[np.uint8]:
    """Inpaint ``lost`` pixels from their surroundings (OpenCV's Telea method)."""
    mask = lost.astype(np.uint8) * 255
    return np.asarray(cv2.inpaint(np.ascontiguousarray(picture), mask, 3, cv2.INPAINT_TELEA))


def untilt(picture: Picture, detection: Detection | None = None) -> Pixels | None:
    """The picture turned back upright, or ``None`` when no tilt with filled corners is seen.

    The corners lost to the tilt are filled from their surroundings: left black they pull
    PDQ's low frequencies 20-50 bits away at 5 degrees, filled they cost 4-26 bits.
    """
    angle = tilt_degrees(picture, detection)
    if angle is None:
        return None
    height, width = _size(picture)
    scale = min(1.0, UNTILT_SIDE / max(height, width))
    image = picture if isinstance(picture, Image.Image) else Image.fromarray(picture)
    if image.mode != "RGB":
        image = image.convert("RGB")
    if scale < 1.0:
        image = image.resize((round(width * scale), round(height * scale)), Image.Resampling.BOX)
    upright = np.asarray(image.rotate(-angle, resample=Image.Resampling.BILINEAR))
    # Pixels that were fill before or after turning back: turn an all-valid mask both ways.
    valid = Image.new("L", image.size, 255).rotate(angle).rotate(
        -angle, resample=Image.Resampling.BILINEAR
    )
    return _fill_lost(upright, np.asarray(valid) < 250)
